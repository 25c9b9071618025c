"""Data for bench/throughput.py, run inside the bench's Django (`manage.py shell -c`): the
bench user and quizzes whose every question is shown and waiting for an answer."""

import json
import sys

from django.contrib.auth import get_user_model
from django.utils import timezone

from quizzes import engine
from quizzes.models import AttemptQuestion, Deck
from quizzes.services import attempts as quiz_services


def main(answers_path: str, attempts: int, username: str, password: str) -> None:
    user = get_user_model().objects.create_user(username, password=password)
    deck = Deck.objects.get(slug="fastai")
    config = quiz_services.QuizConfig(
        deck=deck,
        question_count=quiz_services.MAX_QUESTIONS,
        time_limit=engine.TimeLimit(kind=engine.TimeLimitKind.NONE),
    )
    now = timezone.now()
    started = [
        quiz_services.attempt_start(user=user, session_key="", config=config, now=now)
        for _ in range(attempts)
    ]
    questions = AttemptQuestion.objects.filter(attempt__in=started)
    questions.update(started_at=now, deadline_at=None)
    # Position-major: answers to the same quiz are far apart, so concurrent connections
    # never race on one question.
    rows = [
        (str(attempt_id), position, correct)
        for position, attempt_id, correct in sorted(
            questions.values_list("position", "attempt_id", "correct_choice_id")
        )
    ]
    with open(answers_path, "w") as out:
        json.dump(rows, out)
    sys.stdout.write(f"{len(rows)} answers ready\n")
