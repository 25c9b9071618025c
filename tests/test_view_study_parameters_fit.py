"""POST /me/settings/fit/: a learner asks for FSRS parameters fitted to their own reviews."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from quizzes import scheduling
from quizzes.models import Card, LearnerSettings
from quizzes.services import reviews
from tests.studyhelpers import study

pytestmark = pytest.mark.django_db

URL = reverse("study_parameters_fit")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_too_few_reviews_says_how_many_it_takes_and_queues_nothing(
    client, alice, deck, queued_tasks
):
    study(alice, Card.objects.filter(deck=deck)[:3])
    client.force_login(alice)

    response = client.post(URL, follow=True)

    assert response.redirect_chain == [(reverse("study_settings"), 302)]
    assert messages_of(response) == [
        "Not yet. Fitting needs 64 reviews of a card on a later day than its review before. "
        "Of your 15 reviews, 12 count. Keep reviewing for a few weeks, then try again."
    ]
    assert not DBTaskResult.objects.exists()


def test_a_learner_with_one_review_or_none_is_told_in_plain_words(client, alice, deck):
    client.force_login(alice)
    response = client.post(URL, follow=True)
    assert messages_of(response) == [
        "Not yet. Fitting needs 64 reviews of a card on a later day than its review before. "
        "You have no reviews yet. Keep reviewing for a few weeks, then try again."
    ]
    reviews.review_record(
        user=alice, card=deck.cards.first(), rating=3, now=timezone.now(), elapsed_seconds=3
    )
    response = client.post(URL, follow=True)
    assert "Of your 1 review, 0 count." in messages_of(response)[0]


@pytest.mark.django_db(transaction=True)
def test_enough_reviews_are_fitted_by_the_worker_then_used(client, alice, make_deck, queued_tasks):
    study(alice, Card.objects.filter(deck=make_deck(40, slug="forty")))
    client.force_login(alice)

    response = client.post(URL, follow=True)

    assert messages_of(response)[0].startswith("Fitting your parameters to your 200 reviews")
    assert DBTaskResult.objects.count() == 1
    assert not LearnerSettings.objects.filter(user=alice, parameters_fitted_at__isnull=False)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    settings = LearnerSettings.objects.get(user=alice)
    assert settings.parameters_review_count == 200
    assert tuple(settings.fsrs_parameters) != scheduling.DEFAULT_PARAMETERS
    page = client.get(reverse("study_settings"))
    assert "Fitted to your 200 reviews" in page.text

    # Asked again with no new review: nothing to do.
    again = client.post(URL, follow=True)
    assert messages_of(again) == ["Your parameters are already fitted to all your reviews."]
    assert DBTaskResult.objects.count() == 1


def test_fit_pressed_again_before_the_worker_ran_queues_no_second_fit(
    client, alice, make_deck, queued_tasks
):
    # Each press queued a fit, seconds of the worker's CPU: a double click, or a script.
    study(alice, Card.objects.filter(deck=make_deck(40, slug="forty")))
    client.force_login(alice)
    client.post(URL, follow=True)

    again = client.post(URL, follow=True)

    assert messages_of(again) == [
        "Your parameters are being fitted already: reload this page in a moment to see them."
    ]
    assert DBTaskResult.objects.count() == 1


def test_only_a_signed_in_learner_and_only_by_post(client, alice):
    assert client.post(URL).status_code == 302  # to the login page
    client.force_login(alice)
    assert client.get(URL).status_code == 405
