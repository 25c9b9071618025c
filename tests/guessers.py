"""Blind players: rules that pick a choice from the question's and the choices' words alone,
without knowing anything, and a player that takes a Quick quiz through the site's pages.
bench/guessing.py and tests/test_guessing.py play Quick quizzes with them, on the fastai deck
and on a generated deck (`build_generated_deck`); a good quiz keeps every rule near chance
(1 in 4).

Written apart from the site's own word rules (quizzes/wording.py) on purpose: another
stop-word list and no stemming beyond a plural "s", as an outsider would write them.
"""

import functools
import itertools
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import NamedTuple

# The common English stop words (NLTK's list).
_STOPWORD_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now d ll m o re ve y ain aren couldn didn doesn hadn hasn haven isn ma mightn
    mustn needn shan shouldn wasn weren won wouldn
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_AUXILIARY_TEXT = (
    "is are was were do does did can could should would will has have had may might must"
)
_AUXILIARIES = frozenset(_AUXILIARY_TEXT.split())
_YES_NO = re.compile(r"^\W*(yes|no)\b|\b(yes|no)\W*$", re.IGNORECASE)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9_]+", text.casefold())


def content(text: str) -> set[str]:
    """The words that carry meaning, a plural "s" dropped."""
    return {
        word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
        for word in words(text)
        if word not in STOPWORDS and len(word) > 1
    }


def _shared(question: str, choice: str) -> int:
    return len(content(question) & content(choice))


def _per_word(question: str, choice: str) -> float:
    return _shared(question, choice) / max(len(words(choice)), 1)


def _similarity(one: str, other: str) -> float:
    a, b = content(one), content(other)
    return len(a & b) / len(a | b) if a | b else 0.0


def _best(choices: Sequence[str], score: Callable[[str], object]) -> int:
    """The first choice with the highest score (the page shuffles choices, so "first" among
    equals is a random one)."""
    scores = [score(choice) for choice in choices]
    return scores.index(max(scores))


def is_yes_no_question(question: str) -> bool:
    clauses = re.split(r"[.?!,;]\s*", question.casefold())
    return any(clause.split()[:1] and clause.split()[0] in _AUXILIARIES for clause in clauses)


def most_shared_words(question: str, choices: Sequence[str]) -> int:
    return _best(choices, lambda choice: _shared(question, choice))


def most_shared_per_word(question: str, choices: Sequence[str]) -> int:
    return _best(choices, lambda choice: _per_word(question, choice))


def most_shared_then_longest(question: str, choices: Sequence[str]) -> int:
    return _best(choices, lambda choice: (_shared(question, choice), len(choice)))


def fewest_shared_words(question: str, choices: Sequence[str]) -> int:
    """The other way round: a quiz that keeps the right answer from repeating the question
    most must not make it the choice that repeats it least."""
    return _best(choices, lambda choice: -_shared(question, choice))


def fewest_shared_per_word(question: str, choices: Sequence[str]) -> int:
    return _best(choices, lambda choice: -_per_word(question, choice))


def fewest_words(question: str, choices: Sequence[str]) -> int:
    return _best(choices, lambda choice: -len(words(choice)))


def longest(question: str, choices: Sequence[str]) -> int:
    return _best(choices, len)


def shortest(question: str, choices: Sequence[str]) -> int:
    return _best(choices, lambda choice: -len(choice))


def yes_no_for_yes_no(question: str, choices: Sequence[str]) -> int:
    """For a yes/no question, a choice that says yes or no; otherwise the first choice."""
    if is_yes_no_question(question):
        return _best(choices, lambda choice: bool(_YES_NO.search(choice.strip())))
    return 0


def most_like_the_others(question: str, choices: Sequence[str]) -> int:
    return _best(
        choices,
        lambda choice: sum(_similarity(choice, other) for other in choices if other is not choice),
    )


# The course's own voice: its answers say "we" and "you" ("you need to account for the
# halved variance"), where wrong answers written apart from it may not.
_READER_WORDS = frozenset(
    ["we", "us", "our", "ours", "you", "your", "yours", "yourself", "yourselves"]
)


def speaks_to_the_reader(question: str, choices: Sequence[str]) -> int:
    return _best(choices, lambda choice: len(_READER_WORDS.intersection(words(choice))))


def fewest_extremes(question: str, choices: Sequence[str]) -> int:
    """The choice alone at the top or the bottom of the fewest surface cues (length, words,
    words shared with the question in all and per word, likeness to the others): wrong
    answers each written to stand apart on some cue left the right one in the middle."""
    cues = [
        [len(choice) for choice in choices],
        [len(words(choice)) for choice in choices],
        [_shared(question, choice) for choice in choices],
        [_per_word(question, choice) for choice in choices],
        [sum(_similarity(one, other) for other in choices if other is not one) for one in choices],
    ]
    extremes = [
        sum(
            values.count(values[place]) == 1 and values[place] in (min(values), max(values))
            for values in cues
        )
        for place in range(len(choices))
    ]
    return extremes.index(min(extremes))


def neither_longest_nor_shortest(question: str, choices: Sequence[str]) -> int:
    """The first choice in the middle of the lengths: "longest" and "shortest" are right
    less often than chance, so a test-taker strikes both."""
    lengths = [len(choice) for choice in choices]
    middle = [place for place, length in enumerate(lengths) if min(lengths) < length < max(lengths)]
    return middle[0] if middle else 0


def opens_with_a_word_of_the_question(question: str, choices: Sequence[str]) -> int:
    """The choice whose first meaningful word the question says: the answer that takes up
    the question where it left off ("What is label smoothing?" "Label smoothing is ...")."""

    def opening(choice: str) -> bool:
        first = next((word for word in words(choice) if word not in STOPWORDS), "")
        return bool(first) and first in content(question) | set(words(question))

    return _best(choices, opening)


def _letter_groups(text: str) -> set[str]:
    """The runs of four letters in the meaningful words, each word padded at its ends:
    "directories" and "directory", "classmethod" and "class method" share some."""
    groups = set()
    for word in words(text):
        if word not in STOPWORDS:
            padded = f"#{word}#"
            groups.update(padded[i : i + 4] for i in range(len(padded) - 3))
    return groups


def most_shared_letter_groups(question: str, choices: Sequence[str]) -> int:
    """The echo read below the words: the choice sharing the most runs of four letters with
    the question. The engine places the right answer at random on its own word-counting
    echo cues, where "directories" is not "directory"; another way of counting need not
    follow."""
    asked = _letter_groups(question)
    return _best(choices, lambda choice: len(asked & _letter_groups(choice)))


def the_longer_of_the_twins(question: str, choices: Sequence[str]) -> int:
    """Of the two choices most alike (shared words over all their words), the longer: a
    wrong answer written from the right one ("Bilinear with antialiasing: ... Always look at
    the results.") stays its near twin, and a test-taker bets on the pair."""
    pairs = itertools.combinations(range(len(choices)), 2)
    one, other = max(pairs, key=lambda pair: _similarity(*(choices[p] for p in pair)))
    return one if len(choices[one]) >= len(choices[other]) else other


def longest_words_on_average(question: str, choices: Sequence[str]) -> int:
    """The choice in the longest words, letters per word: the right answer speaks its
    topic's jargon ("initialization", "RandomResizedCrop"), where wrong answers borrowed
    from unrelated cards may be plain ("It is a callback!")."""
    return _best(choices, lambda choice: len("".join(words(choice))) / max(len(words(choice)), 1))


_REASON = re.compile(r"\b(because|since|so|so that|to|as|otherwise)\b", re.IGNORECASE)


def a_reason_for_why(question: str, choices: Sequence[str]) -> int:
    """For a "Why ...?" question, a choice that gives a reason or a purpose ("because",
    "so", "to"); otherwise the first choice."""
    if re.search(r"\bwhy\b", question, re.IGNORECASE):
        return _best(choices, lambda choice: bool(_REASON.search(choice)))
    return 0


# Wrong answers an editor wrote for one card share words with each other and with its
# answer (a tenth of their words, on average, pair by pair); answers borrowed from unrelated
# cards hardly any. On the fastai deck, across 13 draws of its shuffle keys: 299 of 351
# curated cards' sets of four above this, none of 338 borrowing cards' sets.
ALIKE_CHOICES = 0.08


def twins_if_written_alike(question: str, choices: Sequence[str]) -> int:
    """A player who sorts the question by its choices alone: four choices written alike were
    written by an editor around the answer, so the longer of the twins; otherwise the wrong
    answers are borrowed from other cards, so the choice in its topic's jargon."""
    pairs = list(itertools.combinations(choices, 2))
    alike = sum(_similarity(one, other) for one, other in pairs) / max(len(pairs), 1)
    if alike > ALIKE_CHOICES:
        return the_longer_of_the_twins(question, choices)
    return longest_words_on_average(question, choices)


RULES: dict[str, Callable[[str, Sequence[str]], int]] = {
    "most shared words": most_shared_words,
    "most shared per word": most_shared_per_word,
    "most shared, longer on a tie": most_shared_then_longest,
    "fewest shared words": fewest_shared_words,
    "fewest shared per word": fewest_shared_per_word,
    "longest": longest,
    "shortest": shortest,
    "fewest words": fewest_words,
    "yes/no for a yes/no question": yes_no_for_yes_no,
    "most like the others": most_like_the_others,
    "speaks to the reader (we, you)": speaks_to_the_reader,
    "fewest extremes": fewest_extremes,
    "neither longest nor shortest": neither_longest_nor_shortest,
    "opens with a word of the question": opens_with_a_word_of_the_question,
    # The adversary round of session 30's, for the curated cards: a wrong answer written
    # from the right one left the right one the longer of the two most alike, in 42 % of
    # every order of their four choices (49 % with the longest words besides), until two
    # wrong answers were made the most alike pair on most of them.
    "the longer of the two most alike": the_longer_of_the_twins,
    "the twins if written alike, else the longest words": twins_if_written_alike,
    "the longest words on average": longest_words_on_average,
    "a reason for a why question": a_reason_for_why,
}


class Shown(NamedTuple):
    """A question as a blind player's script reads it off the page: the question, each
    choice's text and markup (its button's HTML) and the value its button posts."""

    question: str
    texts: list[str]
    markup: list[str]
    values: list[str]


_TAG = re.compile(r"<[^>]*>")
_HEDGE_TEXT = "can could may might often usually generally typically some sometimes tends mostly"
_HEDGES = frozenset(_HEDGE_TEXT.split())


def _markup_shape(markup: str) -> str:
    """A choice's markup without its words: what sets a list, code or emphasis apart."""
    return "".join(_TAG.findall(markup))


def _looks(shown: Shown) -> list[list[object]]:
    """Surface features a choice can stand alone by among its question's."""
    return [
        [_markup_shape(markup) for markup in shown.markup],
        ["<code" in markup for markup in shown.markup],
        [bool(re.search(r"\d", text)) for text in shown.texts],
        [text.rstrip().endswith(".") for text in shown.texts],
        [text[:1].isupper() for text in shown.texts],
    ]


def _lone(shown: Shown) -> set[int]:
    """The choices alone in looking as they do on some feature, the three others alike."""
    found = set()
    for values in _looks(shown):
        counts = Counter(values)
        if len(counts) == 2 and min(counts.values()) == 1 and len(values) > 2:
            found.add(values.index(min(counts, key=counts.get)))
    return found


def strike_the_odd_one_out(shown: Shown) -> int:
    """The first choice that does not stand alone by its look: a test-taker's trick, the
    odd one out is wrong."""
    lone = _lone(shown)
    return next((place for place in range(len(shown.texts)) if place not in lone), 0)


def pick_the_odd_one_out(shown: Shown) -> int:
    return min(_lone(shown), default=0)


def most_hedged(shown: Shown) -> int:
    return _best(shown.texts, lambda text: len(_HEDGES.intersection(words(text))))


def _struck(shown: Shown, strikes: Sequence[str]) -> int:
    """The first choice none of `strikes` (names in STRIKERS) strikes out; the first choice
    when they strike every one."""
    out = set().union(*(STRIKERS[name](shown) for name in strikes))
    return next((place for place in range(len(shown.texts)) if place not in out), 0)


# A test-taker's way with cues that are right less often than chance: strike the choices
# they point at, and take a choice among the rest.
STRIKERS: dict[str, Callable[[Shown], set[int]]] = {
    "echo": lambda shown: {most_shared_then_longest(shown.question, shown.texts)},
    "odd look": _lone,
    "shortest": lambda shown: {shortest(shown.question, shown.texts)},
    "longest": lambda shown: {longest(shown.question, shown.texts)},
}
STRIKES = [
    ("echo", "odd look", "shortest"),
    *itertools.combinations(STRIKERS, 2),
]


# Rules that read more of the page than the words: the place of a choice, the value its
# button posts, its markup (a script reads the raw HTML).
PAGE_RULES: dict[str, Callable[[Shown], int]] = {
    "first": lambda shown: 0,
    "second": lambda shown: 1 % len(shown.texts),
    "third": lambda shown: 2 % len(shown.texts),
    "last": lambda shown: len(shown.texts) - 1,
    "lowest value posted": lambda shown: shown.values.index(min(shown.values)),
    "highest value posted": lambda shown: shown.values.index(max(shown.values)),
    "shortest markup": lambda shown: _best(shown.markup, lambda markup: -len(markup)),
    "longest markup": lambda shown: _best(shown.markup, len),
    "most markup tags": lambda shown: _best(shown.markup, lambda m: len(_TAG.findall(m))),
    "fewest markup tags": lambda shown: _best(shown.markup, lambda m: -len(_TAG.findall(m))),
    "the odd one out struck": strike_the_odd_one_out,
    "the odd one out": pick_the_odd_one_out,
    "most hedged": most_hedged,
    **{
        "struck: " + ", ".join(strikes): functools.partial(_struck, strikes=strikes)
        for strikes in STRIKES
    },
}


def every_rule(shown: Shown) -> dict[str, int]:
    """The choice each blind rule picks for `shown`."""
    picks = {name: rule(shown.question, shown.texts) for name, rule in RULES.items()}
    return picks | {name: rule(shown) for name, rule in PAGE_RULES.items()}


class Memory:
    """A player who knows nothing but remembers every choice it has seen, in every quiz it
    played: how often, and beside how many different questions. Across many quizzes a
    card's right answer comes with its question every time and may come back as a wrong
    choice elsewhere, so a choice seen often feels familiar; a quiz that gives that away
    lets a learner replaying Quick quizzes score by familiarity alone. It never reads the
    feedback (which says the right answer: that is learning the deck)."""

    # The names of the rules `picks` plays.
    RULES = (
        "seen most",
        "seen least",
        "seen beside the most questions",
        "seen beside the fewest questions",
        "seen most beside this question",
    )

    def __init__(self):
        self.times: Counter[str] = Counter()
        self.questions: dict[str, set[str]] = {}
        # For each question, how often each choice came with it: its right answer comes
        # every time, a wrong answer drawn among other cards' only now and then.
        self.beside: dict[str, Counter[str]] = {}

    def picks(self, question: str, choices: Sequence[str]) -> dict[str, int]:
        """Each remembering rule's pick for `question`, from what was seen before it; then
        remembers `choices`."""
        times = [self.times[choice] for choice in choices]
        beside = [len(self.questions.get(choice, ())) for choice in choices]
        with_it = self.beside.setdefault(question, Counter())
        here = [with_it[choice] for choice in choices]
        picks = {
            "seen most": times.index(max(times)),
            "seen least": times.index(min(times)),
            "seen beside the most questions": beside.index(max(beside)),
            "seen beside the fewest questions": beside.index(min(beside)),
            "seen most beside this question": here.index(max(here)),
        }
        self.times.update(choices)
        with_it.update(choices)
        for choice in choices:
            self.questions.setdefault(choice, set()).add(question)
        return picks


# Rules of the adversary round of session 30 not in RULES, for the lead to weigh: the echo
# read in runs of four letters is right 21 % of the time among the curated cards' own wrong
# answers (tests/test_guessing.py plays it there), but 30.1 % on the generated deck and
# 34.5 % on the fastai cards that borrow their wrong answers (300 planned Quick quizzes).
RULES_UNDER_REVIEW: dict[str, Callable[[str, Sequence[str]], int]] = {
    "most shared runs of four letters": most_shared_letter_groups,
}


class SortingMemory(Memory):
    """A player who remembers, and uses it only to sort the questions: one whose four
    choices it never saw beside another question is asked among its editors' own wrong
    answers (a curated card's answer and wrong answers stay home), the others borrow other
    cards' answers. It then plays a cue that suits each kind: the twins among hand-written
    wrong answers; among borrowed ones, the echo below the words or the jargon."""

    BORROWED = {
        "sorted: twins, else runs of four letters": most_shared_letter_groups,
        "sorted: twins, else longest words": longest_words_on_average,
    }
    RULES = tuple(BORROWED)

    def picks(self, question: str, choices: Sequence[str]) -> dict[str, int]:
        kept_home = all(self.questions.get(choice, {question}) == {question} for choice in choices)
        super().picks(question, choices)
        if kept_home:
            twins = the_longer_of_the_twins(question, choices)
            return dict.fromkeys(self.RULES, twins)
        return {name: rule(question, choices) for name, rule in self.BORROWED.items()}


def chance(rng: random.Random) -> Callable[[str, Sequence[str]], int]:
    """The baseline: a random choice."""
    return lambda question, choices: rng.randrange(len(choices))


Rule = Callable[[str, Sequence[str]], int]


def play_quick_quiz(client, deck_slug: str, pick: Rule, *, watch=None) -> tuple[int, int]:
    """Take a Quick quiz on `deck_slug` through the pages, as `client` (a Django test client),
    answering each question with `pick`; returns (right answers, questions). `watch`, if
    given, sees every question as the page shows it: (Shown, right index) after the
    answer, when the feedback has said which choice was right."""
    from bs4 import BeautifulSoup

    from quizzes.models import Attempt

    start = client.post("/quiz/quick/", {"deck": deck_slug})
    play_url = start["Location"]
    while True:
        page = client.get(play_url, follow=True)
        landed = page.redirect_chain[-1][0] if page.redirect_chain else play_url
        form = BeautifulSoup(page.content, "html.parser").select_one("form.quiz-answer")
        if landed.endswith("/result/") or form is None:
            break
        question = page_text(BeautifulSoup(page.content, "html.parser").select_one(".quiz-prompt"))
        buttons = form.select("button[name=choice]")
        texts = [page_text(button.select_one(".choice-text")) for button in buttons]
        picked = buttons[pick(question, texts)]["value"]
        position = form.select_one("input[name=position]")["value"]
        client.post(form["action"], {"position": position, "choice": picked})
        if watch is not None:
            attempt_id = play_url.strip("/").split("/")[-1]
            answered = Attempt.objects.get(pk=attempt_id).questions.get(position=position)
            ids = [button["value"] for button in buttons]
            markup = [str(button.select_one(".choice-text")) for button in buttons]
            watch(Shown(question, texts, markup, ids), ids.index(answered.correct_choice_id))
    attempt = Attempt.objects.get(pk=play_url.strip("/").split("/")[-1])
    return attempt.correct_count, attempt.question_count


def page_text(element) -> str:
    """What a reader sees of `element`: its text, a line per block or list item."""
    return element.get_text("\n", strip=True)


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
    from quizzes.models.deck import SHUFFLE_KEY_RANGE
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
            # From the same seed: the same deck, and the same quizzes from the same seeds.
            shuffle_key=rng.randrange(SHUFFLE_KEY_RANGE),
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
