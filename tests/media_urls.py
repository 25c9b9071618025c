"""The site's URLs with MEDIA_ROOT served at /media/, as `make run` serves it (DEBUG) and
the proxy does in production: for tests of what a media file is served with."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from quizsite.urls import urlpatterns as site_urlpatterns


def media(request, path):
    # MEDIA_ROOT read per request: each test has a folder of its own (conftest.media_root).
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# First: the site's own (made when DEBUG was on at import) serves the MEDIA_ROOT of then.
urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urlpatterns]
