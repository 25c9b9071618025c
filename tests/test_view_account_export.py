import json

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes import throttling
from quizzes.models import LearnerSettings, ProblemReport
from quizzes.services import accounts, reviews
from quizzes.services import attempts as services
from tests.factories import give_typed_answers
from tests.quizplay import finish, show, start, start_quick

URL = reverse("account_export")
# django-axes keeps its sign-in records in the database only without Redis.
SIGN_INS_KEPT = settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def _export(client) -> dict:
    response = client.get(URL)
    assert response.status_code == 200
    return json.loads(response.content)


def test_it_holds_every_quiz_with_each_answer(client, alice, deck):
    quiz = finish(start(alice, deck, count=3), right={1})
    client.force_login(alice)

    data = _export(client)

    assert data["format"] == accounts.EXPORT_FORMAT
    assert data["account"]["username"] == "alice"
    assert data["account"]["email"] == "alice@example.com"
    assert data["account"]["email_waiting"] is None
    [exported] = data["quizzes"]
    assert exported["id"] == str(quiz.pk)
    assert exported["correct"] == 1
    assert exported["too_fast_to_rank"] is False
    assert exported["past_the_days_ranked_quizzes"] is False
    assert exported["played_as_guest"] is False
    questions = exported["questions"]
    assert [q["position"] for q in questions] == [1, 2, 3]
    asked = quiz.questions.order_by("position")
    assert [q["card"] for q in questions] == [
        {"deck": deck.slug, "number": question.card.number} for question in asked
    ]
    assert questions[0]["your_choice"] == questions[0]["right_choice"]
    assert questions[1]["your_choice"] != questions[1]["right_choice"]
    assert [q["outcome"] for q in questions] == ["Correct", "Wrong", "Wrong"]
    assert len(questions[0]["choices_html"]) == len(asked[0].choices)
    assert questions[0]["question"] == asked[0].card.question_text


def test_a_quiz_under_way_gives_away_no_answer_nor_question_to_come(client, alice, deck):
    # Downloaded in another tab during a Quick quiz, the file gave every question of the
    # quiz, those not asked yet too, with its right choice.
    quiz = start_quick(alice, deck)
    first = show(quiz)
    services.answer_submit(
        attempt=quiz, question=first, choice_id=first.correct_choice_id, now=timezone.now()
    )
    show(quiz)  # the second question on the screen
    client.force_login(alice)

    [exported] = _export(client)["quizzes"]

    answered, *open_ = exported["questions"]
    assert answered["right_choice"] == answered["your_choice"] and answered["question"]
    assert len(open_) == 9
    for question in open_:
        assert question["outcome"] is None
        assert (question["card"], question["question"], question["right_choice"]) == (None,) * 3
        assert question["choices_html"] == []
    # Once the quiz is over, the file holds it all.
    finish(quiz)
    [exported] = _export(client)["quizzes"]
    assert all(q["right_choice"] and q["card"] for q in exported["questions"])


def test_a_typed_quiz_holds_what_was_typed_once_answered_and_nothing_before(client, alice, deck):
    give_typed_answers(deck, {1: "ReLU", 2: "dropout"})
    quiz = start(alice, deck, count=2, mode="typed")
    first = show(quiz)
    services.answer_submit(attempt=quiz, question=first, typed="relu!", now=timezone.now())
    show(quiz)  # the second question on the screen
    client.force_login(alice)

    [exported] = _export(client)["quizzes"]

    answered, under_way = exported["questions"]
    assert (answered["you_typed"], answered["to_type"]) == ("relu!", first.typed_expected)
    assert answered["outcome"] == "Wrong"
    assert "to_type" not in under_way and "you_typed" not in under_way
    (to_come,) = {"ReLU", "dropout"} - {first.typed_expected}
    assert to_come not in json.dumps(exported)


def test_it_holds_the_memory_of_each_card_and_every_review(client, alice, deck):
    finish(start(alice, deck, count=3), right={1, 2})
    client.force_login(alice)

    data = _export(client)

    assert len(data["card_memories"]) == 3
    assert len(data["reviews"]) == 3
    assert {review["source"] for review in data["reviews"]} == {"Multiple-choice quiz"}
    assert all(memory["due"] for memory in data["card_memories"])


def test_it_holds_the_cards_buried_and_suspended(client, alice, deck):
    card = deck.cards.get(number=2)
    client.force_login(alice)
    client.post(reverse("review_suspend"), {"card": card.pk})

    [held] = _export(client)["cards_held"]

    assert held["card"] == {"deck": deck.slug, "number": 2}
    assert (held["suspended"], held["buried_until"], held["last_action"]) == (True, None, "Suspend")


def test_it_holds_the_cards_flagged(client, alice, bob, deck):
    card = deck.cards.get(number=3)
    client.force_login(bob)
    client.post(reverse("review_flag"), {"card": card.pk, "flag": "4"})
    client.force_login(alice)
    client.post(reverse("review_flag"), {"card": card.pk, "flag": "6"})

    [flagged] = _export(client)["cards_flagged"]

    assert flagged["card"] == {"deck": deck.slug, "number": 3}
    assert flagged["flag"] == "Turquoise"


def test_it_holds_a_forget_and_a_set_due_date_among_the_reviews_as_manual_entries(
    client, alice, deck
):
    # Anki's review log lists both as "Manual", rating 0.
    finish(start(alice, deck, count=1), right={1})
    card = alice.card_memories.get().card
    client.force_login(alice)
    client.post(reverse("review_forget"), {"card": card.pk})
    client.post(reverse("card_set_due"), {"card": card.pk, "back": "card", "days": "3-7"})

    exported = _export(client)["reviews"]

    assert sorted((review["rating"], review["source"]) for review in exported) == [
        ("Good", "Multiple-choice quiz"),
        ("Manual", "Forget (reset to new)"),
        ("Manual", "Set due date"),
    ]


def test_it_holds_the_reviews_of_a_card_deleted_since_naming_no_card(client, alice, deck):
    card = deck.cards.get(number=2)
    client.force_login(alice)
    reviews.review_record(user=alice, card=card, rating=3, now=timezone.now(), elapsed_seconds=4)
    card.delete()  # by staff, in the admin

    [review] = _export(client)["reviews"]

    assert (review["card"], review["rating"], review["source"]) == (None, "Good", "Review")


@pytest.mark.skipif(not SIGN_INS_KEPT, reason="django-axes keeps them in Redis, briefly")
def test_it_holds_the_sign_ins(client, alice, password):
    client.post(reverse("login"), {"username": "alice", "password": password})

    [sign_in] = _export(client)["sign_ins"]

    assert sign_in["ip_address"] == "127.0.0.1"


def test_it_holds_the_problems_reported(client, alice, deck):
    card = deck.cards.get(number=2)
    ProblemReport.objects.create(card=card, reporter=alice, kind="unclear", message="Why 2?")
    client.force_login(alice)

    [report] = _export(client)["problem_reports"]

    assert report["card"] == {"deck": deck.slug, "number": 2}
    assert report["message"] == "Why 2?"


def test_study_settings_never_changed_are_the_defaults(client, alice):
    client.force_login(alice)

    settings = _export(client)["study_settings"]

    assert settings["new_cards_per_day"] == LearnerSettings().new_cards_per_day
    assert settings["desired_retention"] == LearnerSettings().desired_retention
    assert settings["bury_siblings"] is False
    assert settings["reschedule_on_change"] is False


def test_it_holds_nothing_of_another_learner(client, alice, bob, deck):
    finish(start(bob, deck, count=2))
    client.force_login(alice)

    data = _export(client)

    assert data["quizzes"] == []
    assert data["reviews"] == []
    assert data["card_memories"] == []


def test_it_is_a_file_named_for_the_learner_and_the_day(client, alice):
    client.force_login(alice)

    response = client.get(URL)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "quizsite-alice-" in disposition
    assert "no-store" in response["Cache-Control"]


def test_a_name_outside_ascii_is_kept_in_the_file_name(client, django_user_model):
    learner = django_user_model.objects.create_user("zoë", password="x" * 12)
    client.force_login(learner)

    disposition = client.get(URL)["Content-Disposition"]

    assert "filename*=utf-8''quizsite-zo%C3%AB-" in disposition


@pytest.mark.parametrize("quizzes", [1, 4])
def test_its_queries_do_not_grow_with_the_history(client, alice, deck, quizzes):
    for _ in range(quizzes):
        finish(start(alice, deck, count=3))
    client.force_login(alice)
    client.get(URL)  # the session and the user, read once

    with CaptureQueriesContext(connection) as queries:
        data = _export(client)

    assert len(data["quizzes"]) == quizzes
    assert len(queries) == 10  # the cards held and the cards flagged among them


@time_machine.travel("2026-03-05 12:10:00Z", tick=False)
def test_a_learner_downloads_at_most_ten_times_an_hour(client, alice, bob):
    client.force_login(alice)
    for _ in range(throttling.DATA_EXPORTS_PER_HOUR):
        assert client.get(URL).status_code == 200

    refused = client.get(URL)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "3000"  # the hour's window ends at 13:00
    assert "try again in 51 minutes" in refused.text
    client.force_login(bob)
    assert client.get(URL).status_code == 200


def test_a_guest_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_post(client, alice):
    client.force_login(alice)
    assert client.post(URL).status_code == 405


def test_it_holds_an_address_asked_for_and_not_yet_confirmed(client, alice):
    accounts.email_confirmation_ask(
        user=alice,
        email="new@example.org",
        domain="testserver",
        use_https=False,
        now=timezone.now(),
    )
    client.force_login(alice)

    assert _export(client)["account"]["email_waiting"] == "new@example.org"
