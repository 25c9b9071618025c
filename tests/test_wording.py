"""What a card's words say about it (quizzes/wording.py): no database, plain text in."""

import pytest

from quizzes.wording import (
    TOPIC_STOPWORDS,
    AnswerKind,
    ChoiceWords,
    answer_kind,
    choice_words,
    content_words,
    echo_length,
    is_yes_no_question,
    keywords,
    kind_distance,
    reader_words,
    short_form_length,
    stem,
)


def echo(question: str, answer: str) -> str:
    """The answer's first line as a choice shows it: what is left after the echo."""
    words = answer.splitlines()[0].split()
    return " ".join(words[echo_length(question, answer) :])


@pytest.mark.parametrize(
    ("question", "answer", "shown"),
    [
        # A lead-in before a list goes whole: the list is the answer.
        (
            "What are two ways of fixing the small batch problem that affects BatchNorm?",
            "The two ways of fixing the small batch problem that affects BatchNorm are:\n"
            "greater epsilon\nrunning BatchNorm",
            "",
        ),
        ("What is a decorator?", "A decorator is:\na function\nthat returns", ""),
        # "X is ..." for "What is X?"
        (
            "What is label smoothing?",
            "Label smoothing is a very effective technique for noisy labels.",
            "a very effective technique for noisy labels.",
        ),
        # ... up to "is called".
        (
            "What is the name of the process in which matrix a will be represented in memory "
            "as matching the shape of matrix b?",
            "The operation in which one matrix is represented in memory as matching another "
            "is called broadcasting.",
            "broadcasting.",
        ),
        # "You need to <verb of the question>" before what is new.
        (
            "What do you need to call on an nn.Module to export its parameters?",
            "You need to call module.state_dict(). You can then save it.",
            "module.state_dict(). You can then save it.",
        ),
    ],
)
def test_the_words_that_only_restate_the_question_are_left_out(question, answer, shown):
    assert echo(question, answer) == shown


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # The polarity is the answer to a yes/no question.
        ("Assume you are behind. Should you worry?", "Do not worry - it is fine."),
        ("Is it faster?", "Yes, it is faster on a GPU."),
        # Naming one of the question's alternatives is the answer.
        (
            "Which is more sensitive to outliers, mean absolute deviation or standard deviation?",
            "Standard deviation is more sensitive to outliers than mean absolute deviation.",
        ),
        (
            "Are operations faster on Byte or Float tensors?",
            "Operations on Byte tensors are much faster.",
        ),
        # What would be left repeats the question too.
        (
            "Which set (training, validation or test) should you use to calculate the mean?",
            "You should calculate the mean on the train set.",
        ),
        # A clause is not an answer of its own.
        (
            "What should you focus on when formatting your code?",
            "You should format your code so that you can understand it better.",
        ),
        # Nothing of the question at all.
        ("What is a closure?", "It is a function that stores some information."),
    ],
)
def test_an_answer_is_kept_whole_where_cutting_would_lose_it(question, answer):
    assert echo_length(question, answer) == 0


def test_yes_no_questions_are_told_by_their_last_sentence():
    assert is_yes_no_question("Training with fp16 is faster. Are all calculations in fp16?")
    assert is_yes_no_question("Does L2 regularization help with BatchNorm?")
    assert not is_yes_no_question("Is it fast? What does it cost?")


def test_a_long_answer_shows_its_first_whole_sentences():
    answer = (
        "It cannot be used for online training (batch size of 1). Anytime we have a small "
        "batch size we either will be unable to train or the training will be unstable. "
        "It will also be problematic for an RNN."
    )

    kept = short_form_length(answer)

    assert " ".join(answer.split()[:kept]) == (
        "It cannot be used for online training (batch size of 1)."
    )


def test_a_too_short_first_sentence_takes_the_next_one_along():
    answer = (
        "BatchNorm! If we freeze entire modules of our model, the layers get other inputs. "
        "The way to correct this is to fine tune the BatchNorm layers, whatever you freeze."
    )
    shown = " ".join(answer.split()[: short_form_length(answer)])
    assert shown == (
        "BatchNorm! If we freeze entire modules of our model, the layers get other inputs."
    )


@pytest.mark.parametrize(
    "answer",
    [
        "Short enough to show whole.",
        "A list item that goes on and on\nand another one, both of them shown as they are written",
        "One single long sentence " + "that never ends " * 10 + "at all.",
    ],
)
def test_short_answers_lists_and_single_sentences_show_whole(answer):
    assert short_form_length(answer) == 0


@pytest.mark.parametrize(
    ("text", "code_share", "kind"),
    [
        ("No.", 0.0, AnswerKind.YES_NO),
        ("Yes, otherwise squeeze removes every unit axis.", 0.0, AnswerKind.YES_NO),
        ("Most of the time, yes.", 0.0, AnswerKind.YES_NO),
        ("__call__", 1.0, AnswerKind.CODE),
        ("getattr(something, 'val', False)", 0.9, AnswerKind.CODE),
        ("greater epsilon\nrunning BatchNorm", 0.0, AnswerKind.LIST),
        ("get data - augment data - regularize - simplify", 0.0, AnswerKind.LIST),
        ("mean absolute deviation", 0.0, AnswerKind.TERM),
        ("It is a function that stores some information.", 0.0, AnswerKind.PROSE),
        ("Nothing is known about this answer yet", 0.0, AnswerKind.PROSE),
    ],
)
def test_the_kind_of_an_answer(text, code_share, kind):
    assert answer_kind(text, code_share=code_share) is kind


def test_kinds_that_stand_in_for_each_other():
    assert kind_distance("term", "term") == 0
    assert kind_distance("term", "code") == 1
    assert kind_distance("prose", "list") == 1
    assert kind_distance("code", "list") == 2
    assert kind_distance("yes_no", "prose") == 3  # a yes beside no other yes gives itself away


def test_words_are_stemmed_and_stop_words_dropped():
    assert [stem(w) for w in ("batches", "training", "trained", "normalize", "normalizing")] == [
        "batch",
        "train",
        "train",
        "normaliz",
        "normaliz",
    ]
    question = "What does the code above do with __call__ and state_dict?"
    assert content_words(question) == ["state_dict"]
    # "call" is question phrasing ("what is it called"), but a topic word too.
    assert content_words(question, stopwords=TOPIC_STOPWORDS) == ["call", "state_dict"]


def test_a_choices_words_are_kept_as_written_and_stemmed_and_read_back():
    found = choice_words("The batches of __init__: 3 normalized layers, a x.")

    assert found.written == {"batches", "init", "3", "normalized", "layers", "x"}
    assert found.stems == {"batch", "init", "3", "normaliz", "layer"}  # "x": one letter
    assert ChoiceWords.from_stored(*found.stored()) == found
    assert choice_words("") == ChoiceWords.from_stored("", "") == (frozenset(), frozenset())


def test_keywords_put_the_words_of_both_sides_first():
    found = keywords("How does LayerNorm differ from BatchNorm?", "LayerNorm works per input.")
    assert found[0] == "layernorm"
    assert "batchnorm" in found and "does" not in found
    assert len(keywords("a " * 50 + " ".join(f"word{n}" for n in range(30)), "")) == 8


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("You train your model.", 2),
        ("We give us our own loss.", 3),  # "we", "us", "our": each once
        ("Us, of all people.", 1),  # a sentence's first word is the pronoun still
        ("Exports from the US grew.", 0),  # the country, not the reader
        ("The US gives us a grant.", 1),
        ("OUR is an acronym here.", 0),
        ("our_model is trained.", 0),  # one identifier, no pronoun
        ("The loss goes down.", 0),
    ],
)
def test_the_words_that_speak_to_the_reader_are_the_pronouns_not_acronyms(text, count):
    assert reader_words(text) == count
