"""Builders for the study-loop tests: memories and review logs made in bulk, cards whose
question needs an image not cached, and the navigation's "Review (N)" as a learner sees it."""

import random
import re
from datetime import UTC, datetime, timedelta

from django.urls import reverse

from quizzes import scheduling
from quizzes.models import CachedImage, Card, CardImage, CardMemory, Deck, ReviewLog
from quizzes.services import reviews
from quizzes.services.card_pages import cards_rerender
from quizzes.services.images import image_store_upload, image_upload_verify
from tests.factories import image_bytes

STUDY_START = datetime(2025, 1, 6, 18, 0, tzinfo=UTC)


def remember(user, cards, *, now, due_in=timedelta(days=-1), stability=5.0, reviews=1):
    """Give `user` a Review-state memory of each card, due `due_in` from `now`, and
    `reviews` logged reviews of it over the past days (in a few bulk queries)."""
    cards = list(cards)
    CardMemory.objects.bulk_create(
        CardMemory(
            user=user,
            card=card,
            state=scheduling.MemoryState.REVIEW,
            stability=stability,
            difficulty=5.0,
            due=now + due_in,
            last_review=now - timedelta(days=stability),
            first_review=now - timedelta(days=30),
            reps=reviews,
        )
        for card in cards
    )
    ReviewLog.objects.bulk_create(
        ReviewLog(
            user=user,
            card=card,
            rating=scheduling.Grade.GOOD if n % 5 else scheduling.Grade.AGAIN,
            reviewed_at=now - timedelta(days=n + 1, minutes=index % 600),
            elapsed_seconds=8.0,
            source=ReviewLog.Source.REVIEW,
            state_before=scheduling.MemoryState.REVIEW if n else scheduling.MemoryState.NEW,
            memory_before=None,
            due_after=now + due_in,
            stability_after=stability,
        )
        for index, card in enumerate(cards)
        for n in range(reviews)
    )


def first_cards(deck, count):
    return Card.objects.filter(deck=deck).order_by("number")[:count]


def question_image_missing(card) -> CachedImage:
    """Give `card` a question whose image the site has not cached (as when it could not be
    fetched): its page-ready question shows a placeholder. Returns the image."""
    image = CachedImage.objects.create(url=f"https://aiquizzes.com/images/card{card.pk}.png")
    CardImage.objects.create(card=card, image=image, side="question", position=0)
    Card.objects.filter(pk=card.pk).update(question_html=f'<img src="{image.url}"> What is this?')
    cards_rerender(Card.objects.filter(pk=card.pk))
    return image


def image_cached(image: CachedImage) -> None:
    """Store a file for `image`, as a download or an upload would."""
    data = image_bytes("PNG", (8, 6))
    verified = image_upload_verify(data=data, declared_content_type="image/png")
    image_store_upload(image=image, data=data, verified=verified)


def study(user, cards, *, days=(0, 1, 3, 8, 20), seed=1):
    """Review each card on the given days, now and then forgetting it."""
    rng = random.Random(seed)
    for card in cards:
        for day in days:
            rating = 1 if rng.random() < 0.15 else 3
            reviews.review_record(
                user=user,
                card=card,
                rating=rating,
                now=STUDY_START + timedelta(days=day, minutes=card.number),
                elapsed_seconds=5,
            )


def review_count_shown(client) -> int:
    """The navigation's "Review (N)" on the home page `client` opens: a page kept for every
    learner, its navigation filled in per response (caching.public_page)."""
    match = re.search(r">Review \((\d+)\)<", client.get(reverse("home")).text)
    assert match, "no review count in the navigation"
    return int(match.group(1))


def one_note_of_three(user, deck, *, bury_siblings: bool) -> list[Card]:
    """The deck's cards #1-#3 made one Anki note (a card, its reversed card, a third), for a
    learner whose study day starts at 4 am UTC, with Anki's "Bury siblings" as given."""
    reviews.settings_update(
        user=user,
        desired_retention=0.9,
        new_cards_per_day=20,
        day_start_hour=4,
        time_zone="UTC",
        bury_siblings=bury_siblings,
    )
    note = list(Card.objects.filter(deck=deck).order_by("number")[:3])
    for card_ord, card in enumerate(note):
        card.guid, card.card_ord = "one-note", card_ord
    Card.objects.bulk_update(note, ["guid", "card_ord"])
    return note


def anki_decks(sizes: dict[str, int]) -> dict[str, Deck]:
    """Decks named as Anki's tree names them ("Medicine::Cardiology"), each of the given
    number of synthetic cards, by name; each slug is its name's parts joined by hyphens."""
    from django.utils.text import slugify

    from tests.factories import make_deck

    decks = {}
    for name, size in sizes.items():
        deck = make_deck(size, slug="-".join(slugify(part) for part in name.split("::")))
        deck.name = name
        deck.save()
        decks[name] = deck
    return decks


def synthetic_named(number: int, slug: str = "synthetic") -> str:
    """How a notice names card `number` of make_deck's deck `slug` (Card.named)."""
    return f"Card {number} of Synthetic {slug} (“Question {number} about tensor{number}?”)"


def forgotten_seven_times(user, card, *, before: datetime) -> None:
    """Met, then forgotten day after day up to a day before `before`: the next lapse (a
    review's, a quiz answer's or a timeout's) makes the card a leech."""
    for day in range(8):
        reviews.review_record(
            user=user,
            card=card,
            rating=1,
            now=before - timedelta(days=9 - day),
            elapsed_seconds=2,
        )
