"""The page-ready HTML every card stores: made once when the card is saved or imported, and
again when one of its images is cached or replaced, so no page parses card HTML.

`Card.question_rendered` / `answer_rendered` hold the sides with each <img> pointing at its
local copy (with its size) or turned into an "image not cached" placeholder.
"""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from quizzes import caching
from quizzes.models import CachedImage, Card, CardImage
from quizzes.rendering import LocalImage, localize_images

RENDERED_FIELDS = ["question_rendered", "answer_rendered"]


def local_image(image: CachedImage) -> LocalImage:
    return LocalImage(
        src=image.file.url if image.is_cached else None, width=image.width, height=image.height
    )


def images_for_urls(urls: Iterable[str], *, create: bool) -> dict[str, CachedImage]:
    """The CachedImage of each URL; with `create`, a URL seen for the first time gets a
    pending one for cache_images to fetch."""
    urls = set(urls)
    if create:
        CachedImage.objects.bulk_create(
            (CachedImage(url=url) for url in sorted(urls)), ignore_conflicts=True
        )
    return {image.url: image for image in CachedImage.objects.filter(url__in=urls)}


def sides_render(
    question_html: str, answer_html: str, images: dict[str, CachedImage]
) -> tuple[str, str]:
    """Both sides page-ready, from what is known of their images."""
    local = {url: local_image(image) for url, image in images.items()}
    return localize_images(question_html, local), localize_images(answer_html, local)


def cards_rerender(cards: QuerySet[Card]) -> int:
    """Render `cards` again from their stored HTML and image rows (after an image changed,
    or the media URL moved); returns how many changed."""
    rows = cards.only("id", "question_html", "answer_html", *RENDERED_FIELDS).prefetch_related(
        Prefetch("card_images", queryset=CardImage.objects.select_related("image"))
    )
    changed = []
    for card in rows:
        images = {row.image.url: row.image for row in card.card_images.all()}
        sides = sides_render(card.question_html, card.answer_html, images)
        if sides != (card.question_rendered, card.answer_rendered):
            card.question_rendered, card.answer_rendered = sides
            changed.append(card)
    Card.objects.bulk_update(changed, RENDERED_FIELDS, batch_size=500)
    if changed:
        caching.deck_pages_changed()
    return len(changed)
