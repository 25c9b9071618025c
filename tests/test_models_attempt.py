"""Attempt's display rules: the time limit in words, the accuracy as a percentage."""

import pytest
from django.template import Context, Template

from quizzes.models import Attempt


@pytest.mark.parametrize(
    ("kind", "seconds", "label"),
    [
        ("none", None, "no time limit"),
        ("per_question", 20, "20 s per question"),
        ("whole_quiz", 300, "5 min for the whole quiz"),
        ("whole_quiz", 90, "1 min 30 s for the whole quiz"),
        ("whole_quiz", 65, "1 min 05 s for the whole quiz"),
    ],
)
def test_the_time_limit_reads_as_words(kind, seconds, label):
    attempt = Attempt(time_limit_kind=kind, time_limit_seconds=seconds)
    assert attempt.time_limit_label == label


@pytest.mark.parametrize(
    ("correct", "count", "shown"),
    [(2, 3, "67%"), (1, 3, "33%"), (3, 3, "100%"), (0, 4, "0%"), (1, 8, "12%"), (0, 0, "0%")],
)
def test_the_accuracy_shows_as_a_whole_percentage(correct, count, shown):
    """Rounded as {% widthratio %} did (half to even): 1 / 8 is 12%."""
    attempt = Attempt(correct_count=correct, question_count=count)
    template = Template("{% load quiz_format %}{{ attempt.accuracy|percent }}")
    assert template.render(Context({"attempt": attempt})) == shown
