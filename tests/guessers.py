"""Blind players: rules that pick a choice from the question's and the choices' words alone,
without knowing anything, and a player that takes a Quick quiz through the site's pages.
bench/guessing.py and tests/test_guessing.py play Quick quizzes with them; a good quiz keeps
every rule near chance (1 in 4).

Written apart from the site's own word rules (quizzes/wording.py) on purpose: another
stop-word list and no stemming beyond a plural "s", as an outsider would write them.
"""

import random
import re
from collections.abc import Callable, Sequence

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


RULES: dict[str, Callable[[str, Sequence[str]], int]] = {
    "most shared words": most_shared_words,
    "most shared per word": most_shared_per_word,
    "most shared, longer on a tie": most_shared_then_longest,
    "longest": longest,
    "shortest": shortest,
    "yes/no for a yes/no question": yes_no_for_yes_no,
    "most like the others": most_like_the_others,
}


def chance(rng: random.Random) -> Callable[[str, Sequence[str]], int]:
    """The baseline: a random choice."""
    return lambda question, choices: rng.randrange(len(choices))


Rule = Callable[[str, Sequence[str]], int]


def play_quick_quiz(client, deck_slug: str, pick: Rule, *, watch=None) -> tuple[int, int]:
    """Take a Quick quiz on `deck_slug` through the pages, as `client` (a Django test client),
    answering each question with `pick`; returns (right answers, questions). `watch`, if
    given, sees every question as the page shows it: (question, choice texts, right index)
    after the answer, when the feedback has said which choice was right."""
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
            watch(question, texts, ids.index(answered.correct_choice_id))
    attempt = Attempt.objects.get(pk=play_url.strip("/").split("/")[-1])
    return attempt.correct_count, attempt.question_count


def page_text(element) -> str:
    """What a reader sees of `element`: its text, a line per block or list item."""
    return element.get_text("\n", strip=True)
