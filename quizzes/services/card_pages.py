"""The page-ready forms every card stores: made once when the card is saved or imported, and
again when one of its images is cached or replaced, so no page parses card HTML.

`Card.question_rendered` / `answer_rendered` hold the sides with each <img> pointing at its
local copy (with its size) or turned into an "image not cached" placeholder. The answer as a
multiple choice offers it (`choice_html`, its text, kind and words), the card's topic words and
whether its question needs a missing image are stored beside them, for the quizzes.
"""

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from django.db import connection
from django.db.models import Prefetch, QuerySet

from quizzes import caching, wording
from quizzes.models import CachedImage, Card, CardImage, CardKeyword, Distractor, MediaFile
from quizzes.rendering import (
    PLACEHOLDER_CLASS,
    ChoiceContent,
    LocalImage,
    choice_content,
    image_text,
    page_ready,
    sound_names,
)
from quizzes.typed_answers import quiz_typed_answer

# What `quiz_fields` sets; with "keywords", whose index rows `keywords_insert` writes.
QUIZ_FIELDS = [
    "image_text",
    "choice_html",
    "choice_text",
    "choice_kind",
    "choice_words",
    "choice_stems",
    "choice_voice",
    "question_needs_missing_image",
    "quiz_typed_answer",
]
RENDERED_FIELDS = ["question_rendered", "answer_rendered", *QUIZ_FIELDS]


def local_image(image: CachedImage) -> LocalImage:
    if image.is_cached:
        return LocalImage(src=image.file.url, width=image.width, height=image.height)
    # A package's file that failed stays failed: its placeholder says why. A download that
    # failed may work another time.
    from_package = image.status == CachedImage.Status.FAILED and not urlsplit(image.url).scheme
    return LocalImage(src=None, problem=image.last_error if from_package else "")


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


def answer_choice(
    *,
    question_text: str,
    answer_html: str,
    answer_text: str,
    short_answer_html: str = "",
    images: Mapping[str, LocalImage] | None = None,
) -> ChoiceContent:
    """The answer as a multiple choice offers it: the editor's short answer if there is one,
    else the answer without the words that only repeat the question, and only its first
    sentences when it is long (wording.short_form_length)."""
    if short_answer_html:
        return choice_content(short_answer_html, images=images)
    drop = wording.echo_length(question_text, answer_text)
    whole = choice_content(answer_html, drop_words=drop, images=images)
    keep = wording.short_form_length(whole.text)
    if not keep:
        return whole
    return choice_content(answer_html, drop_words=drop, keep_words=keep, images=images)


def quiz_fields(card: Card, local: Mapping[str, LocalImage]) -> None:
    """What the quizzes need of `card`, from its text, HTML and page-ready question: its
    answer as a choice (none for a cloze card, whose answer is its question filled in),
    the kind of that answer, its topic words, and whether its question misses an image.
    For writers in bulk (imports) as for `card_render`. With the text of its images, which
    search finds it by."""
    card.image_text = image_text(card.question_html, card.answer_html)
    card.question_needs_missing_image = f'class="{PLACEHOLDER_CLASS}"' in card.question_rendered
    choice = ChoiceContent(html="", text="", code_share=0.0)
    if not card.is_cloze:
        choice = answer_choice(
            question_text=card.question_text,
            answer_html=card.answer_html,
            answer_text=card.answer_text,
            short_answer_html=card.short_answer_html,
            images=local,
        )
    card.choice_html, card.choice_text = choice.html, choice.text
    card.choice_kind = (
        wording.answer_kind(choice.text, code_share=choice.code_share) if choice.html else ""
    )
    card.choice_words, card.choice_stems = wording.choice_words(choice.text).stored()
    card.choice_voice = wording.reader_words(choice.text)
    card.keywords = " ".join(wording.keywords(card.question_text, card.answer_text))
    card.quiz_typed_answer = quiz_typed_answer(
        typed_answer=card.typed_answer, choice_text=card.choice_text, choice_kind=card.choice_kind
    )


def card_render(
    card: Card, images: dict[str, CachedImage], *, media: dict[str, str] | None = None
) -> None:
    """Fill `card`'s RENDERED_FIELDS (and its keywords) from its HTML, text and images."""
    local = {url: local_image(image) for url, image in images.items()}
    if media is None:
        media = media_for_html(card.question_html, card.answer_html)
    card.question_rendered, card.answer_rendered = page_ready(
        card.question_html, card.answer_html, local, media, cloze=card_cloze(card)
    )
    quiz_fields(card, local)


def keywords_insert(cards: Iterable[Card]) -> None:
    """Insert the CardKeyword rows of saved `cards`. Plain parameter rows, not model
    instances: an import writes about ten a card, and building an instance per row cost
    more than the database's own work."""
    rows = [
        (card.pk, card.deck_id, word, card.shuffle_key)
        for card in cards
        for word in dict.fromkeys(card.keyword_list)
    ]
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(CardKeyword._meta.db_table)
    columns = ", ".join(quote(name) for name in ("card_id", "deck_id", "word", "shuffle_key"))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)", rows)


def keywords_sync(card: Card) -> None:
    """Make the card's keyword rows match its `keywords`."""
    CardKeyword.objects.filter(card=card).delete()
    keywords_insert([card])


def distractor_render(distractor: Distractor) -> None:
    """A hand-written distractor as a choice shows it (its HTML is already sanitized)."""
    choice = choice_content(distractor.html)
    distractor.choice_html, distractor.text = choice.html, choice.text
    distractor.words, distractor.stems = wording.choice_words(choice.text).stored()


def cards_rerender(cards: QuerySet[Card]) -> int:
    """Render `cards` again from their stored HTML and image rows (after an image changed,
    or the media URL moved); returns how many changed."""
    rows = cards.only(
        "id",
        "question_html",
        "answer_html",
        "question_text",
        "answer_text",
        "short_answer_html",
        "keywords",
        "is_cloze",
        "card_ord",
        *RENDERED_FIELDS,
    ).prefetch_related(Prefetch("card_images", queryset=CardImage.objects.select_related("image")))
    rows = list(rows)
    media = media_for_html(*(card.question_html + card.answer_html for card in rows))
    changed = []
    for card in rows:
        before = [getattr(card, name) for name in RENDERED_FIELDS]
        images = {row.image.url: row.image for row in card.card_images.all()}
        card_render(card, images, media=media)
        if [getattr(card, name) for name in RENDERED_FIELDS] != before:
            changed.append(card)
    Card.objects.bulk_update(changed, RENDERED_FIELDS, batch_size=500)
    if changed:
        caching.deck_pages_changed()
    return len(changed)
