"""The site's URLs plus /bench/bare/, the cheapest response Django can give through the
site's middleware: the yardstick bench/throughput.py measures every page against."""

from django.http import HttpResponse
from django.urls import path

from quizsite.urls import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
