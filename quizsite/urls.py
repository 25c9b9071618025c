from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

handler404 = "quizzes.views.errors.page_not_found"
handler500 = "quizzes.views.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("quizzes.urls")),
]
# Development only; production serves MEDIA_ROOT from the proxy (see README).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
