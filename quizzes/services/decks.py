"""A deck's address: its slug, and the slugs it had before staff changed it, which links
learners kept and the deck fixture still use."""

from django.db import transaction

from quizzes.models import Deck, FormerDeckSlug


def deck_slug_taken_before(*, slug: str, deck: Deck | None) -> FormerDeckSlug | None:
    """The former slug `slug` of a deck other than `deck`, whose old links would lead
    elsewhere if `deck` took it; None when `slug` is free to take."""
    former = FormerDeckSlug.objects.filter(slug=slug).select_related("deck").first()
    if former is None or (deck is not None and former.deck_id == deck.pk):
        return None
    return former


@transaction.atomic
def deck_slug_changed(*, deck: Deck, old_slug: str) -> None:
    """Remember `old_slug` after `deck` moved to its current slug (one it had before is its
    own again, and no longer a former one)."""
    FormerDeckSlug.objects.filter(slug=deck.slug).delete()
    FormerDeckSlug.objects.update_or_create(slug=old_slug, defaults={"deck": deck})


def deck_by_former_slug(slug: str) -> Deck | None:
    """The deck that had `slug` before its slug changed."""
    return Deck.objects.filter(former_slugs__slug=slug).first()
