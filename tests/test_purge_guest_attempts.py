"""`manage.py purge_guest_attempts`: guests' quizzes left unfinished past a guest session's
life go, with their questions; learners' quizzes, finished guest quizzes (challenge links)
and recent unfinished ones stay."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from quizzes.models import Attempt, AttemptQuestion, PendingEmail
from quizzes.services.accounts import email_confirmation_ask
from tests.quizplay import finish, start

pytestmark = pytest.mark.django_db

T0 = "2026-11-01 12:00:00+00:00"


def test_only_guests_quizzes_abandoned_before_the_session_age_are_deleted(
    alice, deck, settings, monkeypatch
):
    settings.SESSION_COOKIE_AGE = 14 * 86400
    monkeypatch.setattr("quizzes.services.housekeeping._BATCH", 2)  # two batches
    with time_machine.travel(T0, tick=False) as traveller:
        abandoned = [start(None, deck, count=3) for _ in range(3)]
        finished_by_guest = finish(start(None, deck, count=2))
        learners = start(alice, deck, count=2)
        traveller.shift(timedelta(days=10))
        recent = start(None, deck, count=2)
        traveller.shift(timedelta(days=5))  # 15 days after the first ones

        output = call_command("purge_guest_attempts")

    assert "Deleted 3 unfinished guest quizzes" in output
    assert set(Attempt.objects.values_list("pk", flat=True)) == {
        finished_by_guest.pk,
        learners.pk,
        recent.pk,
    }
    assert not AttemptQuestion.objects.filter(attempt__in=[a.pk for a in abandoned]).exists()


def test_days_can_be_given_and_must_be_positive(deck):
    with time_machine.travel(T0, tick=False) as traveller:
        start(None, deck, count=2)
        traveller.shift(timedelta(days=2))
        assert "Deleted 0" in call_command("purge_guest_attempts", days=3)
        assert "Deleted 1" in call_command("purge_guest_attempts", days=1)
        with pytest.raises(CommandError, match="1 or more"):
            call_command("purge_guest_attempts", days=0)


def test_addresses_waiting_for_a_link_that_expired_are_forgotten(alice, bob):
    # A quiet site, where nobody asks for another link, does not keep them either.
    with time_machine.travel(T0, tick=False) as traveller:
        ask = {"domain": "testserver", "use_https": False}
        email_confirmation_ask(user=alice, email="old@example.org", now=timezone.now(), **ask)
        traveller.shift(timedelta(hours=23))
        email_confirmation_ask(user=bob, email="new@example.org", now=timezone.now(), **ask)
        traveller.shift(timedelta(hours=2))

        output = call_command("purge_guest_attempts")

    assert "and 1 email addresses" in output
    assert list(PendingEmail.objects.values_list("email", flat=True)) == ["new@example.org"]
