"""How far a player who knows nothing gets: Quick quizzes played through the real views, as
guests, by each blind rule of tests/guessers.py (and by chance), on the fastai deck and on a
generated deck of 5,000 cards written in the same style (answers that restate their question).

Runs against a throwaway SQLite database in a temporary folder, never the developer's own:

    DJANGO_DEBUG=1 .venv/bin/python bench/guessing.py [--quizzes 40] [--generated 5000]
        [--remembered 300]
    DJANGO_DEBUG=1 .venv/bin/python bench/guessing.py --uncurated --generated 0

Prints, per deck and rule, right answers / questions asked and the rate; the "seen ..."
rules are one player's, who remembers the choices of every quiz it played before
(`--remembered` quizzes in a row). Chance is 1 in 4; it never fails.
"""

import argparse
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path


def play(deck_slug: str, rules: dict, quizzes: int) -> dict[str, tuple[int, int]]:
    from django.test import Client

    from tests.guessers import play_quick_quiz

    figures = {}
    for name, rule in rules.items():
        right = asked = 0
        for _ in range(quizzes):
            got, count = play_quick_quiz(Client(), deck_slug, rule)
            right, asked = right + got, asked + count
        figures[name] = (right, asked)
    return figures


def remember(deck_slug: str, quizzes: int) -> dict[str, tuple[int, int]]:
    """A player who remembers every choice it saw (tests.guessers.Memory) takes `quizzes`
    Quick quizzes one after the other, picking the choice seen most; every remembering
    rule is judged on each question it saw."""
    from django.test import Client

    from tests.guessers import Memory, play_quick_quiz

    memory = Memory()
    picks: dict[str, int] = {}
    right: dict[str, int] = {}
    asked = 0

    def pick(question: str, choices) -> int:
        picks.clear()
        picks.update(memory.picks(question, choices))
        return picks["seen most"]

    def judge(shown, correct: int) -> None:
        nonlocal asked
        asked += 1
        for name, place in picks.items():
            right[name] = right.get(name, 0) + (place == correct)

    for _ in range(quizzes):
        play_quick_quiz(Client(), deck_slug, pick, watch=judge)
    return {name: (count, asked) for name, count in right.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quizzes", type=int, default=40, help="Quick quizzes per rule and deck")
    parser.add_argument("--generated", type=int, default=5000, help="cards in the generated deck")
    parser.add_argument("--seed", type=int, default=1, help="for chance's own picks")
    parser.add_argument(
        "--remembered",
        type=int,
        default=300,
        help="Quick quizzes per deck for the player who remembers every quiz before",
    )
    parser.add_argument(
        "--uncurated",
        action="store_true",
        help="without the fastai deck's curated choices: the automatic rules alone",
    )
    args = parser.parse_args()

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ["QUIZSITE_VAR_DIR"] = tempfile.mkdtemp(prefix="quizsite-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    warnings.filterwarnings("ignore", message="No directory at")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests import guessers
    from tests.guessers import build_generated_deck

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("sync_decks", verbosity=0)
    decks = [("fastai", "fastai deck (79 cards)")]
    if args.uncurated:
        from quizzes.models import Card, Distractor
        from quizzes.services.card_pages import cards_rerender

        Distractor.objects.all().delete()
        Card.objects.update(short_answer_html="")
        cards_rerender(Card.objects.all())
        decks = [("fastai", "fastai deck (79 cards), without its curated choices")]
    if args.generated:
        build_generated_deck(args.generated)
        decks.append(("generated", f"generated deck ({args.generated} cards)"))
    rules = {**guessers.RULES, "chance": guessers.chance(random.Random(args.seed))}

    print(f"{args.quizzes} Quick quizzes per rule and deck, played as guests through the views")
    for slug, label in decks:
        from quizzes.models import Deck
        from quizzes.services.attempts import choices_settle

        choices_settle(Deck.objects.get(slug=slug))  # as the worker does before Quick quizzes
        began = time.perf_counter()
        figures = play(slug, rules, args.quizzes)
        if args.remembered:
            figures |= remember(slug, args.remembered)
        print(f"\n{label}  ({time.perf_counter() - began:.0f} s)")
        print(f"{'rule':<32} {'right / asked':>14} {'rate':>7}")
        for name, (right, asked) in figures.items():
            print(f"{name:<32} {f'{right} / {asked}':>14} {right / asked:>7.1%}")


if __name__ == "__main__":
    main()
