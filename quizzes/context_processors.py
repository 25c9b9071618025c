from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from quizzes.services import reviews


def study(request):
    """`review_counts` for the navigation's "Review (N due)", counted only when a page shows
    it (three queries, see reviews.review_counts)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "review_counts": SimpleLazyObject(
            lambda: reviews.review_counts(user=user, now=timezone.now())
        )
    }
