"""Tags staff merge in the admin: "pytorch" and "torch" made one."""

from django.db import transaction
from django.db.models import Count, QuerySet

from quizzes import caching
from quizzes.models import Card, Tag


@transaction.atomic
def tags_merge(*, tags: QuerySet[Tag]) -> tuple[Tag, list[Tag]] | None:
    """Make `tags` one: the one on most cards (the oldest of a tie) is kept, given every
    card of the others, which are deleted. Returns the kept tag and those merged into it;
    None when fewer than two were given."""
    ranked = list(tags.annotate(card_count=Count("cards")).order_by("-card_count", "pk"))
    if len(ranked) < 2:
        return None
    kept, merged = ranked[0], ranked[1:]
    through = Card.tags.through
    cards = through.objects.filter(tag__in=merged).values_list("card_id", flat=True).distinct()
    through.objects.bulk_create(
        [through(card_id=card_id, tag_id=kept.pk) for card_id in cards], ignore_conflicts=True
    )
    Tag.objects.filter(pk__in=[tag.pk for tag in merged]).delete()
    caching.deck_pages_changed()
    return kept, merged
