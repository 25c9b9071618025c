"""Challenges: a friend takes the same quiz (started in services.attempts) and the two
results are compared question by question."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class ChallengeResults:
    """Who took a challenge: the signed-in learners' first tries, ranked, and how many
    first tries were not ranked, as on the leaderboard: played as a guest
    (engine.PLAYED_AS_GUEST_RULE: a guest can take it in many browsers and keep the best),
    or answered faster than anyone reads (engine.IMPLAUSIBLY_FAST_RULE: a bot tapping
    blind, or a second account that saw the answers)."""

    ranked: list[Attempt]
    by_guests: int
    too_fast: int

    def __bool__(self):
        return bool(self.ranked or self.by_guests or self.too_fast)


def challenge_results(*, attempt: Attempt) -> ChallengeResults:
    """Finished challenges of `attempt`: each learner's first try, best first, with its
    learner; a first try played as a guest (claimed at sign-up since, or not) is counted
    apart, as is one answered faster than anyone reads. A learner whose first try was a
    guest's is not ranked on a later one either: it knew the answers."""
    tries = play_sql.finished_challenges(attempt_id=attempt.pk)
    signed_in = [one for one in tries if one.user_id is not None and not one.played_as_guest]
    ranked = [one for one in signed_in if not one.implausibly_fast]
    return ChallengeResults(
        ranked=ranked,
        by_guests=len(tries) - len(signed_in),
        too_fast=len(signed_in) - len(ranked),
    )
