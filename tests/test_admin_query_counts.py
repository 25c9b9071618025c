"""Every admin page a course's staff use runs as many queries for a deck of 40 cards as for
one of 4, with a row of everything per card (a learner's hold, a report, an image, a
memory, an answer): what grows with the deck is the rows a page reads, never its number
of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import (
    Attempt,
    CachedImage,
    CardHold,
    CardImage,
    DeletedCard,
    ExportJob,
    ProblemReport,
    Tag,
)
from tests.editing_helpers import record_answer
from tests.studyhelpers import remember

pytestmark = pytest.mark.django_db


def populated(make_deck, django_user_model, size):
    """A deck of `size` cards, each held, reported, pictured, remembered and answered by a
    learner of its own."""
    deck = make_deck(size, slug=f"deck{size}", tags=("training", "tensors"))
    now = timezone.now()
    for card in deck.cards.all():
        learner = django_user_model.objects.create_user(f"{deck.slug}-learner{card.number}")
        CardHold.objects.create(
            user=learner, card=card, suspended=True, last_action="suspend", held_at=now
        )
        ProblemReport.objects.create(card=card, reporter=learner, kind="other", message="?")
        ProblemReport.objects.create(card=card, reporter=learner, kind="other", resolved_at=now)
        image = CachedImage.objects.create(
            url=f"https://aiquizzes.com/{deck.slug}/{card.number}.png"
        )
        CardImage.objects.create(card=card, image=image, side="question", position=0)
        remember(learner, [card], now=now, due_in=timedelta(days=1))
        record_answer(card, "correct", seconds=2)
        DeletedCard.objects.create(
            deck=deck, card_ord=0, note_checksum=f"{card.number:032d}", number=card.number + 1000
        )
    for kind in ("apkg", "txt"):
        ExportJob.objects.create(deck=deck, kind=kind, total=size)
    return deck


PAGES = {
    "cards": lambda deck: reverse("admin:quizzes_card_changelist"),
    "cards with counts": lambda deck: reverse("admin:quizzes_card_changelist") + "?_facets=1",
    "a card": lambda deck: reverse("admin:quizzes_card_change", args=[deck.cards.last().pk]),
    "decks": lambda deck: reverse("admin:quizzes_deck_changelist"),
    "a deck": lambda deck: reverse("admin:quizzes_deck_change", args=[deck.pk]),
    "a deck's deletion": lambda deck: reverse("admin:quizzes_deck_delete", args=[deck.pk]),
    "tags": lambda deck: reverse("admin:quizzes_tag_changelist"),
    "a tag": lambda deck: reverse("admin:quizzes_tag_change", args=[Tag.objects.last().pk]),
    "images": lambda deck: reverse("admin:quizzes_cachedimage_changelist"),
    "holds": lambda deck: reverse("admin:quizzes_cardhold_changelist"),
    "holds with counts": lambda deck: reverse("admin:quizzes_cardhold_changelist") + "?_facets=1",
    "reports": lambda deck: reverse("admin:quizzes_problemreport_changelist"),
    "all reports": lambda deck: reverse("admin:quizzes_problemreport_changelist") + "?resolved=all",
    "export jobs": lambda deck: reverse("admin:quizzes_exportjob_changelist"),
    "a deck's text export": lambda deck: reverse(
        "admin:quizzes_deck_export_job", args=[deck.exports.get(kind="txt").pk]
    ),
    "deleted cards": lambda deck: reverse("admin:quizzes_deletedcard_changelist"),
    "users": lambda deck: reverse("admin:auth_user_changelist"),
    "a learner": lambda deck: reverse(
        "admin:auth_user_change", args=[deck.cards.last().holds.get().user_id]
    ),
}


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("admin_page", PAGES)
def test_a_page_runs_as_many_queries_for_a_big_deck_as_for_a_small_one(
    client, admin_user, make_deck, django_user_model, admin_page
):
    client.force_login(admin_user)
    small = populated(make_deck, django_user_model, 4)
    queries_of(client, PAGES[admin_page](small))  # the session and the user, read once
    counted_small = queries_of(client, PAGES[admin_page](small))
    # One deck at a time: a second would add the deck filter's query.
    Attempt.objects.all().delete()
    small.delete()
    big = populated(make_deck, django_user_model, 40)
    # The card list rolls up the answers new since its last load once (a few statements
    # however many: card_statistics_roll_up), then counts as the small deck's did.
    queries_of(client, PAGES[admin_page](big))

    assert queries_of(client, PAGES[admin_page](big)) == counted_small
