from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """The site's pages run only its own scripts and styles: card HTML is sanitized, and
    this is the second line should anything slip through. The admin keeps Django's own
    inline styles and scripts, so it is left out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
