import re
from datetime import timedelta

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from quizzes.addresses import remembered_reverse
from quizzes.services.attempts import quick_quiz_text
from quizzes.services.decks import deck_menu

register = template.Library()

# A number and its unit of time, "20 s", "1 min", "24 hours", kept on one line.
_NUMBER_AND_UNIT = re.compile(r"(?<=\d) (?=(?:s|min|h|d|seconds?|minutes?|hours?|days?)\b)")
NO_BREAK_SPACE = "\N{NO-BREAK SPACE}"


@register.filter(is_safe=True)
def unbroken_units(text: str) -> str:
    """`text` with a no-break space between each number and its unit of time, so that a
    narrow line never leaves "20" at its end and "s" at the next one's start."""
    return _NUMBER_AND_UNIT.sub(NO_BREAK_SPACE, text)


# Where a learner's name may go on to the next line: after its punctuation
# ("christina.", "Longname_") and before a capital inside it ("Wolfe|Schlegel").
_NAME_BREAK = re.compile(r"(?<=[._@+-])(?=[^._@+-])|(?<=[a-z])(?=[A-Z])")


# A line-break chance that screen readers do not hear: site.css gives it a zero-width space
# with no alternative text. Chromium reads a <wbr> as a space ("christina. papadopoulou"),
# and a zero-width space in the text would go along when the name is copied.
NAME_BREAK_HTML = '<span class="name-break"></span>'


@register.filter
def breakable_name(name: str) -> str:
    """A learner's name with a line-break chance between each of its parts, so that a line
    too narrow for it breaks it there rather than mid-word."""
    return mark_safe(NAME_BREAK_HTML.join(escape(part) for part in _NAME_BREAK.split(name)))


@register.filter
def deck_label(deck, named_alike) -> str:
    """`deck`'s name as every page says it (Deck.label_among): "Biology (bio-b)" where
    another deck bears its name, `named_alike` being the decks' tree's (TreeScopes)."""
    return deck.label_among(named_alike or ())


@register.filter
def card_named(card, named_alike) -> str:
    """`card` as a notice names it (Card.named_among), for a page that lists many: the
    decks' tree read once for them all, not once a card."""
    return card.named_among(named_alike or ())


@register.filter
def card_named_under_deck(card, named_alike) -> str:
    """`card` named as card_named does, in a list under its deck's name: the eyes read
    "Card 7 (“Which drug…”)", the deck said once above; a screen reader, which may read a
    link on its own (a list of the page's links), still hears "Card 7 of Drugs (…)"."""
    start = card.named_question_start()
    # One span around it all: a link laid out as a flex box (a thumb's height to tap) would
    # make each piece an item of its own, dropping the space before the question.
    return format_html(
        '<span>Card {}<span class="visually-hidden"> of {}</span>{}</span>',
        card.number,
        card.named_deck_among(named_alike),
        f" (“{start}”)" if start else "",
    )


@register.filter
def duration(value: timedelta | None) -> str:
    """A time taken, e.g. "8.4 s" or "2 min 05 s"; "-" when there is none."""
    if value is None:
        return "-"
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f}{NO_BREAK_SPACE}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}{NO_BREAK_SPACE}min {rest:02d}{NO_BREAK_SPACE}s"


@register.filter
def percent(fraction: float) -> str:
    """An accuracy (0 to 1) as a whole percentage: "67%"."""
    return f"{round(fraction * 100)}%"


@register.filter
def percent_tenths(fraction: float) -> str:
    """A small share (0 to 1) to a tenth of a percent, as Anki writes an RMSE: "3.9%"."""
    return f"{fraction * 100:.1f}%"


@register.filter
def clock(milliseconds: int | None) -> str:
    """A countdown, e.g. "0:20", rounded up so it reads 0:00 only when time is up."""
    if milliseconds is None:
        return ""
    seconds = -(-max(milliseconds, 0) // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


OUTCOME_HEADINGS = {
    "correct": "Right!",
    "knew": "You knew it",
    "wrong": "Not quite",
    "didnt_know": "Now you know",
    "timed_out": "Time's up",
}


@register.filter
def outcome_heading(outcome: str) -> str:
    """How a question went, in the words of its feedback heading (and page title)."""
    return mark_safe(OUTCOME_HEADINGS.get(outcome, "Missed: the quiz ran out of time"))


@register.filter
def in_words(value: timedelta) -> str:
    """A wait in words: "one hour", "2 hours", "30 minutes"."""
    minutes = round(value.total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return "one hour" if hours == 1 else f"{hours} hours"
    return "one minute" if minutes == 1 else f"{minutes} minutes"


@register.filter
def quick_quiz(deck, with_rule=True) -> str:
    """What a Quick quiz on `deck` is, from its `choice_count` annotation; `deck|quick_quiz:False`
    names the time for length without spelling it out."""
    return unbroken_units(quick_quiz_text(askable=deck.choice_count, with_rule=with_rule))


@register.filter("deck_menu")
def deck_menu_of(decks, named_alike) -> list:
    """`decks|deck_menu:named_alike`: the decks grouped by their top branch for a deck menu
    (decks.deck_menu), `named_alike` being the decks' tree's (TreeScopes)."""
    return deck_menu(decks, named_alike or ())


# The choices' lines as the template's loop laid them out, one line each in the list.
_CHOICE_LINE = (
    '\n            <li><button type="submit" class="choice" name="choice" value="{id}"'
    ' data-key="{key}"><kbd aria-hidden="true">{key}</kbd><span class="choice-text"'
    ' dir="auto">{html}</span></button></li>\n          '
)


@register.simple_tag
def choice_buttons(choices: list[dict]) -> str:
    """A multiple-choice question's choices, a button each, numbered for the keys 1-9.
    Built here rather than by a loop of tags: the loop's ~20 nodes were a sixth of the time
    a question's fragment took to render. A choice's HTML was made safe when the quiz was
    drawn (`Card` HTML, cleaned at save or import)."""
    return mark_safe(
        "".join(
            _CHOICE_LINE.format(id=escape(choice["id"]), key=key, html=choice["html"])
            for key, choice in enumerate(choices, start=1)
        )
    )


@register.simple_tag(takes_context=True)
def quiz_title(context) -> str:
    """A question's title, "Question 2 of 10"; once answered, how it went first: "Right! ·
    Question 2 of 10". A tag rather than a partial: a question's fragment and its feedback
    bring it along, and as a partial its nodes cost a tenth of their render."""
    question = context["question"]
    heading = f"{outcome_heading(question.outcome)} \N{MIDDLE DOT} " if question.is_answered else ""
    return mark_safe(
        f"{heading}Question {question.position} of {context['attempt'].question_count}"
    )


# A question's progress and, when a clock runs, its countdown, as the template laid them
# out (the lines left blank stood for its comments).
_PROGRESS = (
    '\n<div class="quiz-progress">\n'
    '  <span class="quiz-count"><span class="quiz-count-word">Question </span>'
    '<span class="nowrap">{position} / {count}</span></span>\n'
    '  <progress max="{count}" value="{done}" aria-label="Progress">'
    "{position} / {count}</progress>\n"
    "  {countdown}\n"
    "</div>\n"
)
_COUNTDOWN = (
    "\n    \n    \n    \n"
    '    <p class="visually-hidden" aria-live="polite" data-countdown-announce></p>\n'
    "    \n    \n    \n    \n"
    '    <span class="countdown" role="timer" aria-label="{label}" '
    'data-remaining-ms="{remaining_ms}"{whole_quiz}\n'
    '          hx-get="{ask}" hx-trigger="load delay:{ask_after_ms}ms" hx-target="#quiz-stage">\n'
    "      {quiz_label}<span data-countdown-text>{clock}</span>\n"
    "    </span>\n  "
)


@register.simple_tag(takes_context=True)
def quiz_progress(context) -> str:
    """ "Question 2 / 10" and its progress bar; when a clock runs (`remaining_ms`), the
    countdown. Built here rather than by a partial of ~20 nodes, which was a quarter of a
    question's render and of its feedback's.

    The countdown's few marks are read out (quiz.js, the empty paragraph): on a feedback
    screen too, where the whole quiz's time runs on and, unannounced, its end took a learner
    reading the card's answer to the result without a word. Once its time and the grace for
    answers on their way are over, the countdown asks how the question went (`ask_after_ms`):
    the feedback comes back, or the question again if asked too early. On a feedback screen
    it is the whole quiz's clock, which keeps running: it asks for where the quiz stands,
    the result once the time is up."""
    question, attempt = context["question"], context["attempt"]
    answered = question.is_answered
    countdown = ""
    remaining_ms = context.get("remaining_ms")
    if remaining_ms is not None:
        whole_quiz = context.get("whole_quiz")
        # An answered question's clock is the whole quiz's: it asks where the quiz stands.
        ask = remembered_reverse("attempt_play", attempt.pk) if answered else question.url
        countdown = _COUNTDOWN.format(
            label="Time left for the quiz" if answered else "Time left",
            remaining_ms=remaining_ms,
            whole_quiz=" data-whole-quiz" if whole_quiz else "",
            ask=escape(ask),
            ask_after_ms=context.get("ask_after_ms", ""),
            quiz_label='<span class="countdown-label">Quiz</span> ' if whole_quiz else "",
            clock=clock(remaining_ms),
        )
    return mark_safe(
        _PROGRESS.format(
            position=question.position,
            count=attempt.question_count,
            done=question.position if answered else question.position - 1,
            countdown=countdown,
        )
    )


# The feedback's choices as the template's loop laid them out, one line each in the list.
_FEEDBACK_LINE = "\n        \n          {}\n        \n      "
_CHOICE_TEXT = '<span class="choice-text" dir="auto">{}</span>'
_MARKED_CHOICE = (
    '<li class="feedback-choice {kind}"><span class="choice-mark"><span aria-hidden="true">'
    "{sign}</span> {mark}</span>{text}</li>"
)


@register.simple_tag
def feedback_choices(question) -> str:
    """Every choice of an answered multiple-choice question, the learner's own and the right
    one marked and first (`AttemptQuestion.feedback_choices`). Built here rather than by a
    loop of tags, as the question's buttons are: the loop's ~30 nodes were a quarter of the
    feedback's render."""
    right, chosen = question.correct_choice_id, question.chosen_choice_id
    late = question.outcome == "timed_out"
    lines = []
    for choice in question.feedback_choices:
        text = _CHOICE_TEXT.format(choice["html"])
        if choice["id"] == right and choice["id"] != chosen:
            line = _MARKED_CHOICE.format(
                kind="is-right", sign="\N{CHECK MARK}", mark="The right answer", text=text
            )
        elif choice["id"] == right:
            mark = "Your answer, right but too late" if late else "Your answer, right"
            line = _MARKED_CHOICE.format(
                kind="is-right your-answer", sign="\N{CHECK MARK}", mark=mark, text=text
            )
        elif choice["id"] == chosen:
            mark = "Your answer, too late" if late else "Your answer"
            line = _MARKED_CHOICE.format(
                kind="is-wrong your-answer", sign="\N{BALLOT X}", mark=mark, text=text
            )
        else:
            line = f'<li class="feedback-choice">{text}</li>'
        lines.append(_FEEDBACK_LINE.format(line))
    return mark_safe("".join(lines))


@register.simple_tag
def site_url(name: str) -> str:
    """`{% url name %}` for an address without arguments (the navigation's), reversed once
    per process for what it depends on: a reversal is ~70 Python calls, and every page's
    navigation has six to eight. Not for a namespaced name (admin's), which reads the
    request's current app."""
    return remembered_reverse(name)
