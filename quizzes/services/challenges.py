"""Challenges: a friend takes the same quiz (started in services.attempts) and the two
results are compared question by question."""

from quizzes.models import Attempt, AttemptQuestion
from quizzes.services import play_sql


def challenge_comparison(
    *, attempt: Attempt, questions: list[AttemptQuestion]
) -> list[tuple[AttemptQuestion, AttemptQuestion | None]] | None:
    """Each of a challenge's `questions` beside the original's question at the same
    position; None unless `attempt` is a challenge whose original is finished."""
    original = attempt.challenge_of
    if original is None or not original.is_finished:
        return None
    theirs = {question.position: question for question in original.questions.all()}
    return [(question, theirs.get(question.position)) for question in questions]


def challenge_results(*, attempt: Attempt) -> list[Attempt]:
    """Finished challenges of `attempt`, best first, each with its learner."""
    return play_sql.finished_challenges(attempt_id=attempt.pk)
