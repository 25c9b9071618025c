"""Data for bench/throughput.py, run inside the bench's Django (`manage.py shell -c`): the
bench user, quizzes whose every question is shown and waiting for an answer (for the answer
row), and Quick quizzes at their first question, shown, as a taker's quiz stands between
answers (for the question row)."""

import json
import sys

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from quizzes import engine
from quizzes.models import AttemptQuestion, Deck
from quizzes.services import attempts as quiz_services


def main(
    answers_path: str,
    attempts: int,
    username: str,
    password: str,
    playing_path: str | None = None,
    playing: int = 20,
) -> None:
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
    if playing_path:
        quick = [
            quiz_services.attempt_start_quick(user=user, session_key="", deck=deck, now=now)
            for _ in range(playing)
        ]
        for attempt in quick:
            quiz_services.question_current(attempt=attempt, now=now)
        with open(playing_path, "w") as out:
            json.dump([str(attempt.pk) for attempt in quick], out)
    if connection.vendor == "postgresql":
        # Tens of thousands of question rows just written: the statistics autovacuum would
        # gather a little later, so the first round is not planned on an empty table's.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
