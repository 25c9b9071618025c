"""The page-ready HTML every card stores: made once when the card is saved or imported, and
again when one of its images is cached or replaced, so no page parses card HTML.

`Card.question_rendered` / `answer_rendered` hold the sides with each <img> pointing at its
local copy (with its size) or turned into an "image not cached" placeholder.
"""

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from quizzes import caching
from quizzes.models import CachedImage, Card, CardImage, MediaFile
from quizzes.rendering import LocalImage, page_ready, sound_names

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


def media_for_names(names: Iterable[str]) -> dict[str, str]:
    """The URL of each sound file of these names that the site has."""
    names = set(names)
    if not names:
        return {}
    return {media.name: media.file.url for media in MediaFile.objects.filter(name__in=names)}


def media_for_html(*sides: str) -> dict[str, str]:
    return media_for_names(name for side in sides for name in sound_names(side))


def sides_render(
    question_html: str,
    answer_html: str,
    images: dict[str, CachedImage],
    *,
    cloze: int | None = None,
    media: dict[str, str] | None = None,
) -> tuple[str, str]:
    """Both sides page-ready, from what is known of their images and sounds (looked up
    when `media` is not given). For a cloze card, `cloze` is its number."""
    local = {url: local_image(image) for url, image in images.items()}
    if media is None:
        media = media_for_html(question_html, answer_html)
    return page_ready(question_html, answer_html, local, media, cloze=cloze)


def card_cloze(card: Card) -> int | None:
    return card.card_ord + 1 if card.is_cloze else None


def cards_rerender(cards: QuerySet[Card]) -> int:
    """Render `cards` again from their stored HTML and image rows (after an image changed,
    or the media URL moved); returns how many changed."""
    rows = cards.only(
        "id", "question_html", "answer_html", "is_cloze", "card_ord", *RENDERED_FIELDS
    ).prefetch_related(Prefetch("card_images", queryset=CardImage.objects.select_related("image")))
    rows = list(rows)
    media = media_for_html(*(card.question_html + card.answer_html for card in rows))
    changed = []
    for card in rows:
        images = {row.image.url: row.image for row in card.card_images.all()}
        sides = sides_render(
            card.question_html, card.answer_html, images, cloze=card_cloze(card), media=media
        )
        if sides != (card.question_rendered, card.answer_rendered):
            card.question_rendered, card.answer_rendered = sides
            changed.append(card)
    Card.objects.bulk_update(changed, RENDERED_FIELDS, batch_size=500)
    if changed:
        caching.deck_pages_changed()
    return len(changed)
