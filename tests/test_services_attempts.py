import itertools
import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes import engine, wording
from quizzes.models import (
    Attempt,
    AttemptQuestion,
    CachedImage,
    Card,
    CardImage,
    CardKeyword,
    CardMemory,
    Deck,
    Distractor,
    ReviewLog,
    Tag,
)
from quizzes.models.deck import SHUFFLE_KEY_RANGE
from quizzes.services import attempts as services
from quizzes.services import challenges, leaderboard, progress
from quizzes.services.card_pages import cards_rerender, distractor_render
from tests.factories import give_wrong_answers
from tests.queryplans import query_plan, statement_plan

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
PER_QUESTION_20 = engine.TimeLimit(kind=engine.TimeLimitKind.PER_QUESTION, seconds=20)
WHOLE_QUIZ_60 = engine.TimeLimit(kind=engine.TimeLimitKind.WHOLE_QUIZ, seconds=60)
# Time enough to read a question of the synthetic deck and its choices.
READ = timedelta(seconds=8)


@pytest.fixture
def deck(make_deck):
    """Twelve cards, enough for a Quick quiz; much faster to build than the real deck."""
    return make_deck(12, tags=("cnn", "rnn", "nlp"))


def start(user, deck, *, count=3, limit=PER_QUESTION_20, mode="multiple_choice", seed=7, **kw):
    config = services.QuizConfig(
        deck=deck,
        question_count=count,
        mode=engine.QuizMode(mode),
        time_limit=limit,
        **kw,
    )
    return services.attempt_start(user=user, session_key="", config=config, seed=seed, now=NOW)


def answer_right(attempt, question, at):
    return services.answer_submit(
        attempt=attempt, question=question, choice_id=question.correct_choice_id, now=at
    )


def wrong_choice(question):
    return next(c["id"] for c in question.choices if c["id"] != question.correct_choice_id)


def right_text(question):
    return next(c["text"] for c in question.choices if c["id"] == question.correct_choice_id)


# --- Starting ---


def test_it_stores_the_drawn_questions_and_choices(alice, deck):
    attempt = start(alice, deck, count=5)

    questions = list(attempt.questions.order_by("position"))
    assert [q.position for q in questions] == [1, 2, 3, 4, 5]
    assert len({q.card_id for q in questions}) == 5
    for question in questions:
        assert len(question.choices) == 4
        assert question.correct_choice_id in {c["id"] for c in question.choices}
        correct = next(c for c in question.choices if c["id"] == question.correct_choice_id)
        assert correct["card_id"] == question.card_id
        assert question.started_at is None and question.outcome == ""
    assert attempt.user == alice and attempt.seed == 7 and attempt.question_count == 5
    assert attempt.deadline_at is None  # a per-question limit has no overall deadline


def test_the_same_seed_gives_the_same_quiz(alice, bob, deck):
    first = start(alice, deck, count=4, seed=42)
    second = start(bob, deck, count=4, seed=42)
    rows = lambda attempt: list(attempt.questions.values_list("card_id", "choices"))  # noqa: E731
    assert rows(first) == rows(second)


def test_it_caps_the_question_count_at_the_cards_available(alice, make_deck):
    deck = make_deck(4)
    attempt = start(alice, deck, count=10)
    assert attempt.question_count == 4
    assert attempt.questions.count() == 4


def test_multiple_choice_leaves_out_answers_that_need_a_missing_image(alice, fastai_deck):
    summary = services.quiz_pool_summary(deck=fastai_deck)

    # Card 78's answer is only an image; card 68's says "we can do this:" before one.
    needs_image = set(
        Card.objects.filter(deck=fastai_deck, choice_html="").values_list("number", flat=True)
    )
    assert needs_image == {68, 78}
    assert [(g.reason, g.count) for g in summary["multiple_choice"].left_out] == [
        (engine.LeftOutReason.ANSWER_NEEDS_MISSING_IMAGE, 2),
        (engine.LeftOutReason.QUESTION_IMAGE_NOT_CACHED, 24),
    ]
    # The 24 questions with an image not cached are left out too, in both modes.
    assert summary["multiple_choice"].available == 79 - 2 - 24
    assert summary["flashcard"].available == 79 - 24
    asked = {q.card.number for q in start(alice, fastai_deck, count=60).questions.all()}
    # Every one of them, the list answers too (22, 71), whose only fitting wrong answers are
    # then other questions' answers: offered again rather than leave them a single choice.
    assert len(asked) == 53 and not asked & {68, 78}


def test_cloze_cards_are_flashcards_only(alice, make_deck):
    from quizzes.services.anki_io import anki_import_apply

    deck = make_deck(5)
    anki_import_apply(deck=deck, data="#notetype:Cloze\n{{c1::a}} {{c2::b}}\t\n", source="c.txt")
    cloze_ids = set(deck.cards.filter(is_cloze=True).values_list("id", flat=True))

    summary = services.quiz_pool_summary(deck=deck)
    choice = start(alice, deck, count=10)
    flashcards = start(alice, deck, count=10, mode="flashcard")

    assert len(cloze_ids) == 2
    assert [(g.reason, g.count) for g in summary["multiple_choice"].left_out] == [
        (engine.LeftOutReason.CLOZE, 2)
    ]
    offered = {c["card_id"] for q in choice.questions.all() for c in q.choices}
    assert not cloze_ids & (offered | set(choice.questions.values_list("card_id", flat=True)))
    assert cloze_ids <= set(flashcards.questions.values_list("card_id", flat=True))


def test_questions_needing_an_uncached_image_are_left_out_until_it_is_cached(alice, make_deck):
    deck = make_deck(5)
    card = deck.cards.get(number=1)
    image = CachedImage.objects.create(url="https://aiquizzes.com/a.png")
    CardImage.objects.create(card=card, image=image, side="question", position=0)
    Card.objects.filter(pk=card.pk).update(question_html=f'<img src="{image.url}"> What is it?')
    cards_rerender(Card.objects.filter(pk=card.pk))

    summary = services.quiz_pool_summary(deck=deck)["flashcard"]
    assert summary.available == 4
    assert summary.left_out[0].message == (
        "1 card left out: its question needs a picture this site does not have yet"
    )
    flashcards = start(alice, deck, count=5, mode="flashcard")
    assert card.id not in set(flashcards.questions.values_list("card_id", flat=True))

    CachedImage.objects.filter(pk=image.pk).update(status="cached", file="images/a.png")
    cards_rerender(Card.objects.filter(pk=card.pk))
    assert services.quiz_pool_summary(deck=deck)["flashcard"].available == 5


def test_tags_restrict_the_questions_but_not_the_wrong_answers(alice, make_deck):
    deck = make_deck(12, tags=("cnn", "rnn"))
    cnn = deck.cards.first().tags.get()
    attempt = start(alice, deck, count=12, tags=(cnn,))

    asked = set(attempt.questions.values_list("card_id", flat=True))
    assert asked == set(cnn.cards.values_list("id", flat=True))
    offered = {c["card_id"] for q in attempt.questions.all() for c in q.choices}
    assert offered - asked, "distractors may come from the whole deck"


def test_multiple_choice_on_a_deck_of_one_answer_is_refused_and_flashcards_offered(
    alice, make_deck
):
    deck = make_deck(1)

    with pytest.raises(services.QuizUnavailable, match="take them as flashcards"):
        services.attempt_start_quick(user=alice, session_key="", deck=deck, now=NOW)
    flashcards = start(alice, deck, mode="flashcard")

    assert flashcards.question_count == 1


def test_a_deck_of_two_cards_asks_each_with_two_choices(alice, make_deck):
    attempt = start(alice, make_deck(2), count=2)

    assert [len(q.choices) for q in attempt.questions.all()] == [2, 2]


def test_a_deck_with_nothing_to_ask_is_refused(alice, make_deck):
    deck = make_deck(0)
    with pytest.raises(services.QuizUnavailable):
        start(alice, deck)


def test_a_quick_quiz_is_ten_multiple_choice_questions_timed_for_their_length(alice, deck):
    attempt = services.attempt_start_quick(user=alice, session_key="", deck=deck, now=NOW)
    assert attempt.is_quick
    assert (attempt.mode, attempt.question_count) == ("multiple_choice", 10)
    assert (attempt.time_limit_kind, attempt.time_limit_seconds) == ("for_length", None)
    for question in attempt.questions.select_related("card"):
        shown = [question.card.question_text, *(c["text"] for c in question.choices)]
        words = sum(engine.words_to_read(text) for text in shown)
        assert question.reading_words == words
        assert question.seconds_allowed == engine.reading_allowance(words)
        # Too fast to read counts the question and the right choice only.
        right = next(c for c in question.choices if c["id"] == question.correct_choice_id)
        skimmed = engine.words_to_read(question.card.question_text + " " + right["text"])
        assert question.skim_words == skimmed < words


def test_a_long_question_gets_more_time_than_a_short_one(alice, make_deck):
    deck = make_deck(6)
    Card.objects.filter(deck=deck, number=1).update(question_text="Why? " * 60)
    attempt = start(alice, deck, count=6, limit=engine.TimeLimit(kind="for_length"))

    allowed = dict(attempt.questions.values_list("card__number", "seconds_allowed"))

    assert allowed[1] > max(allowed[n] for n in range(2, 7))
    question = services.question_current(attempt=attempt, now=NOW)
    assert question.deadline_at == NOW + timedelta(seconds=question.seconds_allowed)


def test_the_decks_longest_question_gets_time_to_read_it_on_a_phone(alice, fastai_deck):
    # Card 71 asks about XResNet's improvements among four lists: about 200 words, of which
    # a 360 px phone shows the first 80. It had 67 s, at 200 words a minute throughout.
    card = fastai_deck.cards.get(number=71)
    attempt = services.attempt_start_cards(user=alice, card_ids=[card.pk], now=NOW)
    question = attempt.questions.get()
    words = question.reading_words
    assert words > 150
    assert question.seconds_allowed == engine.reading_allowance(words)
    # Past the screen's 80 words, 0.4 s a word where it had 0.3.
    assert question.seconds_allowed >= math.ceil(8 + words * 60 / 200) + (words - 80) // 10


def test_an_image_in_the_question_gets_time_to_be_read(alice, make_deck):
    deck = make_deck(6)
    card = deck.cards.get(number=1)
    image = CachedImage.objects.create(
        url="https://aiquizzes.com/a.png", status="cached", file="images/a.png"
    )
    CardImage.objects.create(card=card, image=image, side="question", position=0)
    Card.objects.filter(pk=card.pk).update(
        question_html=f'<img src="{image.url}"> What does the code above print?',
        question_text="What does the code above print?",
    )
    cards_rerender(Card.objects.filter(pk=card.pk))
    attempt = start(alice, deck, count=6, limit=engine.TimeLimit(kind="for_length"))

    question = attempt.questions.get(card=card)
    choices = sum(engine.words_to_read(c["text"]) for c in question.choices)
    assert question.reading_words == 6 + engine.READING_IMAGE_WORDS + choices
    assert question.skim_words > engine.READING_IMAGE_WORDS


def test_a_start_counts_its_cards_images_in_written_out_sql(alice, make_deck, monkeypatch):
    # Through the ORM, building the images' one statement was ~900 Python calls of a start
    # planned in the request (a twentieth of it).
    from django.db.models.sql.compiler import SQLCompiler

    deck = make_deck(4)
    card = deck.cards.get(number=1)
    image = CachedImage.objects.create(
        url="https://aiquizzes.com/d.png", status="cached", file="images/d.png"
    )
    for position, side in enumerate(["answer", "answer", "question"]):
        CardImage.objects.create(card=card, image=image, side=side, position=position)
    queried = []
    execute_sql = SQLCompiler.execute_sql

    def counting(compiler, *args, **kwargs):
        queried.append(compiler.query.model.__name__)
        return execute_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", counting)
    assert services._card_images([card.pk, card.pk + 1]) == {
        (card.pk, "answer"): 2,
        (card.pk, "question"): 1,
    }
    start(alice, deck, count=4, mode="flashcard", limit=engine.TimeLimit(kind="for_length"))

    assert "CardImage" not in queried


def test_an_image_in_a_flashcards_answer_gets_time_to_be_read(alice, make_deck):
    deck = make_deck(2)
    card = deck.cards.get(number=1)
    image = CachedImage.objects.create(
        url="https://aiquizzes.com/b.png", status="cached", file="images/b.png"
    )
    CardImage.objects.create(card=card, image=image, side="answer", position=0)
    attempt = start(
        alice, deck, count=2, mode="flashcard", limit=engine.TimeLimit(kind="for_length")
    )

    question = attempt.questions.get(card=card)
    text = engine.words_to_read(card.question_text) + engine.words_to_read(card.answer_text)
    assert question.reading_words == text + engine.READING_IMAGE_WORDS
    assert question.skim_words == text + engine.READING_IMAGE_WORDS


def test_a_choice_that_is_an_image_gets_time_to_be_read(alice, make_deck):
    deck = make_deck(6)
    card = deck.cards.get(number=1)
    image = CachedImage.objects.create(
        url="https://aiquizzes.com/c.png", status="cached", file="images/c.png"
    )
    CardImage.objects.create(card=card, image=image, side="answer", position=0)
    Card.objects.filter(pk=card.pk).update(
        answer_html=f'This one: <img src="{image.url}">', answer_text="This one:"
    )
    cards_rerender(Card.objects.filter(pk=card.pk))
    attempt = start(alice, deck, count=6, limit=engine.TimeLimit(kind="for_length"))

    question = attempt.questions.get(card=card)
    right = next(c for c in question.choices if c["id"] == question.correct_choice_id)
    assert "<img" in right["html"]
    shown = [question.card.question_text, *(c["text"] for c in question.choices)]
    text = sum(engine.words_to_read(part) for part in shown)
    assert question.reading_words == text + engine.READING_IMAGE_WORDS


def test_a_flashcard_of_code_counts_each_name_and_operator(alice, make_deck):
    # An imported card whose answer is a block of code: whitespace-separated "words" such as
    # "torch.nn.functional.relu(x)" are read name by name.
    deck = make_deck(2)
    code = "\n".join(
        f"h{n} = torch.nn.functional.relu(w{n} @ h{n - 1} + b{n})" for n in range(1, 13)
    )
    Card.objects.filter(deck=deck, number=1).update(
        question_html="What does this network compute?",
        question_text="What does this network compute?",
        answer_html=f"<pre>{code}</pre>",
        answer_text=code,
    )
    cards_rerender(Card.objects.filter(deck=deck, number=1))
    attempt = start(
        alice, deck, count=2, mode="flashcard", limit=engine.TimeLimit(kind="for_length")
    )

    question = attempt.questions.get(card__number=1)
    # "h1 = torch nn functional relu w1 @ h0 + b1": 11 a line, where a space makes 5.
    assert question.reading_words == 5 + 12 * 11
    assert question.seconds_allowed == engine.reading_allowance(5 + 12 * 11) == 55


def test_a_guest_attempt_keeps_the_session_key_and_no_user(deck):
    config = services.QuizConfig(deck=deck, question_count=2)
    attempt = services.attempt_start(
        user=AnonymousUser(), session_key="abc123", config=config, now=NOW
    )
    assert attempt.user is None and attempt.session_key == "abc123"


# --- Playing ---


def test_a_question_clock_starts_when_first_shown_and_reloads_keep_it(alice, deck):
    attempt = start(alice, deck)
    first = services.question_current(attempt=attempt, now=NOW)
    again = services.question_current(attempt=attempt, now=NOW + timedelta(seconds=5))

    assert first.pk == again.pk
    assert again.started_at == NOW
    assert again.deadline_at == NOW + timedelta(seconds=20)


def test_a_right_answer_scores_by_speed(alice, deck):
    attempt = start(alice, deck)
    question = services.question_current(attempt=attempt, now=NOW)

    receipt = answer_right(attempt, question, NOW + timedelta(seconds=10))

    question.refresh_from_db()
    assert receipt.recorded
    assert question.outcome == "correct"
    assert question.points == 750
    assert question.elapsed == timedelta(seconds=10)
    assert question.chosen_card_id == question.card_id


def test_a_wrong_answer_records_the_distractors_card(alice, deck):
    attempt = start(alice, deck)
    question = services.question_current(attempt=attempt, now=NOW)
    choice = wrong_choice(question)

    services.answer_submit(attempt=attempt, question=question, choice_id=choice, now=NOW)

    question.refresh_from_db()
    assert question.outcome == "wrong" and question.points == 0
    expected = next(c["card_id"] for c in question.choices if c["id"] == choice)
    assert question.chosen_card_id == expected != question.card_id


def test_an_answer_after_the_deadline_times_out_whatever_it_says(alice, deck):
    attempt = start(alice, deck)
    question = services.question_current(attempt=attempt, now=NOW)

    answer_right(attempt, question, NOW + timedelta(seconds=22))

    question.refresh_from_db()
    assert question.outcome == "timed_out"
    assert question.points == 0
    assert question.elapsed == timedelta(seconds=20)


def test_an_answer_within_the_grace_still_counts(alice, deck):
    attempt = start(alice, deck)
    question = services.question_current(attempt=attempt, now=NOW)

    answer_right(attempt, question, NOW + timedelta(seconds=20, milliseconds=500))

    question.refresh_from_db()
    assert question.outcome == "correct" and question.points == 500


def test_a_question_is_answered_once(alice, deck):
    attempt = start(alice, deck)
    question = services.question_current(attempt=attempt, now=NOW)
    answer_right(attempt, question, NOW + timedelta(seconds=1))

    stale = AttemptQuestion.objects.get(pk=question.pk)
    stale.outcome = ""  # a second tab that loaded the question before the first answer
    receipt = services.answer_submit(
        attempt=attempt, question=stale, choice_id=wrong_choice(question), now=NOW
    )

    question.refresh_from_db()
    assert not receipt.recorded
    assert question.outcome == "correct"
    assert receipt.question.outcome == "correct"


def test_a_choice_of_another_question_is_rejected(alice, deck):
    attempt = start(alice, deck)
    question = services.question_current(attempt=attempt, now=NOW)
    other = attempt.questions.get(position=2)

    with pytest.raises(services.AnswerRejected):
        services.answer_submit(
            attempt=attempt, question=question, choice_id=other.choices[0]["id"], now=NOW
        )


def test_a_question_not_shown_yet_cannot_be_answered(alice, deck):
    attempt = start(alice, deck)
    services.question_current(attempt=attempt, now=NOW)
    later = attempt.questions.get(position=3)

    with pytest.raises(services.AnswerRejected, match="not been asked"):
        answer_right(attempt, later, NOW)


def test_a_question_of_another_attempt_is_rejected(alice, deck):
    attempt = start(alice, deck)
    other = start(alice, deck)
    question = services.question_current(attempt=other, now=NOW)

    with pytest.raises(services.AnswerRejected):
        answer_right(attempt, question, NOW)


def test_answering_every_question_finishes_with_the_summary(alice, deck):
    attempt = start(alice, deck, count=3)
    at = NOW
    for seconds in (0, 10, 30):
        question = services.question_current(attempt=attempt, now=at)
        at += timedelta(seconds=seconds)
        answer_right(attempt, question, at)

    attempt.refresh_from_db()
    assert attempt.finished_at == at
    assert attempt.score == 1000 + 750 + 0
    assert attempt.correct_count == 2
    assert attempt.total_time == timedelta(seconds=0 + 10 + 20)
    assert services.question_current(attempt=attempt, now=at) is None


def test_an_unanswered_question_times_out_on_the_next_request(alice, deck):
    attempt = start(alice, deck)
    first = services.question_current(attempt=attempt, now=NOW)

    second = services.question_current(attempt=attempt, now=NOW + timedelta(minutes=5))

    first.refresh_from_db()
    assert first.outcome == "timed_out" and first.elapsed == timedelta(seconds=20)
    assert second.position == 2 and second.started_at == NOW + timedelta(minutes=5)


def test_a_whole_quiz_past_its_deadline_finishes_with_the_rest_missed(alice, deck):
    attempt = start(alice, deck, count=3, limit=WHOLE_QUIZ_60)
    assert attempt.deadline_at == NOW + timedelta(seconds=60)
    question = services.question_current(attempt=attempt, now=NOW)
    assert question.deadline_at == attempt.deadline_at
    answer_right(attempt, question, NOW + timedelta(seconds=10))
    services.question_current(attempt=attempt, now=NOW + timedelta(seconds=11))

    services.attempt_refresh(attempt=attempt, now=NOW + timedelta(seconds=62))

    outcomes = list(attempt.questions.order_by("position").values_list("outcome", flat=True))
    assert outcomes == ["correct", "timed_out", "missed"]
    attempt.refresh_from_db()
    assert attempt.is_finished
    # T is 60 s / 3 questions: 10 s of 20 s gives 750.
    assert attempt.score == 750


@pytest.mark.django_db(transaction=True)
def test_the_clock_opens_no_transaction_for_a_finished_quiz(alice, deck, django_assert_num_queries):
    # On SQLite a transaction takes the write lock: a class finishing together opens its
    # result pages together.
    attempt = play_through(start(alice, deck, count=2), right_positions={1})

    with django_assert_num_queries(0):
        services.attempt_refresh(attempt=attempt, now=NOW + timedelta(hours=1))


def test_an_answer_after_the_whole_quiz_deadline_finishes_the_quiz(alice, deck):
    attempt = start(alice, deck, count=3, limit=WHOLE_QUIZ_60)
    question = services.question_current(attempt=attempt, now=NOW)

    answer_right(attempt, question, NOW + timedelta(seconds=62))

    outcomes = list(attempt.questions.order_by("position").values_list("outcome", flat=True))
    assert outcomes == ["timed_out", "missed", "missed"]
    attempt.refresh_from_db()
    assert attempt.is_finished


def test_an_answer_with_questions_to_come_leaves_the_quiz_open(alice, deck):
    attempt = start(alice, deck, count=3, limit=WHOLE_QUIZ_60)
    question = services.question_current(attempt=attempt, now=NOW)

    answer_right(attempt, question, NOW + timedelta(seconds=10))

    attempt.refresh_from_db()
    assert not attempt.is_finished
    assert attempt.questions.filter(outcome="").count() == 2


def test_a_long_question_of_a_whole_quiz_read_at_the_same_pace_scores_as_a_short_one(
    alice, make_deck
):
    deck = make_deck(2)
    Card.objects.filter(deck=deck, number=1).update(question_text="Why is it so? " * 40)
    attempt = start(alice, deck, count=2, limit=WHOLE_QUIZ_60)
    questions = {q.card.number: q for q in attempt.questions.select_related("card")}
    long, short = questions[1], questions[2]
    assert long.seconds_allowed > 2 * short.seconds_allowed
    assert long.seconds_allowed + short.seconds_allowed == 60

    at = NOW
    points = {}
    while (question := services.question_current(attempt=attempt, now=at)) is not None:
        # Each read at the pace of time for length, half its share of the minute.
        at += timedelta(seconds=question.seconds_allowed / 2)
        answer_right(attempt, question, at)
        question.refresh_from_db()
        points[question.card.number] = question.points

    assert points == {1: 750, 2: 750}  # an even share (30 s each) gave 592 and 908


def test_a_whole_quiz_question_has_no_clock_of_its_own(alice, deck):
    attempt = start(alice, deck, count=3, limit=WHOLE_QUIZ_60)
    question = services.question_current(attempt=attempt, now=NOW)
    assert question.seconds_allowed < 60
    assert question.deadline_at == attempt.deadline_at == NOW + timedelta(seconds=60)


def test_an_answer_to_a_question_the_expired_quiz_never_showed_changes_nothing(alice, deck):
    attempt = start(alice, deck, count=2, limit=WHOLE_QUIZ_60)
    services.question_current(attempt=attempt, now=NOW)
    later = attempt.questions.get(position=2)

    receipt = answer_right(attempt, later, NOW + timedelta(minutes=5))

    assert not receipt.recorded
    assert receipt.question.outcome == "missed"


def test_flashcards_are_self_graded(alice, deck):
    attempt = start(alice, deck, count=2, mode="flashcard", limit=engine.TimeLimit(kind="none"))
    first = services.question_current(attempt=attempt, now=NOW)
    assert first.choices == [] and first.correct_choice_id == ""
    services.answer_submit(attempt=attempt, question=first, knew=True, now=NOW)
    second = services.question_current(attempt=attempt, now=NOW)
    services.answer_submit(attempt=attempt, question=second, knew=False, now=NOW)

    attempt.refresh_from_db()
    assert list(attempt.questions.values_list("outcome", "points")) == [
        ("knew", 1000),
        ("didnt_know", 0),
    ]
    assert attempt.score == 1000 and attempt.correct_count == 1


def test_a_flashcard_needs_a_grade(alice, deck):
    attempt = start(alice, deck, mode="flashcard")
    question = services.question_current(attempt=attempt, now=NOW)
    with pytest.raises(services.AnswerRejected):
        services.answer_submit(attempt=attempt, question=question, now=NOW)


# --- Retry and challenge ---


def play_through(attempt, *, right_positions, start_at=NOW):
    at = start_at
    while (question := services.question_current(attempt=attempt, now=at)) is not None:
        if question.position in right_positions:
            choice = question.correct_choice_id
        else:
            choice = wrong_choice(question)
        at += READ
        services.answer_submit(attempt=attempt, question=question, choice_id=choice, now=at)
    attempt.refresh_from_db()
    return attempt


def test_a_retry_asks_only_the_missed_cards(alice, deck):
    attempt = play_through(start(alice, deck, count=4), right_positions={1, 3})
    missed = set(attempt.questions.filter(position__in=[2, 4]).values_list("card_id", flat=True))

    retry = services.attempt_start_retry(attempt=attempt, user=alice, session_key="", now=NOW)

    assert set(retry.questions.values_list("card_id", flat=True)) == missed
    assert retry.retry_of == attempt and not retry.is_quick
    assert all(len(q.choices) == 4 for q in retry.questions.all())


def test_a_whole_quiz_retry_keeps_the_time_per_question(alice, deck):
    attempt = start(alice, deck, count=4, limit=engine.TimeLimit(kind="whole_quiz", seconds=120))
    attempt = play_through(attempt, right_positions={1, 2, 3})
    retry = services.attempt_start_retry(attempt=attempt, user=alice, session_key="", now=NOW)
    assert (retry.question_count, retry.time_limit_seconds) == (1, 30)


def test_a_whole_quiz_retry_keeps_the_time_its_questions_had_to_be_read(alice, make_deck):
    deck = make_deck(2)
    Card.objects.filter(deck=deck, number=1).update(question_text="Why is it so? " * 40)
    attempt = start(alice, deck, count=2, limit=WHOLE_QUIZ_60)
    long = attempt.questions.get(card__number=1)
    attempt = play_through(attempt, right_positions={3 - long.position})

    retry = services.attempt_start_retry(attempt=attempt, user=alice, session_key="", now=NOW)

    # The long question had 49 s of the minute; half of it, by their number, was too little.
    assert retry.time_limit_seconds == long.seconds_allowed == 49


def test_a_whole_quiz_retry_stored_before_the_shares_shrinks_by_number(alice, deck):
    attempt = start(alice, deck, count=4, limit=engine.TimeLimit(kind="whole_quiz", seconds=120))
    attempt.questions.update(seconds_allowed=None)
    attempt = play_through(attempt, right_positions={1, 2, 3})
    retry = services.attempt_start_retry(attempt=attempt, user=alice, session_key="", now=NOW)
    assert retry.time_limit_seconds == 30


def test_nothing_to_retry_after_a_perfect_quiz(alice, deck):
    attempt = play_through(start(alice, deck, count=2), right_positions={1, 2})
    with pytest.raises(services.QuizUnavailable):
        services.attempt_start_retry(attempt=attempt, user=alice, session_key="", now=NOW)


def test_a_challenge_asks_the_same_questions_and_choices_with_new_ids(alice, bob, deck):
    original = play_through(start(alice, deck, count=3), right_positions={1})

    challenge = services.attempt_start_challenge(
        original=original, user=bob, session_key="", now=NOW
    )

    def shown(attempt):
        return [
            (q.card_id, [(c["text"], c["card_id"]) for c in q.choices])
            for q in attempt.questions.order_by("position")
        ]

    assert shown(challenge) == shown(original)
    assert challenge.challenge_of == original and challenge.user == bob
    assert (challenge.mode, challenge.time_limit_seconds) == (original.mode, 20)
    for mine, theirs in zip(
        challenge.questions.order_by("position"),
        original.questions.order_by("position"),
        strict=True,
    ):
        assert {c["id"] for c in mine.choices}.isdisjoint({c["id"] for c in theirs.choices})
        assert right_text(mine) == right_text(theirs)
        assert (mine.reading_words, mine.skim_words, mine.seconds_allowed) == (
            theirs.reading_words,
            theirs.skim_words,
            theirs.seconds_allowed,
        )
    assert not challenges.challenge_results(attempt=original)
    play_through(challenge, right_positions={1, 2})
    assert challenges.challenge_results(attempt=original).ranked == [challenge]


# --- Claiming, figures, leaderboard ---


def test_guest_attempts_are_claimed_by_the_account(alice, deck):
    config = services.QuizConfig(deck=deck, question_count=2)
    guest = services.attempt_start(user=None, session_key="k", config=config, now=NOW)
    another_guest = services.attempt_start(user=None, session_key="j", config=config, now=NOW)
    start(alice, deck)

    claimed = services.attempts_claim(user=alice, guest_session_key="k")

    assert claimed == 1
    guest.refresh_from_db()
    assert guest.user == alice and guest.session_key == ""
    another_guest.refresh_from_db()
    assert another_guest.user is None and another_guest.session_key == "j"
    assert services.attempts_claim(user=alice, guest_session_key="k") == 0
    assert services.attempts_claim(user=alice, guest_session_key=None) == 0


def test_card_figures_count_what_the_user_saw_and_got_right(alice, bob, deck):
    first = play_through(start(alice, deck, count=3, seed=1), right_positions={1})
    retry = services.attempt_start_retry(attempt=first, user=alice, session_key="", now=NOW)
    play_through(retry, right_positions=set())
    play_through(start(bob, deck, count=3, seed=1), right_positions={1, 2, 3})

    figures = {f.card.id: f for f in progress.card_figures(user=alice)}

    card_ids = list(first.questions.order_by("position").values_list("card_id", flat=True))
    assert set(figures) == set(card_ids)
    assert (figures[card_ids[0]].seen, figures[card_ids[0]].correct) == (1, 1)
    assert (figures[card_ids[1]].seen, figures[card_ids[1]].correct) == (2, 0)
    weakest = progress.weakest_cards(list(figures.values()))
    assert {f.card.id for f in weakest} == set(card_ids[1:])
    assert card_ids[0] not in {f.card.id for f in weakest}


def quick(user, deck, *, right, start_at=NOW):
    attempt = services.attempt_start_quick(user=user, session_key="", deck=deck, now=start_at)
    return play_through(attempt, right_positions=set(range(1, right + 1)), start_at=start_at)


def test_the_leaderboard_ranks_each_users_best_quick_quiz(alice, bob, staff, deck):
    quick(alice, deck, right=5)
    alice_best = quick(alice, deck, right=8)
    bob_best = quick(bob, deck, right=9)
    # Not Quick quizzes: another configuration and a retry never rank, however good.
    untimed = engine.TimeLimit(kind="none")
    play_through(start(staff, deck, count=10, limit=untimed), right_positions=set())
    retry = services.attempt_start_retry(attempt=alice_best, user=staff, session_key="", now=NOW)
    play_through(retry, right_positions={1, 2})

    board = leaderboard.leaderboard(deck=deck)

    assert board == [bob_best, alice_best]


def test_the_leaderboard_breaks_ties_by_time(alice, bob, deck):
    slow = services.attempt_start_quick(user=alice, session_key="", deck=deck, now=NOW)
    fast = services.attempt_start_quick(user=bob, session_key="", deck=deck, now=NOW)
    for attempt in (slow, fast):
        while (question := services.question_current(attempt=attempt, now=NOW)) is not None:
            answer_right(attempt, question, NOW + READ)
    Attempt.objects.filter(pk=slow.pk).update(total_time=timedelta(seconds=9))
    Attempt.objects.filter(pk=fast.pk).update(total_time=timedelta(seconds=3))
    assert leaderboard.leaderboard(deck=deck) == [fast, slow]


def test_this_weeks_leaderboard_leaves_out_older_attempts(alice, bob, deck):
    quick(alice, deck, right=9, start_at=NOW - timedelta(days=8))
    alice_this_week = quick(alice, deck, right=2)
    bob_this_week = quick(bob, deck, right=3)

    since = leaderboard.week_start(NOW)

    assert since == datetime(2025, 3, 3, tzinfo=UTC)
    assert leaderboard.leaderboard(deck=deck, since=since) == [bob_this_week, alice_this_week]
    assert leaderboard.leaderboard(deck=deck)[0].correct_count == 9


def test_a_quick_quiz_answered_faster_than_it_can_be_read_stays_off_the_leaderboard(
    alice, bob, deck
):
    guessed = services.attempt_start_quick(user=alice, session_key="", deck=deck, now=NOW)
    at = NOW
    while (question := services.question_current(attempt=guessed, now=at)) is not None:
        at += timedelta(seconds=1)
        answer_right(guessed, question, at)
    read = quick(bob, deck, right=4)

    guessed.refresh_from_db()
    assert guessed.implausibly_fast and not read.implausibly_fast
    assert guessed.score > read.score
    assert leaderboard.leaderboard(deck=deck) == [read]
    assert guessed in progress.attempt_history(user=alice).attempts


def test_the_leaderboard_is_two_queries(alice, bob, deck, django_assert_num_queries):
    quick(alice, deck, right=3)
    quick(bob, deck, right=4)
    # The best attempts' ids from the leaderboard index, then those attempts with their user.
    with django_assert_num_queries(2):
        board = leaderboard.leaderboard(deck=deck)
        [attempt.user.username for attempt in board]


# --- Hand-written distractors ---


def test_hand_written_distractors_are_offered_counted_and_their_picks_recorded(alice, make_deck):
    deck = make_deck(4)
    card = deck.cards.get(number=1)
    rows = give_wrong_answers(card)

    attempt = start(alice, deck, count=4)
    question = attempt.questions.get(card=card)
    offered = [c for c in question.choices if c["distractor_id"]]
    assert len(offered) >= 2
    assert {c["text"] for c in offered} <= {"Wrong idea 0", "Wrong idea 1", "Wrong idea 2"}
    counted = dict(Distractor.objects.values_list("pk", "times_offered"))
    assert counted == {row.pk: int(row.pk in {c["distractor_id"] for c in offered}) for row in rows}

    while (current := services.question_current(attempt=attempt, now=NOW)).pk != question.pk:
        answer_right(attempt, current, NOW + READ)
    services.answer_submit(
        attempt=attempt, question=current, choice_id=offered[0]["id"], now=NOW + READ
    )
    current.refresh_from_db()
    assert current.chosen_distractor_id == offered[0]["distractor_id"]
    assert current.chosen_card_id == card.pk
    assert current.outcome == "wrong"


# --- Decks ---


def test_the_default_deck_is_the_last_played_else_the_largest(alice, bob, make_deck):
    small = make_deck(3, slug="small")
    large = make_deck(6, slug="large")
    make_deck(0, slug="empty")

    assert services.default_deck(user=alice) == large
    start(alice, small, count=1)
    assert services.default_deck(user=alice) == small
    assert services.default_deck(user=bob) == large
    services.attempt_start(
        user=None,
        session_key="k",
        config=services.QuizConfig(deck=small, question_count=1),
        now=NOW,
    )
    assert services.default_deck(user=None, guest_session_key="k") == small
    assert services.default_deck(user=None, guest_session_key="other") == large
    assert [deck.slug for deck in services.quiz_decks()] == ["large", "small"]


def test_the_play_paths_written_out_reads_give_what_the_orm_gives(alice, deck):
    """quizzes/services/play_sql.py turns rows into model instances itself: every field read
    holds the value (and the type) the ORM would give, on either database."""
    from quizzes.services import play_sql

    attempt = start(alice, deck, count=3, limit=WHOLE_QUIZ_60)
    first = services.question_current(attempt=attempt, now=NOW)
    answer_right(attempt, first, NOW + READ)
    services.question_current(attempt=attempt, now=NOW + READ * 2)

    def same(read, stored):
        """Every field `read` holds (the others deferred) is as the ORM read it."""
        names = [
            field.attname
            for field in type(read)._meta.concrete_fields
            if field.attname not in read.get_deferred_fields()
        ]
        assert names
        assert {name: getattr(read, name) for name in names} == {
            name: getattr(stored, name) for name in names
        }

    read = play_sql.owned_questions(user=alice, guest_session_key=None, attempt_id=attempt.pk)
    answered = play_sql.attempt_questions(attempt=attempt, position=1)
    for question in [*read, *answered]:
        same(question, AttemptQuestion.objects.get(pk=question.pk))
    assert answered[0].elapsed == READ and answered[0].choices == first.choices
    same(read[0].attempt, Attempt.objects.get(pk=attempt.pk))
    card = Card.objects.select_related("deck").get(pk=read[0].card_id)
    same(read[0].card, card)
    same(read[0].card.deck, card.deck)
    assert read[0].card.get_absolute_url() == card.get_absolute_url()
    assert [q.position for q in read] == [2, 3]  # the one shown, the one asked next


def test_the_play_paths_written_out_reads_make_instances_without_model_init(
    alice, deck, monkeypatch
):
    """Model.__init__ sets each field through its attribute and sends two signals nobody
    listens to here: half the cost of reading a question. The instances are made as
    unpickling makes them, and still behave as the ORM's."""
    from django.db.models import Model

    from quizzes.services import play_sql

    attempt = start(alice, deck, count=3)
    services.question_current(attempt=attempt, now=NOW)
    inits = []
    model_init = Model.__init__

    def counting(instance, *args, **kwargs):
        inits.append(type(instance).__name__)
        model_init(instance, *args, **kwargs)

    monkeypatch.setattr(Model, "__init__", counting)
    read = play_sql.owned_questions(user=alice, guest_session_key=None, attempt_id=attempt.pk)
    assert inits == []
    question = read[0]
    assert (question._state.adding, question._state.db) == (False, "default")
    assert question.card.deck.slug == deck.slug
    # A field not read is deferred, and read when asked for.
    assert "question_html" in question.card.get_deferred_fields()
    assert question.card.question_html == Card.objects.get(pk=question.card_id).question_html
    # Saved as the ORM's instance would be.
    question.points = 7
    question.save(update_fields=["points"])
    assert AttemptQuestion.objects.get(pk=question.pk).points == 7


def test_a_model_with_a_post_init_receiver_is_made_through_model_init(alice, deck):
    from django.db.models.signals import post_init

    from quizzes.services import play_sql

    attempt = start(alice, deck, count=3)
    made = []

    def receiver(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(receiver, sender=Deck)
    try:
        columns = play_sql._Columns(Deck, "d", ["id", "name", "slug"])
        [the_deck] = [columns.instance(row) for row in [(deck.pk, deck.name, deck.slug)]]
    finally:
        post_init.disconnect(receiver, sender=Deck)
    assert made == [the_deck] and not columns.made_directly
    assert play_sql._columns()["deck"].made_directly
    assert attempt.deck_id == the_deck.pk


@pytest.mark.parametrize("model", [Attempt, AttemptQuestion, CardMemory, ReviewLog])
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_the_play_paths_writes_prepare_each_value_as_the_orm_does(model):
    """The written-out writes take a shorter way to a plain value (a string, a choice's
    enum, a number, an aware date, None) than the ORM's `get_db_prep_save`, to the same
    value of the same type (on PostgreSQL an integer is wrapped by its column's type); a
    naive date still goes the ORM's way, which warns and makes it aware."""
    from quizzes.services import play_sql

    values = [None, 0, 7, 2**40, "", "text", 1.5, True, False, NOW, timedelta(seconds=3)]
    values += [uuid.UUID(int=5), {"a": [1]}, Attempt.Mode.TYPED, NOW.replace(tzinfo=None)]
    compared = 0
    for field in model._meta.concrete_fields:
        if field.get_internal_type() == "JSONField":  # as the ORM does (psycopg's has no ==)
            continue
        preparer = play_sql._preparers(model)[field.name]
        for value in values:
            try:
                expected = field.get_db_prep_save(value, connection)
            except (AttributeError, TypeError, ValueError, ValidationError):
                continue
            prepared = play_sql._prepared(preparer, value, connection)
            assert (type(prepared), prepared) == (type(expected), expected), (field, value)
            compared += 1
    assert compared > 2 * len(model._meta.concrete_fields)


def test_a_quiz_start_and_an_answer_prepare_plain_values_without_the_orm(alice, deck, monkeypatch):
    """The ORM's preparation of a value is five to ten Python calls: a start writes ~200
    values (a Quick quiz's attempt and ten questions), a signed-in answer ~30. Only the
    values that are not a string (a choice's enum included), a number, an aware date or
    None go through it: JSON, an id, a duration."""
    from django.db.models import Field

    prepared = []
    orm_prepare = Field.get_db_prep_save

    def counting(field, value, connection):
        prepared.append((field.name, type(value).__name__))
        return orm_prepare(field, value, connection)

    monkeypatch.setattr(Field, "get_db_prep_save", counting)
    attempt = start(alice, deck, count=3)
    assert sorted(set(prepared)) == [("choices", "list"), ("id", "UUID")]
    assert len(prepared) == 7  # 101 through the ORM at first, 10 before dates and enums
    question = services.question_current(attempt=attempt, now=NOW)
    prepared.clear()
    answer_right(attempt, question, NOW + READ)
    assert prepared == [("elapsed", "timedelta")]  # 49 at first, 9 before dates and enums


def test_reading_a_quizs_questions_looks_the_database_connection_up_once(alice, deck, monkeypatch):
    """`django.db.connection` finds this thread's connection anew at each use (a lookup in
    a context-local store, a few Python calls): the rows read become instances without it."""
    from django.utils.connection import ConnectionProxy

    from quizzes.services import play_sql

    attempt = start(alice, deck, count=3)
    used = []
    through_proxy = ConnectionProxy.__getattr__

    def counting(proxy, name):
        used.append(name)
        return through_proxy(proxy, name)

    play_sql.summary_questions(attempt=attempt)  # the columns' converters found once
    monkeypatch.setattr(ConnectionProxy, "__getattr__", counting)
    questions = play_sql.summary_questions(attempt=attempt)
    assert [question.position for question in questions] == [1, 2, 3]
    assert {question._state.db for question in questions} == {"default"}
    assert used == ["cursor"]  # and the alias once per question before


# --- The quiz start's written-out statements (play_sql, _CandidateLookups) ---


class _At:
    """Stands in for the random.Random a start draws its place in shuffle-key order from."""

    def __init__(self, start: int):
        self.start = start

    def randrange(self, stop: int) -> int:
        return self.start


def _varied_deck(make_deck):
    """Thirty cards: some multiple choice (or typing) leaves out, two sharing a shuffle key,
    tagged."""
    deck = make_deck(30, tags=("cnn", "rnn"))
    cards = list(deck.cards.order_by("number"))
    Card.objects.filter(pk=cards[0].pk).update(choice_html="")
    Card.objects.filter(pk=cards[1].pk).update(is_cloze=True)
    Card.objects.filter(pk=cards[2].pk).update(question_needs_missing_image=True)
    # Answers to type, but for one card.
    Card.objects.filter(deck=deck).exclude(pk=cards[0].pk).update(quiz_typed_answer="term")
    # Two cards of one key, well inside the deck's order.
    by_key = sorted(cards[3:], key=lambda card: card.shuffle_key)
    tied = by_key[12].shuffle_key
    Card.objects.filter(pk=by_key[13].pk).update(shuffle_key=tied)
    CardKeyword.objects.filter(card=by_key[13]).update(shuffle_key=tied)
    return deck, cards, tied


def _orm_window(deck, mode, tags, start, size):
    cards = Card.objects.filter(deck=deck).askable(mode)
    if tags:
        cards = cards.filter(tags__in=tags).distinct()
    rows = [services.QuizCardRow(*row) for row in cards.values_list(*services._QUIZ_CARD_FIELDS)]
    rows.sort(key=lambda row: (row.shuffle_key < start, row.shuffle_key, row.id))
    return rows[:size]


@pytest.mark.parametrize("mode", list(engine.QuizMode))
def test_the_draw_window_holds_the_cards_the_orm_finds(make_deck, mode):
    deck, cards, tied = _varied_deck(make_deck)
    tagged = (Tag.objects.get(slug="cnn"),)
    every = _orm_window(deck, mode, (), 0, len(cards))
    tie = next(place for place, row in enumerate(every) if row.shuffle_key == tied)
    # A window of five that ends between the two cards of the tied key.
    cut = every[tie - 4].shuffle_key
    starts = [0, tied, tied + 1, cut, cards[20].shuffle_key, SHUFFLE_KEY_RANGE - 1]
    for tags, start, count in itertools.product([(), tagged], starts, [1, 3]):
        drawn = services._draw_window(deck=deck, mode=mode, tags=tags, count=count, rng=_At(start))
        size = services.DRAW_WINDOW_PER_QUESTION * count
        assert drawn == _orm_window(deck, mode, tags, start, size), (tags, start, count)
    window = services._draw_window(deck=deck, mode=mode, tags=(), count=1, rng=_At(cut))
    assert [row.id for row in window] == [row.id for row in every[tie - 4 : tie + 1]]
    assert window[-1].shuffle_key == every[tie + 1].shuffle_key == tied


def test_the_candidate_lookups_find_the_cards_the_orm_finds(make_deck):
    deck, cards, tied = _varied_deck(make_deck)
    drawn_card = cards[3]
    Distractor.objects.create(card=drawn_card, html="<p>Hidden</p>", choice_html="")
    curated = Distractor(card=drawn_card, html="<p>A wrong idea</p>")
    distractor_render(curated)
    curated.save()
    kind = cards[4].choice_kind
    lookups = services._CandidateLookups()
    expected: dict[int, set[int]] = {}
    depends = sorted(
        CardKeyword.objects.filter(deck=deck, word="depend").values_list("shuffle_key", "card_id")
    )
    tie = next(place for place, (key, _) in enumerate(depends) if key == tied)
    # Rows that end between the two cards of the tied key: two from the one before it; and
    # one from the last, then going round from the lowest key.
    cut, last = depends[tie - 1][0], depends[-1][0]
    # And every row of a word from the middle of its keys on, going round: the second half
    # up to the key just below the start.
    middle = sorted(
        CardKeyword.objects.filter(deck=deck, word="question").values_list("shuffle_key", flat=True)
    )[15]
    for number, (word, start, size) in enumerate(
        [
            ("tensor5", 0, 3),
            ("depend", tied, 4),
            ("depend", cut, 2),
            ("depend", last, tie + 2),
            ("layer", tied + 1, 12),
            ("question", 0, 30),
            ("question", middle, 30),
        ]
    ):
        lookups.add(
            CardKeyword,
            "card_id",
            {"deck_id": deck.pk, "word": word},
            start=start,
            size=size,
            questions=[number],
        )
        rows = CardKeyword.objects.filter(deck=deck, word=word).values_list(
            "shuffle_key", "card_id"
        )
        for _, card_id in sorted(rows, key=lambda row: (row[0] < start, *row))[:size]:
            expected.setdefault(card_id, set()).add(number)
    lookups.add(
        Card, "id", {"deck_id": deck.pk, "choice_kind": kind}, start=tied, size=6, questions=[9]
    )
    rows = Card.objects.filter(deck=deck, choice_kind=kind).values_list("shuffle_key", "id")
    for _, card_id in sorted(rows, key=lambda row: (row[0] < tied, *row))[:6]:
        expected.setdefault(card_id, set()).add(9)
    without_choice = set(Card.objects.filter(choice_html="").values_list("pk", flat=True))
    expected = {
        card_id: found for card_id, found in expected.items() if card_id not in without_choice
    }
    quiz_card = engine.QuizCard(id=drawn_card.pk, keywords=frozenset({"tensor4"}))
    # Its voice as stored (a save counts it), not worked out again from its text.
    Card.objects.filter(pk=cards[7].pk).update(choice_voice=4)

    options = lookups.options([quiz_card])

    found = {
        option.card_id: set(option.found_for) for option in options if not option.distractor_id
    }
    assert found == expected and len(expected) > 12
    [own] = [option for option in options if option.distractor_id]
    assert (own.distractor_id, own.card_id, own.text, own.found_for) == (
        curated.pk,
        drawn_card.pk,
        "A wrong idea",
        frozenset({drawn_card.pk}),
    )
    assert own.keywords == quiz_card.keywords
    ours = next(option for option in options if option.card_id == cards[7].pk)
    card = Card.objects.get(pk=cards[7].pk)
    assert (ours.html, ours.text, ours.kind, ours.words, ours.voice) == (
        card.choice_html,
        card.choice_text,
        card.choice_kind,
        wording.ChoiceWords.from_stored(card.choice_words, card.choice_stems),
        4,
    )
    assert wording.reader_words(card.choice_text) != 4


def test_the_written_out_start_stores_what_the_orm_would(alice, deck):
    tags = tuple(Tag.objects.filter(slug__in=["cnn", "rnn"]))
    attempt = start(alice, deck, count=4, limit=WHOLE_QUIZ_60, tags=tags)
    questions = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))
    stored = Attempt.objects.get(pk=attempt.pk)
    names = [field.attname for field in Attempt._meta.concrete_fields]
    # The instance the start returns is the row it stored.
    assert {name: getattr(attempt, name) for name in names} == {
        name: getattr(stored, name) for name in names
    }
    assert not attempt._state.adding and set(attempt.tags.all()) == set(tags)

    through_orm = Attempt.objects.create(
        **{name: getattr(stored, name) for name in names if name != "id"}
    )
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(
            attempt=through_orm,
            position=question.position,
            card_id=question.card_id,
            choices=question.choices,
            correct_choice_id=question.correct_choice_id,
            reading_words=question.reading_words,
            skim_words=question.skim_words,
            seconds_allowed=question.seconds_allowed,
        )
        for question in questions
    )

    def values(attempt_id):
        return [
            {k: v for k, v in row.items() if k not in ("id", "attempt_id")}
            for row in AttemptQuestion.objects.filter(attempt=attempt_id)
            .order_by("position")
            .values()
        ]

    assert values(attempt.pk) == values(through_orm.pk)
    assert len(values(attempt.pk)) == 4 and values(attempt.pk)[0]["choices"][0]["text"]
    row = Attempt.objects.filter(pk=attempt.pk).values().get()
    assert {k: v for k, v in row.items() if k != "id"} == {
        k: v
        for k, v in Attempt.objects.filter(pk=through_orm.pk).values().get().items()
        if k != "id"
    }
    assert row["deadline_at"] == NOW + timedelta(seconds=60) and row["user_id"] == alice.pk


def quick_at(user, deck, at, *, session_key=""):
    """A Quick quiz started at `at` and played through, two right at a reading pace."""
    attempt = services.attempt_start_quick(user=user, session_key=session_key, deck=deck, now=at)
    return play_through(attempt, right_positions={1, 2}, start_at=at)


def test_a_guests_quick_quizzes_claimed_are_kept_but_never_rank_nor_spend_the_day(alice, deck):
    # Played as a guest at 12:00-12:09, claimed before the learner's own at 13:00-13:09:
    # the guest's are the learner's now, none ranks, and the learner's own 10 all do.
    guests = [quick_at(None, deck, NOW + timedelta(minutes=n), session_key="k") for n in range(10)]

    assert services.attempts_claim(user=alice, guest_session_key="k") == 10
    own = [quick_at(alice, deck, NOW + timedelta(hours=1, minutes=n)) for n in range(10)]

    claimed = Attempt.objects.filter(user=alice, played_as_guest=True)
    assert set(claimed.values_list("pk", flat=True)) == {attempt.pk for attempt in guests}
    ranked = set(
        Attempt.objects.filter(leaderboard.RANKED, user=alice).values_list("pk", flat=True)
    )
    assert ranked == {attempt.pk for attempt in own}
    assert not Attempt.objects.filter(user=alice, past_ranked_per_day=True).exists()


def test_a_learners_quick_quizzes_started_in_the_day_are_read_from_their_own_index(alice, deck):
    statements = []

    def kept(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kept):
        started = services._quick_quizzes_started(user_id=alice.pk, deck=deck, now=NOW)
    by_learner = next(
        index.name for index in Attempt._meta.indexes if index.fields == ["user", "-started_at"]
    )

    assert started == 0
    assert len(statements) == 1
    assert by_learner in statement_plan(*statements[0])


def test_a_learners_quick_quizzes_started_count_the_day_before_signed_in_on_the_deck(
    alice, bob, deck, make_deck
):
    # Started, not played through: one given up counts as one finished.
    def started_at(user, deck, at, *, session_key=""):
        return services.attempt_start_quick(user=user, session_key=session_key, deck=deck, now=at)

    other_deck = make_deck(5, slug="other")
    window = engine.RANKED_QUIZZES_WINDOW
    counted = [started_at(alice, deck, NOW - window + timedelta(minutes=n)) for n in (1, 2, 3)]
    started_at(alice, deck, NOW - window)  # started a whole day before: out of the window
    started_at(alice, other_deck, NOW - timedelta(minutes=5))
    started_at(bob, deck, NOW - timedelta(minutes=5))
    claimed = started_at(None, deck, NOW - timedelta(minutes=4), session_key="k")
    services.attempts_claim(user=alice, guest_session_key="k")

    assert Attempt.objects.get(pk=claimed.pk).user == alice
    assert services._quick_quizzes_started(user_id=alice.pk, deck=deck, now=NOW) == len(counted)
    for n in range(engine.RANKED_QUICK_QUIZZES_PER_DAY + 2):
        started_at(alice, deck, NOW - timedelta(minutes=30 + n))
    limit = engine.RANKED_QUICK_QUIZZES_PER_DAY
    assert services._quick_quizzes_started(user_id=alice.pk, deck=deck, now=NOW) == limit


def test_a_guests_last_played_quiz_is_read_from_their_own_index(deck):
    last_played = (
        Attempt.objects.owned_by(guest_session_key="k")
        .order_by("-started_at")
        .values_list("deck_id", flat=True)[:1]
    )

    assert "attempt_guest" in query_plan(last_played)


def _stored_choices(deck) -> dict[int, tuple]:
    rows = services._quiz_rows(Card.objects.filter(deck=deck))
    return {row.id: services._choices_read(row) for row in rows}


def _wrong_choices(question) -> set:
    wrong = {(c["card_id"], c["distractor_id"]) for c in question.choices}
    wrong.discard((question.card_id, None))
    return wrong


def test_quick_quizzes_ask_cards_among_the_choices_stored_for_them(fastai_deck, monkeypatch):
    from tests.quizplay import candidate_statements

    services.choices_settle(fastai_deck)
    stored = {pk: refs for pk, refs in _stored_choices(fastai_deck).items() if refs is not None}
    config = services.quick_quiz_config(fastai_deck)
    lookups = candidate_statements(monkeypatch)

    asked = 0
    for seed in range(5):
        for question in services._draw_and_plan(config, seed=seed):
            assert _wrong_choices(question) == set(stored[question.card_id])
            asked += 1
    assert asked == 50 and len(stored) == 53  # every multiple-choice card of the deck
    assert lookups == []  # no candidate looked up: the stored choices were read instead


def test_a_plan_of_cards_with_stored_choices_reads_them_in_one_statement(fastai_deck):
    services.choices_settle(fastai_deck)
    config = services.quick_quiz_config(fastai_deck)

    with CaptureQueriesContext(connection) as queries:
        services._draw_and_plan(config, seed=11)

    # The window of cards drawn, their stored choices, and the images the questions show:
    # no candidate looked up.
    read = [q["sql"] for q in queries.captured_queries]
    assert len(read) == 3 and "steady_choices" in read[0] and "quizzes_cardimage" in read[2]
    assert not [sql for sql in read if "quizzes_cardkeyword" in sql]


def test_settling_again_stores_only_the_choices_that_changed(fastai_deck):
    from quizzes import caching

    services.choices_settle(fastai_deck)
    before = _stored_choices(fastai_deck)
    caching.deck_pages_changed()
    with CaptureQueriesContext(connection) as queries:
        services.choices_settle(fastai_deck)

    assert _stored_choices(fastai_deck) == before
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_a_deck_too_large_to_settle_gets_each_cards_steady_choices_a_batch_at_a_time(
    make_deck, monkeypatch
):
    deck = make_deck(12)
    monkeypatch.setattr(services, "SETTLED_DECK_CARDS", 11)
    monkeypatch.setattr(services, "CHOICES_BATCH", 5)

    progress = [services.choices_settle(deck) for _ in range(3)]

    assert progress == [True, True, False]
    with CaptureQueriesContext(connection) as queries:
        assert services.choices_settle(deck) is False
    assert len(queries) == 0  # not scanned again until the cards change
    stored = _stored_choices(deck)
    assert len(stored) == 12 and None not in stored.values()
    for question in services._draw_and_plan(services.quick_quiz_config(deck), seed=1):
        assert _wrong_choices(question) == set(stored[question.card_id])


def test_the_worker_chooses_a_large_decks_choices_until_every_card_has_them(
    make_deck, monkeypatch, django_capture_on_commit_callbacks
):
    deck = make_deck(12)
    monkeypatch.setattr(services, "SETTLED_DECK_CARDS", 11)
    monkeypatch.setattr(services, "CHOICES_BATCH", 5)

    with django_capture_on_commit_callbacks(execute=True) as asked:
        services.ready_quick_quizzes_top_up(deck=deck, target=1)  # tasks run in place here

    assert len(asked) == 2  # a batch in the top-up, then one task per batch left

    assert None not in _stored_choices(deck).values()


def test_a_stored_choice_whose_card_is_gone_leaves_its_question_to_its_own_steady_ones(
    fastai_deck,
):
    services.choices_settle(fastai_deck)
    asked_card, gone = next(
        (pk, card_id)
        for pk, refs in _stored_choices(fastai_deck).items()
        for card_id, distractor_id in refs or ()
        if distractor_id is None
    )
    Card.objects.filter(pk=gone).delete()
    config = services.QuizConfig(deck=fastai_deck, question_count=1, card_ids=(asked_card,))

    (question,) = services._draw_and_plan(config, seed=3)

    assert len(question.choices) == 4
    assert gone not in {c["card_id"] for c in question.choices}


def test_a_card_edited_since_its_choices_were_stored_is_not_asked_among_them(fastai_deck):
    services.choices_settle(fastai_deck)
    card = Card.objects.filter(deck=fastai_deck).exclude(steady_choices="").first()
    Card.objects.filter(pk=card.pk).update(question_text="Something else entirely?")

    (row,) = services._quiz_rows(Card.objects.filter(pk=card.pk))

    assert services._choices_read(row) is None
