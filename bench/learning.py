"""Does the review queue help learning? Simulated learners study for 90 days.

    make bench        # or: DJANGO_DEBUG=1 .venv/bin/python bench/learning.py [--learners 4]

Each simulated learner remembers by a hidden model of its own, not by FSRS: a power-law
forgetting curve, recall = (1 + t / S) ** -k, with a forgetting exponent k drawn per learner
(0.8 to 1.6 by default, `--exponents`), an ability drawn per learner and a difficulty drawn
per card (and per learner). One card's curve is steeper than FSRS's, whose flat tail fits
many cards pooled together; `--exponents 0.35 0.8` gives each card such a flat tail. A retrieval
attempt strengthens memory more when recall was harder (the spacing effect); a failure
shrinks it, and seeing the answer afterwards keeps a floor. FSRS never sees these numbers:
it only hears Again (forgot) or Good (recalled), as it does from a quiz.

Three policies spend the same reviews each day:
- the review queue (`services.reviews.review_queue` and `review_record`, on a throwaway
  SQLite database), at most BUDGET reviews a day, with the site's default settings (20 new
  cards a day, no learning steps, desired retention 90%). A learner who has finished the
  queue with reviews left takes what the review's end screen offers: "Learn N more new cards
  today" (N = the reviews left), and once the deck has no new card left, its suspended
  leeches back;
- random Quick quizzes: 10 random cards of the deck at a time;
- weakest cards first: 10-card quizzes of the five cards answered wrong most often (the
  list "my cards" shows, and its "Quiz me on these"), topped up with random cards.
The queue runs first; the other two get exactly the reviews it spent that day, so the
comparison is at equal reviews. Printed: reviews spent, and the share of the deck the
learner would recall at the end of days 30, 60 and 90 (a card never seen counts 0).
The figures depend only on the seeds; wall time is printed for information.
"""

import argparse
import io
import math
import os
import random
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

DAYS = 90
CHECKPOINTS = (30, 60, 90)
QUIZ_SIZE = 10
SECONDS_PER_REVIEW = 15
START = datetime(2025, 1, 6, 18, 0, tzinfo=UTC)  # each day's session starts at 18:00 UTC
DECKS = (("fastai", 79, 30), ("generated", 2000, 100))  # slug, size, daily review budget
# The hidden memory model's constants (days, or factors): see Learner.attempt.
FIRST_STRENGTH = 1.0
GAIN = 5.0
GAIN_EXPONENT = 0.6
LAPSE_FACTOR = 0.5
WEAKEST_PER_QUIZ = 5  # "my cards" lists the five weakest


@dataclass
class HiddenMemory:
    strength: float  # days; recall = (1 + elapsed / strength) ** -k
    last_seen: datetime


@dataclass
class Learner:
    """A learner's hidden memory. Its parameters never reach the scheduler."""

    seed: int
    card_ids: list[int]
    exponents: tuple[float, float] = (0.8, 1.6)
    rng: random.Random = field(init=False)
    exponent: float = field(init=False)
    ability: float = field(init=False)
    difficulty: dict[int, float] = field(init=False)
    memory: dict[int, HiddenMemory] = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.exponent = self.rng.uniform(*self.exponents)
        self.ability = math.exp(self.rng.gauss(0, 0.3))
        card_rng = random.Random(1000 + len(self.card_ids))  # the deck's difficulties
        base = {card_id: card_rng.gauss(0, 0.6) for card_id in self.card_ids}
        self.difficulty = {
            card_id: base[card_id] + self.rng.gauss(0, 0.3) for card_id in self.card_ids
        }

    def recall_probability(self, card_id: int, now: datetime) -> float:
        memory = self.memory.get(card_id)
        if memory is None:
            return 0.0
        elapsed_days = max((now - memory.last_seen).total_seconds() / 86400, 0.0)
        return (1 + elapsed_days / memory.strength) ** -self.exponent

    def attempt(self, card_id: int, now: datetime) -> bool:
        """Try to recall the card, then see the answer; returns whether it was recalled."""
        ease = self.ability * math.exp(-self.difficulty[card_id])
        memory = self.memory.get(card_id)
        if memory is None:  # never seen: no recall, but the answer is learned a little
            self.memory[card_id] = HiddenMemory(strength=FIRST_STRENGTH * ease, last_seen=now)
            return False
        p = self.recall_probability(card_id, now)
        recalled = self.rng.random() < p
        if recalled:
            memory.strength *= 1 + GAIN * ease * (1 - p) ** GAIN_EXPONENT
        else:
            memory.strength = max(FIRST_STRENGTH * ease, memory.strength * LAPSE_FACTOR)
        memory.last_seen = now
        return recalled

    def recall_share(self, now: datetime) -> float:
        return sum(self.recall_probability(c, now) for c in self.card_ids) / len(self.card_ids)


def day_end(day: int) -> datetime:
    return START.replace(hour=23, minute=59) + timedelta(days=day - 1)


def run_quizzes(learner: Learner, spent_per_day: list[int], *, weakest_first: bool):
    seen: dict[int, int] = {}
    right: dict[int, int] = {}
    for day, spent in enumerate(spent_per_day, start=1):
        now = START + timedelta(days=day - 1)
        while spent > 0:
            size = min(QUIZ_SIZE, spent)
            if weakest_first:
                weak = sorted(
                    (c for c in seen if right.get(c, 0) < seen[c]),
                    key=lambda c: (right.get(c, 0) / seen[c], -seen[c], c),
                )[: min(WEAKEST_PER_QUIZ, size)]
                others = [c for c in learner.card_ids if c not in weak]
                chosen = weak + learner.rng.sample(others, size - len(weak))
            else:
                chosen = learner.rng.sample(learner.card_ids, size)
            for card_id in chosen:
                recalled = learner.attempt(card_id, now)
                seen[card_id] = seen.get(card_id, 0) + 1
                right[card_id] = right.get(card_id, 0) + recalled
                now += timedelta(seconds=SECONDS_PER_REVIEW)
            spent -= size
        yield day, learner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=4, help="simulated learners per deck")
    parser.add_argument(
        "--exponents",
        type=float,
        nargs=2,
        default=(0.8, 1.6),
        metavar=("LOW", "HIGH"),
        help="range of the learners' forgetting exponents k",
    )
    parser.add_argument(
        "--learning-steps",
        default="",
        metavar="STEPS",
        help='the learners\' learning steps, as on the settings page ("1m 10m"); default none',
    )
    parser.add_argument(
        "--relearning-steps", default="", metavar="STEPS", help="likewise for forgotten cards"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["QUIZSITE_VAR_DIR"] = tempfile.mkdtemp(prefix="quizsite-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
    warnings.filterwarnings("ignore", message="No directory at")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from quizzes import scheduling
    from quizzes.models import Card
    from quizzes.services import reviews
    from tests.factories import make_deck

    call_command("migrate", verbosity=0)
    call_command("sync_decks", verbosity=0, stdout=io.StringIO())
    make_deck(2000, slug="generated")

    started = time.perf_counter()
    learning_steps = scheduling.parse_steps(args.learning_steps)
    relearning_steps = scheduling.parse_steps(args.relearning_steps)
    print(
        f"{DAYS} days, {args.learners} simulated learners per deck, "
        f"forgetting exponents {args.exponents[0]}-{args.exponents[1]}, learning steps "
        f"[{args.learning_steps}], relearning steps [{args.relearning_steps}], "
        f"{os.cpu_count()} CPU cores; recall = share of the deck recalled at the end of the day"
    )
    header = f"{'deck':<10} {'policy':<22} " + " ".join(
        f"{'reviews d' + str(d):>11} {'recall d' + str(d):>10}" for d in CHECKPOINTS
    )
    print(header)
    users = get_user_model().objects
    for slug, size, budget in DECKS:
        card_ids = list(Card.objects.filter(deck__slug=slug).values_list("pk", flat=True))
        cards = Card.objects.in_bulk(card_ids)
        assert len(card_ids) == size
        totals = {name: {d: [0, 0.0] for d in CHECKPOINTS} for name in POLICIES}
        for index in range(args.learners):
            seed = 7919 * (index + 1) + size
            # The queue runs over every deck loaded; this learner studies only this one.
            user = users.create_user(f"{slug}-learner-{index}")
            reviews.settings_update(
                user=user,
                desired_retention=0.9,
                new_cards_per_day=20,
                day_start_hour=4,
                time_zone="UTC",
                learning_steps=learning_steps,
                relearning_steps=relearning_steps,
            )
            _hide_other_decks(user, slug)
            learner = Learner(seed=seed, card_ids=card_ids, exponents=tuple(args.exponents))
            daily = []
            for day, learner_state in _queue_days(user, learner, budget, reviews, cards, daily):
                spent_so_far = sum(daily)
                if day in CHECKPOINTS:
                    totals["review queue"][day][0] += spent_so_far
                    totals["review queue"][day][1] += learner_state.recall_share(day_end(day))
            for name, weakest in (("random quick quizzes", False), ("weakest cards first", True)):
                other = Learner(seed=seed, card_ids=card_ids, exponents=tuple(args.exponents))
                for day, state in run_quizzes(other, daily, weakest_first=weakest):
                    if day in CHECKPOINTS:
                        totals[name][day][0] += sum(daily[:day])
                        totals[name][day][1] += state.recall_share(day_end(day))
        for name in POLICIES:
            cells = " ".join(
                f"{totals[name][d][0] / args.learners:>11.0f} "
                f"{100 * totals[name][d][1] / args.learners:>9.1f}%"
                for d in CHECKPOINTS
            )
            print(f"{slug + ' (' + str(size) + ')':<10} {name:<22} {cells}")
    print(f"wall time {time.perf_counter() - started:.0f} s")


POLICIES = ("review queue", "random quick quizzes", "weakest cards first")


def _queue_days(user, learner, budget, services, cards, daily):
    """The queue policy, day by day; appends each day's reviews to `daily`."""
    for day in range(1, DAYS + 1):
        now = START + timedelta(days=day - 1)
        spent = 0
        asked_for_more = False
        while spent < budget:
            queue = services.review_queue(user=user, now=now, limit=budget - spent)
            if not queue:
                if not _use_end_screen(user, services, now, budget - spent, asked_for_more):
                    break
                asked_for_more = True
                continue
            for item in queue:
                recalled = learner.attempt(item.card.pk, now)
                services.review_record(
                    user=user,
                    card=cards[item.card.pk],
                    rating=services.Grade.GOOD if recalled else services.Grade.AGAIN,
                    now=now,
                    elapsed_seconds=SECONDS_PER_REVIEW,
                    source=services.Source.REVIEW,
                )
                now += timedelta(seconds=SECONDS_PER_REVIEW)
                spent += 1
            # Cards answered Again come back within minutes: let the clock run to them.
            now += timedelta(minutes=1)
        daily.append(spent)
        yield day, learner


def _use_end_screen(user, services, now, reviews_left, asked_for_more) -> bool:
    """What a learner with reviews left does at the review's end screen: more new cards
    (once a day), else, when the deck has no new card left, its suspended leeches back.
    Returns whether there is something more to study."""
    if services.new_cards_unstudied(user=user, now=now).ready:
        if asked_for_more:
            return False
        services.new_cards_extend(user=user, now=now, count=reviews_left)
        return True
    return services.leeches_unsuspend(user=user) > 0


def _hide_other_decks(user, slug):
    """The queue takes new cards from every deck; a learner of one deck marks the other
    decks' cards as known far in the future, so they never come up."""
    from quizzes.models import Card, CardMemory

    far = START + timedelta(days=10 * 365)
    CardMemory.objects.bulk_create(
        CardMemory(
            user=user,
            card=card,
            state=2,
            stability=3650.0,
            difficulty=5.0,
            due=far,
            last_review=START - timedelta(days=1),
            first_review=START - timedelta(days=1),
        )
        for card in Card.objects.exclude(deck__slug=slug).only("pk")
    )


if __name__ == "__main__":
    main()
