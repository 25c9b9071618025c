"""How far a player who knows nothing gets: Quick quizzes played through the real views, as
guests, by each blind rule of tests/guessers.py (and by chance), on the fastai deck and on a
generated deck of 5,000 cards written in the same style (answers that restate their question).

Runs against a throwaway SQLite database in a temporary folder, never the developer's own:

    DJANGO_DEBUG=1 .venv/bin/python bench/guessing.py [--quizzes 40] [--generated 5000]
    DJANGO_DEBUG=1 .venv/bin/python bench/guessing.py --uncurated --generated 0

Prints, per deck and rule, right answers / questions asked and the rate. Chance is 1 in 4;
it never fails.
"""

import argparse
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

# Words for the generated deck: a term, what it is, and what it is about.
TERMS = [
    ("dropout", "a regularizer that zeroes random activations", "training"),
    ("weight decay", "a penalty on the size of the weights", "optimizers"),
    ("batch normalization", "a layer that normalizes activations over the batch", "normalization"),
    (
        "layer normalization",
        "a layer that normalizes each input over its channels",
        "normalization",
    ),
    ("the learning rate", "the size of each optimizer step", "optimizers"),
    ("momentum", "a running average of past gradients", "optimizers"),
    ("a residual block", "a block that adds its input to its output", "architecture"),
    ("an embedding", "a learned vector for each category", "architecture"),
    ("mixup", "an augmentation that blends two images and their labels", "augmentation"),
    ("label smoothing", "targets slightly below one for the right class", "classification"),
    ("a callback", "a function the training loop calls at set events", "training"),
    ("a hook", "a function called on a module's forward or backward pass", "pytorch"),
    ("the softmax", "a function that turns scores into probabilities", "classification"),
    ("cross entropy", "a loss comparing predicted and true distributions", "classification"),
    ("kaiming initialization", "weights scaled for ReLU activations", "initialization"),
    ("gradient clipping", "a cap on the size of the gradients", "training"),
    ("broadcasting", "stretching a tensor to another's shape without copying", "tensors"),
    ("a data loader", "an iterator that yields batches of samples", "pytorch"),
    ("early stopping", "ending training when validation loss stops improving", "training"),
    ("fine tuning", "training a pretrained model further on new data", "training"),
    ("an LSTM", "a recurrent cell with gates that keep a memory", "rnn"),
    ("attention", "a weighted sum of values scored against a query", "architecture"),
    ("mixed precision", "training with half precision where it is safe", "numerics"),
    ("the LogSumExp trick", "subtracting the maximum before exponentiating", "numerics"),
    ("a learning rate finder", "a short run that tries growing learning rates", "optimizers"),
]
CONTEXTS = [
    "when training a vision model",
    "in a language model",
    "for tabular data",
    "with small batches",
    "on a single GPU",
    "in transfer learning",
    "with noisy labels",
    "at inference time",
]
WAYS = [
    "raise the batch size",
    "lower the learning rate",
    "add more data",
    "use a pretrained model",
    "normalize the inputs",
    "train for longer",
    "add weight decay",
    "use data augmentation",
]


def generated_card(number: int, rng: random.Random) -> tuple[str, str, str]:
    """A question and answer in the echoing style of the fastai deck, and a tag."""
    term, definition, tag = rng.choice(TERMS)
    context = rng.choice(CONTEXTS)
    style = number % 4
    if style == 0:
        question = f"What is {term} {context}?"
        answer = f"<p>{term.capitalize()} {context} is {definition}.</p>"
    elif style == 1:
        first, second = rng.sample(WAYS, 2)
        question = f"What are two ways of helping {term} {context}?"
        answer = (
            f"The two ways of helping {term} {context} are: "
            f"<ul><li>{first}</li><li>{second}</li></ul>"
        )
    elif style == 2:
        other = rng.choice(TERMS)[0]
        question = f"Does {term} help {other} {context}?"
        answer = rng.choice(["<p>Yes.</p>", "<p>No.</p>", f"<p>Yes, {definition} helps.</p>"])
    else:
        question = f"Why use {term} {context}?"
        answer = f"<p>You use {term} {context} because it is {definition}.</p>"
    return question, answer, tag


def build_generated_deck(size: int, *, slug: str = "generated"):
    from quizzes.importing.cardhtml import card_content
    from quizzes.models import Card, Deck, Tag
    from quizzes.services.card_pages import card_render, keywords_insert

    rng = random.Random(size)
    deck = Deck.objects.create(name=f"Generated ({size} cards)", slug=slug)
    tags = {tag: Tag.objects.get_or_create(name=tag, slug=tag)[0] for _, _, tag in TERMS}
    cards, card_tags = [], []
    for number in range(1, size + 1):
        question, answer, tag = generated_card(number, rng)
        content = card_content(question, answer, take_provenance=False)
        card = Card(
            deck=deck,
            number=number,
            question_html=content.question_html,
            answer_html=content.answer_html,
            question_text=content.question_text,
            answer_text=content.answer_text,
        )
        card_render(card, {})
        cards.append(card)
        card_tags.append(tags[tag])
    cards = Card.objects.bulk_create(cards, batch_size=1000)
    keywords_insert(cards)
    Card.tags.through.objects.bulk_create(
        (Card.tags.through(card=card, tag=tag) for card, tag in zip(cards, card_tags, strict=True)),
        batch_size=2000,
    )
    return deck


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quizzes", type=int, default=40, help="Quick quizzes per rule and deck")
    parser.add_argument("--generated", type=int, default=5000, help="cards in the generated deck")
    parser.add_argument("--seed", type=int, default=1, help="for chance's own picks")
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
        began = time.perf_counter()
        figures = play(slug, rules, args.quizzes)
        print(f"\n{label}  ({time.perf_counter() - began:.0f} s)")
        print(f"{'rule':<32} {'right / asked':>14} {'rate':>7}")
        for name, (right, asked) in figures.items():
            print(f"{name:<32} {f'{right} / {asked}':>14} {right / asked:>7.1%}")


if __name__ == "__main__":
    main()
