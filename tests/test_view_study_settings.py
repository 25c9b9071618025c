from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django import forms
from django.urls import reverse
from django.utils import timezone

from quizzes.forms import LongSelect
from quizzes.models import CardMemory, LearnerSettings, ReviewLog
from quizzes.services import fsrs_fitting, reviews
from tests.studyhelpers import first_cards, review_count_shown

pytestmark = pytest.mark.django_db

URL = reverse("study_settings")
T0 = "2025-03-05 12:00:00Z"
GOOD = {
    "desired_retention": "85",
    "new_cards_per_day": "10",
    "max_reviews_per_day": "150",
    "maximum_interval": "36500",
    "day_start_hour": "3",
    "time_zone": "Europe/Berlin",
    "new_review_order": "after",
}


def test_it_shows_the_defaults(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["desired_retention"].value() == 90
    assert form["new_cards_per_day"].value() == 20
    assert form["day_start_hour"].value() == 4
    assert form["time_zone"].value() == "UTC"
    assert form["learning_steps"].value() == form["relearning_steps"].value() == ""
    assert "FSRS's default parameters" in response.text
    assert not LearnerSettings.objects.exists()  # reading does not write


def test_its_selects_render_no_template_an_option(client, alice):
    """Two templates an option (the option's, its attributes'): 1,263 for the page, its
    600 time zones, most of the page's time. A few per field."""
    client.force_login(alice)
    response = client.get(URL)
    page = BeautifulSoup(response.text, "html.parser")
    assert len(page.select("#id_time_zone option")) > 400
    assert page.select_one("#id_time_zone option[selected]")["value"] == "UTC"
    assert page.select_one("#id_day_start_hour option[selected]").get_text() == "04:00"
    assert len(response.templates) < 40  # 12 fields


@pytest.mark.parametrize("value", ["Europe/Berlin", None])
def test_a_long_select_is_written_as_django_writes_a_select(value):
    """The same HTML, attributes true, false and quoted, optgroups and escaping included."""
    choices = [
        ("", "—"),
        ("Europe", [("Europe/Berlin", "Berlin"), ("Europe/Paris", "Paris <&>")]),
        ('"quoted"', "Quoted 'one'"),
    ]
    attrs = {"autofocus": True, "disabled": False, "aria-invalid": "true", "id": "id_zone"}

    def written(widget_class):
        return widget_class(choices=choices).render("zone", value, attrs=attrs)

    assert written(LongSelect) == written(forms.Select)
    assert "selected>Berlin</option>" in written(LongSelect) or value is None


def test_it_saves_the_settings(client, alice):
    client.force_login(alice)
    response = client.post(URL, GOOD)
    assert response.status_code == 302
    saved = LearnerSettings.objects.get(user=alice)
    assert saved.desired_retention == pytest.approx(0.85)
    assert (saved.new_cards_per_day, saved.day_start_hour, saved.time_zone) == (
        10,
        3,
        "Europe/Berlin",
    )
    assert saved.max_reviews_per_day == 150
    assert "Your study settings are saved." in client.get(URL).text


def test_it_saves_a_maximum_interval_that_the_next_answer_keeps_to(client, alice, deck):
    """Anki's "Maximum interval": Easy on a new card gives days of FSRS's own; at most 3."""
    card = first_cards(deck, 1)[0]
    client.force_login(alice)
    assert client.get(URL).context["form"]["maximum_interval"].value() == 36500
    assert client.post(URL, {**GOOD, "maximum_interval": "3"}).status_code == 302
    with time_machine.travel(T0, tick=False):
        now = timezone.now()
        due = reviews.review_record(user=alice, card=card, rating=4, now=now, elapsed_seconds=4)
    assert reviews.learner_settings(user=alice).maximum_interval == 3
    assert due - now <= timedelta(days=3)


def test_it_saves_learning_steps_written_as_in_anki(client, alice):
    client.force_login(alice)
    response = client.post(URL, {**GOOD, "learning_steps": "1m 10m", "relearning_steps": "15"})
    assert response.status_code == 302
    saved = LearnerSettings.objects.get(user=alice)
    assert (saved.learning_steps, saved.relearning_steps) == ([60, 600], [900])
    form = client.get(URL).context["form"]
    assert (form["learning_steps"].value(), form["relearning_steps"].value()) == ("1m 10m", "15m")


def test_it_saves_bury_siblings_a_checkbox_left_off_by_default(client, alice):
    client.force_login(alice)
    assert client.get(URL).context["form"]["bury_siblings"].value() is False
    client.post(URL, {**GOOD, "bury_siblings": "on"})
    assert LearnerSettings.objects.get(user=alice).bury_siblings is True
    client.post(URL, GOOD)  # an unticked box is not sent
    assert LearnerSettings.objects.get(user=alice).bury_siblings is False


def test_it_saves_where_new_cards_go_among_the_reviews(client, alice):
    """Anki's "New/review order", after the reviews by default."""
    client.force_login(alice)
    page = BeautifulSoup(client.get(URL).text, "html.parser")
    options = page.select("#id_new_review_order option")
    assert [option.get_text() for option in options] == [
        "Mixed with reviews",
        "After reviews",
        "Before reviews",
    ]
    assert page.select_one("#id_new_review_order option[selected]")["value"] == "after"
    assert client.post(URL, {**GOOD, "new_review_order": "mix"}).status_code == 302
    assert reviews.learner_settings(user=alice).new_review_order == "mix"


def test_it_saves_easy_days_each_weekday_labelled_within_their_group(client, alice):
    """Anki's "Easy days", every day Normal by default: seven choices in a fieldset named
    "Easy days", each labelled with its weekday and described by the group's hint."""
    client.force_login(alice)
    page = BeautifulSoup(client.get(URL).text, "html.parser")
    group = page.select_one("fieldset.easy-days")
    assert group.legend.get_text() == "Easy days"
    assert page.find(id=group["aria-describedby"]).get_text().startswith("How much of the")
    selects = group.select("select")
    assert [page.select_one(f"label[for={s['id']}]").get_text() for s in selects] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert {s.select_one("option[selected]")["value"] for s in selects} == {"normal"}
    assert [o.get_text() for o in selects[0].select("option")] == ["Normal", "Reduced", "Minimum"]
    days = {"easy_saturday": "reduced", "easy_sunday": "minimum"}
    assert client.post(URL, {**GOOD, **days}).status_code == 302
    saved = reviews.learner_settings(user=alice)
    assert saved.easy_days == ["normal"] * 5 + ["reduced", "minimum"]
    assert client.get(URL).context["form"]["easy_sunday"].value() == "minimum"
    client.post(URL, GOOD)  # a page from before easy days were asked keeps them
    assert reviews.learner_settings(user=alice).easy_days == saved.easy_days


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learning_steps", "1d"),
        ("learning_steps", "10 minutes"),
        ("relearning_steps", "13h"),
        ("relearning_steps", "x" * 101),
        ("desired_retention", "69"),
        ("desired_retention", "98"),
        ("desired_retention", "0.9"),
        ("desired_retention", "ninety"),
        ("new_cards_per_day", "-1"),
        ("new_cards_per_day", "1001"),
        ("new_cards_per_day", str(2**70)),
        ("max_reviews_per_day", "-1"),
        ("max_reviews_per_day", "10000"),
        ("max_reviews_per_day", ""),
        ("maximum_interval", "0"),
        ("maximum_interval", "36501"),
        ("maximum_interval", ""),
        ("day_start_hour", "24"),
        ("time_zone", "Mars/Olympus"),
        ("time_zone", "localtime"),  # the server's own zone
        ("time_zone", "Factory"),
        ("time_zone", ""),
        ("new_review_order", "sideways"),
        ("new_review_order", ""),
        ("easy_sunday", "off"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_saved(client, alice, field, value):
    client.force_login(alice)
    response = client.post(URL, {**GOOD, field: value})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not LearnerSettings.objects.exists()


def test_a_guest_is_sent_to_log_in(client):
    assert client.get(URL).status_code == 302
    assert client.post(URL, GOOD).status_code == 302
    assert not LearnerSettings.objects.exists()


def test_it_rejects_other_methods(client, alice):
    client.force_login(alice)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_each_learner_changes_only_their_own(client, alice, bob):
    client.force_login(alice)
    client.post(URL, GOOD)
    client.force_login(bob)
    assert client.get(URL).context["form"]["desired_retention"].value() == 90


def test_the_navigation_counts_with_the_new_daily_allowance_at_once(client, alice, deck):
    client.force_login(alice)
    assert review_count_shown(client) == 12
    client.post(URL, GOOD)  # 10 new cards a day
    assert review_count_shown(client) == 10


def test_the_navigation_counts_from_the_new_start_of_the_day_at_once(client, alice, deck):
    """Three new cards a day, met at 11:00 UTC; at 12:30 a study day starting at noon has
    room for three more."""
    client.force_login(alice)
    settings = {**GOOD, "new_cards_per_day": "3", "day_start_hour": "4", "time_zone": "UTC"}
    with time_machine.travel("2025-03-05 11:00:00Z", tick=False):
        client.post(URL, settings)
        for card in first_cards(deck, 3):
            reviews.review_record(
                user=alice, card=card, rating=3, now=timezone.now(), elapsed_seconds=3
            )
    with time_machine.travel("2025-03-05 12:30:00Z", tick=False):
        assert review_count_shown(client) == 0
        client.post(URL, {**settings, "day_start_hour": "12"})
        assert review_count_shown(client) == 3


def test_a_stored_time_zone_that_cannot_be_loaded_studies_on_utc(client, alice, deck):
    """A zone the tz database no longer has (or a row written by hand) breaks no page: the
    learner studies on UTC's clock and the settings page offers to choose again."""
    LearnerSettings.objects.create(user=alice, time_zone="Mars/Olympus_Mons")
    assert reviews.learner_settings(user=alice).time_zone == "UTC"
    client.force_login(alice)
    for name in ("review", "study_settings", "study_progress", "home"):
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(URL).context["form"]["time_zone"].value() == "UTC"
    assert reviews.new_cards_extend(user=alice, now=timezone.now(), count=5) == 5


def model_said(client) -> str:
    page = BeautifulSoup(client.get(URL).text, "html.parser")
    return " ".join(page.select_one("[aria-labelledby=parameters-title]").get_text().split())


@pytest.mark.parametrize(
    ("fitted", "kept", "said"),
    [
        ([0.5] * 21, False, "Fitted to your 300 reviews on 3 Mar 2025."),
        ([0.5] * 21, True, "the parameters fitted before predicted them as well as any"),
        ([], True, "FSRS's default parameters predicted them as well as any the fit found"),
    ],
)
def test_it_says_how_well_the_model_predicts_the_reviews(client, alice, fitted, kept, said):
    """Anki's Evaluate, from the last fit: and whether that fit kept what was in use."""
    LearnerSettings.objects.create(
        user=alice,
        fsrs_parameters=fitted,
        parameters_fitted_at=datetime(2025, 3, 3, 12, tzinfo=UTC),
        parameters_review_count=300,
        parameters_log_loss=0.31234,
        parameters_rmse=0.0391,
        parameters_kept=kept,
    )
    client.force_login(alice)
    text = model_said(client)
    assert said in text
    assert "log loss 0.3123, RMSE 3.9%." in text


def test_before_any_fit_it_says_no_evaluation(client, alice):
    client.force_login(alice)
    assert "log loss" not in model_said(client)


def learned(user, cards, *, now) -> dict[int, datetime]:
    """Each card answered Good when new, then again Good on its due day: review cards, as
    they stand at the end; returns their due dates."""
    for card in cards:
        reviews.review_record(user=user, card=card, rating=3, now=now, elapsed_seconds=4)
        due = reviews.memory_state(user=user, card=card, now=now).due
        reviews.review_record(user=user, card=card, rating=3, now=due, elapsed_seconds=4)
    return dict(CardMemory.objects.filter(user=user).values_list("card_id", "due"))


def test_a_new_desired_retention_reschedules_the_review_cards_when_asked(client, alice, deck):
    """Anki's "Reschedule cards on change": 85% instead of 90% gives longer intervals, from
    each card's last review; a suspended card keeps its date, and saving again with the
    same retention moves nothing."""
    cards = list(first_cards(deck, 4))
    client.force_login(alice)
    assert client.get(URL).context["form"]["reschedule_on_change"].value() is False
    with time_machine.travel(T0, tick=False) as traveller:
        due_before = learned(alice, cards, now=timezone.now())
        traveller.move_to(max(due_before.values()))
        client.post(reverse("review_suspend"), {"card": cards[0].pk})
        response = client.post(URL, {**GOOD, "reschedule_on_change": "on"}, follow=True)
        due_after = dict(CardMemory.objects.filter(user=alice).values_list("card_id", "due"))
        again = client.post(URL, {**GOOD, "reschedule_on_change": "on"}, follow=True)
    assert "3 review cards rescheduled for your new settings." in response.text
    assert due_after[cards[0].pk] == due_before[cards[0].pk]
    assert all(due_after[card.pk] > due_before[card.pk] for card in cards[1:])
    assert reviews.learner_settings(user=alice).reschedule_on_change is True
    assert "rescheduled" not in again.text
    assert dict(CardMemory.objects.filter(user=alice).values_list("card_id", "due")) == due_after


def test_each_card_rescheduled_is_logged_as_ankis_rescheduled_entry_and_no_answer(
    client, alice, deck
):
    """Anki logs a "Rescheduled" entry (ease 0) for each card it moves: the card's history
    lists it, and it counts as no answer: not in "Studied N cards", nor read by a fit of
    the parameters, and it ends the undo of the grade before it, as a later answer does."""
    cards = list(first_cards(deck, 2))
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        due_before = learned(alice, cards, now=timezone.now())
        traveller.move_to(max(due_before.values()))
        now = timezone.now()
        studied = reviews.studied_since(user=alice, start=now - timedelta(days=1)).cards
        client.post(URL, {**GOOD, "reschedule_on_change": "on"})
        page = client.get(reverse("card_study", args=[deck.slug, cards[1].number]))
    logs = ReviewLog.objects.filter(user=alice, source=ReviewLog.Source.RESCHEDULED)
    assert sorted(logs.values_list("card_id", flat=True)) == [card.pk for card in cards]
    for log in logs:
        memory = CardMemory.objects.get(user=alice, card=log.card_id)
        assert (log.rating, log.reviewed_at, log.due_after) == (0, now, memory.due)
        assert log.memory_before["due"] == due_before[log.card_id].isoformat()
    history = BeautifulSoup(page.text, "html.parser").select("table tbody tr")
    assert history[0].select("td")[1].get_text(strip=True) == "Rescheduled"
    assert reviews.studied_since(user=alice, start=now - timedelta(days=1)).cards == studied
    assert 0 not in [rating for _card, _at, rating in fsrs_fitting._review_rows(alice)]
    assert reviews.undoable_review(user=alice, since=now - timedelta(days=1)) is None


def test_new_easy_days_reschedule_the_review_cards_when_asked(client, alice, deck):
    """Anki reschedules on a change of easy days too, with "Reschedule cards on change": a
    card due on a day made Minimum moves to another day of its range."""
    cards = list(first_cards(deck, 2))
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        due_before = learned(alice, cards, now=timezone.now())
        traveller.move_to(max(due_before.values()))
        client.post(URL, {**GOOD, "reschedule_on_change": "on"})
        due = CardMemory.objects.get(user=alice, card=cards[1]).due
        minimum = f"easy_{due.strftime('%A').lower()}"  # the day it is due on (Berlin's)
        response = client.post(
            URL, {**GOOD, "reschedule_on_change": "on", minimum: "minimum"}, follow=True
        )
    assert "rescheduled for your new settings." in response.text
    moved = CardMemory.objects.get(user=alice, card=cards[1]).due
    assert moved.weekday() != due.weekday()
    latest = ReviewLog.objects.filter(card=cards[1]).latest("reviewed_at", "pk")
    assert (latest.source, latest.memory_before["due"]) == ("rescheduled", due.isoformat())


def test_a_new_desired_retention_leaves_the_due_dates_unless_asked(client, alice, deck):
    """Anki's default: the new retention shows as each card is next answered."""
    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        due_before = learned(alice, first_cards(deck, 2), now=timezone.now())
        response = client.post(URL, GOOD, follow=True)
    assert "rescheduled" not in response.text
    assert dict(CardMemory.objects.filter(user=alice).values_list("card_id", "due")) == due_before
