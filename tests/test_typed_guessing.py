"""Blind bots against "Type the answer" (the server scores what is typed): knowing the deck's
answers, or typing the words that answer many quizzes, scores about nothing, where a blind
click gets a quarter of multiple choice."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes import engine
from quizzes.models import Card
from quizzes.services import attempts as services
from tests.factories import give_typed_answers

pytestmark = pytest.mark.django_db

QUIZZES = 10
UNTIMED = engine.TimeLimit(kind=engine.TimeLimitKind.NONE)
# What answers a quiz blind: yes and no (a sixth of a generated deck's answers), truth
# values, numbers, nothing, filler.
GUESSES = ["yes", "no", "Yes.", "true", "false", "", "0", "1", "the", "none", "it depends"]


def typed_pool(deck, *, askable=True):
    cards = Card.objects.filter(deck=deck).exclude(quiz_typed_answer="")
    if askable:  # its question's images cached, if any
        cards = cards.askable(engine.QuizMode.TYPED)
    return list(cards.values_list("quiz_typed_answer", flat=True))


def play(deck, typing) -> tuple[int, int]:
    """QUIZZES typed quizzes of 10 questions as a guest, typing `typing(question)` each
    time: (right, asked)."""
    right = asked = 0
    config = services.QuizConfig(
        deck=deck, question_count=10, mode=engine.QuizMode.TYPED, time_limit=UNTIMED
    )
    for _ in range(QUIZZES):
        now = timezone.now()
        attempt = services.attempt_start(user=None, session_key="bot", config=config, now=now)
        while question := services.question_current(attempt=attempt, now=timezone.now()):
            services.answer_submit(
                attempt=attempt,
                question=question,
                typed=typing(question),
                now=question.started_at + timedelta(seconds=5),
            )
        attempt.refresh_from_db()
        right, asked = right + attempt.correct_count, asked + attempt.question_count
    return right, asked


def test_the_fastai_deck_asks_its_short_terms_and_code_typed(fastai_deck):
    pool = typed_pool(fastai_deck, askable=False)
    assert len(pool) == 18
    assert "__call__" in pool and "mean absolute deviation" in pool
    assert not {"No", "No.", "Yes", "Yes."} & set(pool)  # a yes or no is never typed


@pytest.mark.parametrize("guess", GUESSES)
def test_a_bot_typing_what_answers_quizzes_blind_scores_nothing(fastai_deck, guess):
    right, asked = play(fastai_deck, lambda question: guess)
    assert (right, asked) == (0, QUIZZES * len(typed_pool(fastai_deck)))


# A vocabulary deck's answers: words, a few of them answering two cards (a synonym, a
# homonym), as real decks have them.
WORDS = [
    f"{stem}{ending}"
    for stem in ("gradient", "tensor", "kernel", "stride", "epoch")
    for ending in (
        "",
        "s",
        " descent",
        " norm",
        " clipping",
        " decay",
        " map",
        " size",
        " step",
        " rate",
        " shape",
        " block",
        " layer",
        " scale",
        " mask",
        " ratio",
        " count",
        " width",
        " loss",
        " bias",
    )
]


def test_a_bot_typing_the_decks_most_common_answers_scores_about_nothing(make_deck):
    deck = make_deck(len(WORDS) + 4)
    answers = dict(enumerate(WORDS, start=1)) | {
        101: "tensor",
        102: "tensor",
        103: "kernel",
        104: "stride",
    }
    give_typed_answers(deck, answers)
    common = Counter(typed_pool(deck))
    assert common.most_common(1) == [("tensor", 3)]
    typed_answer_of = dict(Card.objects.filter(deck=deck).values_list("id", "quiz_typed_answer"))
    for answer, _count in common.most_common(3):
        asked_cards = []

        def typing(question, answer=answer, asked_cards=asked_cards):
            asked_cards.append(question.card_id)
            return answer

        right, asked = play(deck, typing)
        # Right exactly where one of its own cards is asked, never elsewhere: about its
        # share of the deck (3 cards in 104), where a blind click on four choices is right
        # once in four. (Which cards a quiz draws is random: the count of its own is not
        # fixed, the rule is.)
        own = sum(typed_answer_of[card_id] == answer for card_id in asked_cards)
        assert (right, asked) == (own, len(asked_cards))
        assert right / asked <= 0.15
