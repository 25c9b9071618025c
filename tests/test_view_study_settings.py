import pytest
from django.urls import reverse

from quizzes.models import LearnerSettings

pytestmark = pytest.mark.django_db

URL = reverse("study_settings")
GOOD = {
    "desired_retention": "85",
    "new_cards_per_day": "10",
    "day_start_hour": "3",
    "time_zone": "Europe/Berlin",
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
    assert "Your study settings are saved." in client.get(URL).text


def test_it_saves_learning_steps_written_as_in_anki(client, alice):
    client.force_login(alice)
    response = client.post(URL, {**GOOD, "learning_steps": "1m 10m", "relearning_steps": "15"})
    assert response.status_code == 302
    saved = LearnerSettings.objects.get(user=alice)
    assert (saved.learning_steps, saved.relearning_steps) == ([60, 600], [900])
    form = client.get(URL).context["form"]
    assert (form["learning_steps"].value(), form["relearning_steps"].value()) == ("1m 10m", "15m")


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
        ("day_start_hour", "24"),
        ("time_zone", "Mars/Olympus"),
        ("time_zone", ""),
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
