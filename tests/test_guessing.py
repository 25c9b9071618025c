"""No blind rule beats 35 % on the fastai deck: Quick quizzes with fixed seeds played through
the pages, every rule of tests/guessers.py judged on every question (bench/guessing.py plays
each rule on its own, and on a generated deck too)."""

import itertools
import random
from collections import Counter

import pytest
from django.test import Client

from quizzes.services import attempts as services
from tests import guessers

pytestmark = pytest.mark.django_db

QUIZZES = 40
CEILING = 0.35


def test_no_blind_rule_picks_the_right_choice_more_than_35_percent(fastai_deck, monkeypatch):
    seeds = itertools.count(20_250_305)
    monkeypatch.setattr(services, "_new_seed", lambda: next(seeds))
    rules = {**guessers.RULES, "chance": guessers.chance(random.Random(5))}
    right, asked = Counter(), 0

    def judge(question, texts, correct):
        nonlocal asked
        asked += 1
        for name, rule in rules.items():
            right[name] += rule(question, texts) == correct

    for _ in range(QUIZZES):
        guessers.play_quick_quiz(Client(), "fastai", rules["chance"], watch=judge)

    rates = {name: right[name] / asked for name in rules}
    assert asked == 10 * QUIZZES
    assert {name: rate for name, rate in rates.items() if rate > CEILING} == {}
    # Chance itself lands near one in four: the quizzes are not rigged against guessing.
    assert 0.15 <= rates["chance"] <= CEILING
