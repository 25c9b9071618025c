"""Every admin page loads and saves for staff; who may reach which page."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from quizzes.models import (
    Attempt,
    AttemptQuestion,
    CachedImage,
    Card,
    CardHold,
    CardImage,
    Deck,
    DeletedCard,
    ProblemReport,
    Tag,
)
from tests.concurrency import postgresql_only
from tests.editing_helpers import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(make_deck, alice):
    deck = make_deck(3, tags=("training",))
    card = deck.cards.get(number=2)
    image = CachedImage.objects.create(url="https://aiquizzes.com/gcp_images/a.png")
    card.question_html += '<img src="https://aiquizzes.com/gcp_images/a.png">'
    card.save()
    CardImage.objects.create(card=card, image=image, side="question", position=0)
    attempt = Attempt.objects.create(
        user=alice,
        deck=deck,
        mode=Attempt.Mode.MULTIPLE_CHOICE,
        question_count=1,
        time_limit_kind=Attempt.TimeLimitKind.NONE,
        seed=1234,
        started_at=timezone.now(),
    )
    AttemptQuestion.objects.create(
        attempt=attempt,
        position=1,
        card=card,
        outcome="correct",
        elapsed=timedelta(seconds=3),
    )
    return {
        Deck: deck,
        Card: card,
        Tag: Tag.objects.get(),
        CachedImage: image,
        ProblemReport: ProblemReport.objects.create(card=card, reporter=alice, kind="unclear"),
        Attempt: attempt,
    }


EDITABLE = [Deck, Card, Tag, CachedImage]
ALL_MODELS = [*EDITABLE, ProblemReport, Attempt]


def admin_url(model, view, *args):
    return reverse(f"admin:quizzes_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_each_changelist_and_change_page_loads_for_staff(client, staff, rows, model):
    client.force_login(staff)

    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(admin_url(model, "change", rows[model].pk)).status_code == 200


@pytest.mark.parametrize(
    "model", [ProblemReport, Attempt, CardHold, DeletedCard], ids=lambda model: model.__name__
)
def test_each_deck_filter_names_decks_of_one_name_apart(client, staff, rows, model):
    # "Biology" and "biology" read the same, and staff could not tell which they filtered by.
    Deck.objects.filter(pk=rows[Deck].pk).update(name="Biology", slug="bio-a")
    Deck.objects.create(name="biology", slug="bio-b")
    client.force_login(staff)

    page = BeautifulSoup(client.get(admin_url(model, "changelist")).text, "html.parser")

    by_deck = page.select('details[data-filter-title="deck"] li a')
    assert [link.get_text() for link in by_deck] == ["All", "Biology (bio-a)", "biology (bio-b)"]


@pytest.mark.parametrize("model", EDITABLE, ids=lambda model: model.__name__)
def test_each_add_page_loads_for_staff(client, staff, rows, model):
    client.force_login(staff)

    assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", [*EDITABLE, ProblemReport], ids=lambda model: model.__name__)
def test_each_change_page_saves_unchanged_for_staff(client, staff, rows, model):
    client.force_login(staff)
    url = admin_url(model, "change", rows[model].pk)

    response = client.post(url, admin_form_data(client.get(url)))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert response.url == admin_url(model, "changelist")


def test_the_index_lists_every_model(client, staff, rows):
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    for name in ("Decks", "Cards", "Tags", "Cached images", "Problem reports", "Attempts"):
        assert name in response.text


def test_a_deck_is_added_through_the_admin(client, staff, db):
    client.force_login(staff)

    response = client.post(admin_url(Deck, "add"), {"name": "Vision", "slug": "vision"})

    assert response.status_code == 302
    assert Deck.objects.filter(slug="vision").exists()


def test_a_tag_is_added_through_the_admin(client, staff, db):
    client.force_login(staff)

    client.post(admin_url(Tag, "add"), {"name": "vision", "slug": "vision"})

    assert Tag.objects.filter(slug="vision").exists()


def test_a_tag_with_a_space_is_refused_since_anki_could_not_export_it(client, staff, db):
    client.force_login(staff)

    response = client.post(admin_url(Tag, "add"), {"name": "deep learning", "slug": "dl"})

    assert response.status_code == 200
    assert "one word" in response.text
    assert not Tag.objects.exists()


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_a_learner_is_sent_to_the_login_page(client, alice, rows, model):
    client.force_login(alice)

    response = client.get(admin_url(model, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_guest_is_sent_to_the_login_page(client, db):
    response = client.get(admin_url(Card, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", EDITABLE, ids=lambda model: model.__name__)
def test_an_editor_can_change_the_deck_and_its_images(client, editor, rows, model):
    client.force_login(editor)
    url = admin_url(model, "change", rows[model].pk)

    response = client.post(url, admin_form_data(client.get(url)))

    assert response.status_code == 302


def test_an_editor_can_change_a_card(client, editor, rows):
    client.force_login(editor)
    card = rows[Card]
    url = admin_url(Card, "change", card.pk)

    client.post(url, admin_form_data(client.get(url), answer_html="<p>Edited.</p>"))

    card.refresh_from_db()
    assert card.answer_html == "<p>Edited.</p>"
    assert card.answer_text == "Edited."


def test_an_editor_can_resolve_reports(client, editor, rows):
    client.force_login(editor)
    report = rows[ProblemReport]

    client.post(
        admin_url(ProblemReport, "changelist"),
        {"action": "mark_resolved", "_selected_action": [report.pk]},
    )

    report.refresh_from_db()
    assert report.resolved_at is not None


@pytest.mark.parametrize("view", ["changelist", "change"])
def test_an_editor_cannot_see_quiz_attempts(client, editor, rows, view):
    client.force_login(editor)
    args = [rows[Attempt].pk] if view == "change" else []

    response = client.get(admin_url(Attempt, view, *args))

    assert response.status_code == 403


def test_an_editor_cannot_reach_the_users(client, editor, alice):
    client.force_login(editor)

    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_change", args=[alice.pk])).status_code == 403


def test_an_editor_cannot_delete_a_card(client, editor, rows):
    client.force_login(editor)

    response = client.post(admin_url(Card, "delete", rows[Card].pk), {"post": "yes"})

    assert response.status_code == 403
    assert Card.objects.filter(pk=rows[Card].pk).exists()


def test_nobody_edits_an_attempt_not_even_a_superuser(client, staff, rows):
    client.force_login(staff)
    attempt = rows[Attempt]

    page = client.get(admin_url(Attempt, "change", attempt.pk))
    client.post(admin_url(Attempt, "change", attempt.pk), {"score": 999})
    delete = client.post(admin_url(Attempt, "delete", attempt.pk), {"post": "yes"})

    assert 'name="score"' not in page.text
    assert "Save" not in page.text
    assert delete.status_code == 403
    attempt.refresh_from_db()
    assert attempt.score == 0
    assert client.get(admin_url(Attempt, "add")).status_code == 403


def test_the_attempt_page_hides_the_seed(client, staff, rows):
    client.force_login(staff)

    response = client.get(admin_url(Attempt, "change", rows[Attempt].pk))

    assert "1234" not in response.text


def test_a_card_edit_is_kept_in_the_admin_history(client, staff, rows):
    client.force_login(staff)
    card = rows[Card]
    url = admin_url(Card, "change", card.pk)
    client.post(url, admin_form_data(client.get(url), answer_html="<p>Edited.</p>"))

    history = client.get(admin_url(Card, "history", card.pk))

    assert "Changed Answer html" in history.text
    assert User.objects.get(username="staff").logentry_set.count() == 1


@pytest.mark.parametrize("selected", ["abc", "99999999999999999999", "1\x00"])
def test_an_action_on_ids_that_are_not_ids_is_refused_with_a_400(client, staff, rows, selected):
    client.force_login(staff)
    cards = Card.objects.count()

    response = client.post(
        reverse("admin:quizzes_card_changelist"),
        {"action": "delete_selected", "_selected_action": [selected]},
    )

    assert response.status_code == 400
    assert "is not the id of a card" in response.text
    assert Card.objects.count() == cards


def test_an_action_on_real_ids_still_runs(client, staff, rows):
    client.force_login(staff)
    card = Card.objects.first()
    response = client.post(
        reverse("admin:quizzes_card_changelist"),
        {"action": "delete_selected", "_selected_action": [str(card.pk)]},
    )
    assert response.status_code == 200
    assert "Delete multiple objects" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "started_at__year=99999999999999999999",
        "started_at__year=9999",  # the admin works out the year after: a 500
        "started_at__year=2025&started_at__month=13",
        "started_at__year=2025&started_at__month=1&started_at__day=x",
    ],
)
def test_a_date_filter_no_date_has_is_refused_with_a_400(client, staff, rows, query):
    client.force_login(staff)
    response = client.get(reverse("admin:quizzes_attempt_changelist") + "?" + query)
    assert response.status_code == 400
    assert "a date can have" in response.text


def test_a_date_filter_a_date_has_still_filters(client, staff, rows):
    client.force_login(staff)
    year = Attempt.objects.first().started_at.year
    url = reverse("admin:quizzes_attempt_changelist")
    assert client.get(f"{url}?started_at__year={year}").status_code == 200


def test_a_nul_in_a_filter_is_refused_with_a_400(client, staff, rows):
    # PostgreSQL cannot take a NUL in a text value: it was a 500 there.
    client.force_login(staff)
    response = client.get(reverse("admin:quizzes_attempt_changelist") + "?mode__exact=%00")
    assert response.status_code == 400
    assert "holds a NUL character" in response.text


@pytest.mark.parametrize(
    "query",
    ["id__in=9223372036854775808", "deck__id__in=1,-9223372036854775809", "id__in=" + "9" * 5000],
)
def test_a_filter_of_numbers_past_64_bits_is_refused_with_a_400(client, staff, deck, query):
    # SQLite cannot take such a number among several (Django checks a single one): a 500.
    client.force_login(staff)
    url = reverse("admin:quizzes_card_changelist")

    response = client.get(f"{url}?{query}")

    assert response.status_code == 400
    assert "holds a number no id or count can be" in response.text
    assert client.get(f"{url}?id__in=1,2&deck__id__in={deck.pk}").status_code == 200


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("name__range=a,b", "is a range, which the list cannot read"),
        ("name__regex=[", "is not a regular expression"),
        # Python's own, which PostgreSQL's regular expressions refuse.
        pytest.param(
            "name__iregex=(?P<name>S)", "is not a regular expression", marks=postgresql_only
        ),
        ("created_at__iso_year=9223372036854775808", "is not a iso_year a date can have"),
    ],
)
def test_a_filter_the_list_cannot_read_is_refused_with_a_400(client, staff, deck, query, said):
    # Each was a 500: a range read as one of the value's characters, Python's regular
    # expression refusing the pattern inside SQLite, a year past any date's.
    client.force_login(staff)
    url = reverse("admin:quizzes_deck_changelist")

    response = client.get(f"{url}?{query}")

    assert response.status_code == 400
    assert said in response.text
    assert client.get(f"{url}?name__regex=^S&created_at__iso_year=2025").status_code == 200


def test_a_visitor_is_sent_to_log_in_whatever_the_change_list_request(client, db):
    url = reverse("admin:quizzes_attempt_changelist")
    for response in (
        client.get(url + "?started_at__year=0"),
        client.post(url, {"action": "delete_selected", "_selected_action": ["x"]}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_select_boxs_search_for_a_nul_finds_nothing(client, staff, deck):
    # PostgreSQL refuses a NUL in a query: a 500 there.
    client.force_login(staff)
    url = reverse("admin:autocomplete")
    asked = {"app_label": "quizzes", "model_name": "card", "field_name": "deck"}

    nul = client.get(url, {**asked, "term": "syn\x00"})
    found = client.get(url, {**asked, "term": "syn"})

    assert (nul.status_code, nul.json()) == (200, {"results": [], "pagination": {"more": False}})
    assert [row["id"] for row in found.json()["results"]] == [str(deck.pk)]
