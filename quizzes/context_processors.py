from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from quizsite.csrf import csrf_token
from quizzes.services import reviews


def study(request):
    """`review_counts` for the navigation's "Review (N due)", read only when a page shows
    it (kept until it changes, see reviews.review_counts)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "review_counts": SimpleLazyObject(
            lambda: reviews.review_counts(user=user, now=timezone.now())
        )
    }


def password_reset(request):
    """Whether the site can send a forgotten password's link (settings), for the pages that
    offer one: log-in, the lock after wrong passwords (django-axes renders it), the account."""
    return {"password_reset": settings.QUIZSITE_PASSWORD_RESET}


def csrf(request):
    """The CSRF token, as Django's own processor gives it (which this one overrides), made
    by quizsite.csrf at a tenth of the cost."""
    return {"csrf_token": SimpleLazyObject(lambda: csrf_token(request))}


def page_cache(request):
    """While a page is rendered to be kept for every visitor (caching.public_page), its
    CSRF token, and a signed-in learner's navigation, are placeholders that each response
    replaces with its own."""
    if getattr(request, "csrf_token_placeholder", False):
        from quizzes.caching import CSRF_PLACEHOLDER, USER_NAV_PLACEHOLDER

        placeholders = {"csrf_token": CSRF_PLACEHOLDER}
        if getattr(request, "user_nav_placeholder", False):
            placeholders["user_nav_placeholder"] = USER_NAV_PLACEHOLDER
        return placeholders
    return {}
