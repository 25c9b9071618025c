from django.urls import path

from quizzes.views import home

urlpatterns = [
    path("", home.home, name="home"),
]
