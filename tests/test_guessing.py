"""No blind rule beats 35 % on the fastai deck: Quick quizzes with fixed seeds played through
the pages, every rule of tests/guessers.py judged on every question (bench/guessing.py plays
each rule on its own, and on a generated deck too)."""

import itertools
import random
from collections import Counter

import pytest
from django.test import Client

from quizzes.models import Card
from quizzes.services import attempts as services
from tests import guessers

# Hundreds of seeded quizzes each: run once, on SQLite (.ci/run leaves them out of the
# PostgreSQL pass, as it does the browser tests: what they measure is the engine's).
pytestmark = [pytest.mark.django_db, pytest.mark.statistics]

QUIZZES = 40
CEILING = 0.35


def test_no_blind_rule_picks_the_right_choice_more_than_35_percent(fastai_deck, monkeypatch):
    seeds = itertools.count(20_250_305)
    monkeypatch.setattr(services, "_new_seed", lambda: next(seeds))
    chance = guessers.chance(random.Random(5))
    right, asked = Counter(), 0

    def judge(shown, correct):
        nonlocal asked
        asked += 1
        picks = guessers.every_rule(shown) | {"chance": chance(shown.question, shown.texts)}
        right.update(name for name, pick in picks.items() if pick == correct)

    for _ in range(QUIZZES):
        guessers.play_quick_quiz(Client(), "fastai", chance, watch=judge)

    rates = {name: right[name] / asked for name in right}
    assert asked == 10 * QUIZZES
    assert {name: rate for name, rate in rates.items() if rate > CEILING} == {}
    # Chance itself lands near one in four: the quizzes are not rigged against guessing.
    assert 0.15 <= rates["chance"] <= CEILING


GENERATED_QUIZZES = 200


@pytest.fixture
def generated_deck(db):
    """bench/guessing.py's generated deck, 800 cards: every answer restates its question,
    and a quarter of them are yes/no questions answered "Yes.", "No." or "Yes, ... helps."."""
    return guessers.build_generated_deck(800)


def generated_rates(deck) -> dict[str, float]:
    """How often each blind rule, and chance, picks the right choice in GENERATED_QUIZZES
    Quick quizzes on `deck`, planned as a start plans them (no pages: 2,000 questions in a
    few seconds). "Offered twice" is a rule of its own: the choice also offered in another
    question of the quiz."""
    config = services.quick_quiz_config(deck)
    questions = dict(Card.objects.filter(deck=deck).values_list("pk", "question_text"))
    chance = guessers.chance(random.Random(5))
    right, asked = Counter(), 0
    for seed in range(GENERATED_QUIZZES):
        planned = services._draw_and_plan(config, seed=seed)
        offered = Counter(choice["text"] for question in planned for choice in question.choices)
        for question in planned:
            shown = guessers.Shown(
                questions[question.card_id],
                texts=[choice["text"] for choice in question.choices],
                markup=[choice["html"] for choice in question.choices],
                values=[choice["id"] for choice in question.choices],
            )
            correct = shown.values.index(question.correct_choice_id)
            asked += 1
            twice = [offered[text] for text in shown.texts]
            picks = guessers.every_rule(shown) | {
                "chance": chance(shown.question, shown.texts),
                "offered twice": twice.index(max(twice)),
            }
            right.update(name for name, pick in picks.items() if pick == correct)
    assert asked == 10 * GENERATED_QUIZZES
    return {name: round(count / asked, 3) for name, count in right.items()}


def test_no_blind_rule_beats_chance_on_a_deck_whose_answers_restate_their_question(
    generated_deck,
):
    rates = generated_rates(generated_deck)  # one run for both checks: 2,000 questions

    # "Yes." and "No." are right in several questions of a quiz. Offering neither in the
    # other questions (no answer twice) left "Yes." beside three long choices, the shortest,
    # and the only choice offered twice was a right answer. And keeping the right answer
    # from sharing the most words with the question must not make it the choice that
    # shares the fewest: "fewest shared words" was right 31 %, per word 32 %.
    # Chance is 25 %; 2,000 questions put 30 % above three standard errors of it.
    assert {rule: rate for rule, rate in rates.items() if rate > 0.30} == {}, str(rates)
    for rule in ("shortest", "fewest words", "offered twice", "fewest shared words"):
        assert rule in rates
