"""Staff see the cards learners buried or suspended, filter them by kind, find them by
learner or card, and release them in bulk; editors, who may edit the deck only, do not."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from quizzes.models import CardHold
from quizzes.services import card_holds
from tests.studyhelpers import review_count_shown

pytestmark = pytest.mark.django_db

HOLDS = reverse("admin:quizzes_cardhold_changelist")
T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def holds(deck, alice, bob):
    """alice suspended card 1 and buried card 2 today; bob buried card 3 yesterday (over)."""
    cards = {card.number: card for card in deck.cards.all()}
    card_holds.card_suspend(user=alice, card=cards[1], now=T0)
    card_holds.card_bury(user=alice, card=cards[2], now=T0)
    card_holds.card_bury(user=bob, card=cards[3], now=T0 - timedelta(days=1))
    return cards


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def listed(response) -> list[tuple[str, str, str]]:
    page = BeautifulSoup(response.text, "html.parser")
    return [
        (
            row.select_one(".field-card_in_list a").get_text(strip=True),
            row.select_one(".field-user").get_text(strip=True),
            row.select_one(".field-kind").get_text(strip=True),
        )
        for row in page.select("#result_list tbody tr")
    ]


def test_the_list_names_each_card_learner_and_kind(staff_client, holds):
    with time_machine.travel(T0, tick=False):
        rows = listed(staff_client.get(HOLDS))
    assert [(card, user) for card, user, _kind in rows] == [
        ("synthetic #2", "alice"),
        ("synthetic #1", "alice"),
        ("synthetic #3", "bob"),
    ]
    assert [kind.split(" ")[:2] for _card, _user, kind in rows] == [
        ["Buried", "until"],
        ["Suspended"],
        ["Bury", "over"],
    ]
    page = BeautifulSoup(staff_client.get(HOLDS).text, "html.parser")
    link = page.select_one(".field-card_in_list a")["href"]
    assert link == reverse("admin:quizzes_card_change", args=[holds[2].pk])


@pytest.mark.parametrize(
    ("kind", "cards"),
    [("suspended", ["synthetic #1"]), ("buried", ["synthetic #2"]), ("over", ["synthetic #3"])],
)
def test_it_filters_by_kind(staff_client, holds, kind, cards):
    with time_machine.travel(T0, tick=False):
        rows = listed(staff_client.get(HOLDS, {"kind": kind}))
    assert [card for card, _user, _kind in rows] == cards


@pytest.mark.parametrize(
    ("term", "cards"),
    [
        ("bob", ["synthetic #3"]),
        ("alice", ["synthetic #2", "synthetic #1"]),
        ("2", ["synthetic #2"]),
        ("tensor1", ["synthetic #1"]),
        ("nobody", []),
    ],
)
def test_it_finds_holds_by_learner_or_card(staff_client, holds, term, cards):
    rows = listed(staff_client.get(HOLDS, {"q": term}))
    assert [card for card, _user, _kind in rows] == cards


def test_release_in_bulk_brings_the_cards_back_into_the_learners_review(staff_client, holds, alice):
    learner = Client()
    learner.force_login(alice)
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(learner) == 10
        ids = list(CardHold.objects.filter(user=alice).values_list("pk", flat=True))
        response = staff_client.post(
            HOLDS, {"action": "release", "_selected_action": ids}, follow=True
        )
        assert "2 holds released: the cards are back in their learners&#x27; reviews." in (
            response.text
        )
        assert review_count_shown(learner) == 12  # counted afresh at once
    assert list(CardHold.objects.values_list("user__username", flat=True)) == ["bob"]


def test_deleting_one_hold_from_its_page_releases_it(staff_client, holds, alice):
    learner = Client()
    learner.force_login(alice)
    hold = CardHold.objects.get(card=holds[1])
    with time_machine.travel(T0, tick=False):
        assert review_count_shown(learner) == 10
        delete = reverse("admin:quizzes_cardhold_delete", args=[hold.pk])
        staff_client.post(delete, {"post": "yes"})
        assert review_count_shown(learner) == 11
    assert not CardHold.objects.filter(pk=hold.pk).exists()


def test_staff_may_neither_add_nor_edit_a_hold(staff_client, holds):
    hold = CardHold.objects.get(card=holds[1])
    assert staff_client.get(reverse("admin:quizzes_cardhold_add")).status_code == 403
    page = staff_client.get(reverse("admin:quizzes_cardhold_change", args=[hold.pk]))
    assert page.status_code == 200  # to look at
    assert "Save" not in page.text
    actions = BeautifulSoup(staff_client.get(HOLDS).text, "html.parser").select(
        "select[name=action] option"
    )
    assert [option["value"] for option in actions] == ["", "release"]


def test_an_editor_does_not_see_learners_holds(client, editor, holds):
    client.force_login(editor)
    assert client.get(HOLDS).status_code == 403
    assert "Card holds" not in client.get(reverse("admin:index")).text


def test_a_bad_filter_or_search_is_no_error(staff_client, holds):
    assert staff_client.get(HOLDS, {"kind": "nonsense"}).status_code == 200
    assert staff_client.get(HOLDS, {"q": "'unclosed"}).status_code == 200
    assert staff_client.get(HOLDS, {"q": "99999999999999999999999"}).status_code == 200
