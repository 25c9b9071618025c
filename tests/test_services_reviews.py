"""The study loop's services against the database: quiz answers feeding memory, guest
answers applied on sign-up, the queue across study days and time zones, and its cost."""

from datetime import UTC, datetime, timedelta
from random import Random

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from quizzes import engine, scheduling
from quizzes.models import Attempt, Card, CardMemory, ReviewLog
from quizzes.services import attempts as attempt_services
from quizzes.services import card_holds, reviews
from quizzes.services import cards as card_services
from tests.quizplay import finish, show, start, start_as_guest, wrong_choice
from tests.studyhelpers import (
    anki_decks,
    first_cards,
    image_cached,
    one_note_of_three,
    question_image_missing,
    remember,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)


def ratings(user):
    return list(
        ReviewLog.objects.filter(user=user)
        .order_by("reviewed_at", "pk")
        .values_list("rating", "source")
    )


# --- Quiz answers ---------------------------------------------------------------------------


def answer_at(attempt, *, seconds, right):
    with time_machine.travel(T0, tick=False) as traveller:
        question = show(attempt)
        traveller.shift(seconds)
        choice = question.correct_choice_id if right else wrong_choice(question)
        attempt_services.answer_submit(
            attempt=attempt, question=question, choice_id=choice, now=timezone.now()
        )
    return question


@pytest.mark.parametrize(
    ("seconds", "right", "rating"),
    [(4, True, scheduling.Grade.GOOD), (15, True, scheduling.Grade.HARD), (3, False, 1)],
)
def test_a_multiple_choice_answer_feeds_memory(alice, deck, seconds, right, rating):
    with time_machine.travel(T0, tick=False):
        attempt = start(alice, deck, count=1)  # 20 s a question
    question = answer_at(attempt, seconds=seconds, right=right)
    assert ratings(alice) == [(rating, "quiz")]
    log = ReviewLog.objects.get(user=alice)
    assert log.card_id == question.card_id
    assert log.attempt_question_id == question.pk
    assert log.elapsed_seconds == seconds
    assert CardMemory.objects.filter(user=alice, card_id=question.card_id).exists()


def test_a_timed_out_question_is_again(alice, deck):
    with time_machine.travel(T0, tick=False) as traveller:
        attempt = start(alice, deck, count=2)
        show(attempt)
        traveller.shift(30)
        attempt_services.attempt_refresh(attempt=attempt, now=timezone.now())
    assert ratings(alice) == [(scheduling.Grade.AGAIN, "quiz")]
    assert ReviewLog.objects.get().reviewed_at == T0 + timedelta(seconds=20)  # the deadline


def test_a_timeout_noticed_after_a_later_review_does_not_undo_it(alice, deck):
    """A quiz question left to time out at 12:00:20, its card then graded Good on the review
    page at 12:01, and the quiz opened again at 12:02: its Again belongs before the Good,
    and memory cannot be rewritten backwards (as with a guest's answers on sign-up). Before,
    it was applied on top, dated 12:00:20: the card forgotten, its last review moved back."""
    with time_machine.travel(T0, tick=False) as traveller:
        attempt = start(alice, deck, count=2)
        question = show(attempt)
        traveller.shift(60)
        reviewed = timezone.now()
        due = reviews.review_record(
            user=alice, card=question.card, rating=3, now=reviewed, elapsed_seconds=5
        )
        traveller.shift(60)
        attempt_services.attempt_refresh(attempt=attempt, now=timezone.now())
    question.refresh_from_db()
    assert question.outcome == engine.Outcome.TIMED_OUT
    memory = CardMemory.objects.get(user=alice, card=question.card)
    assert (memory.last_review, memory.due, memory.lapses) == (reviewed, due, 0)
    assert ratings(alice) == [(scheduling.Grade.GOOD, "review")]


def test_questions_never_shown_teach_nothing(alice, deck):
    one_minute = engine.TimeLimit(kind=engine.TimeLimitKind.WHOLE_QUIZ, seconds=60)
    with time_machine.travel(T0, tick=False) as traveller:
        attempt = start(alice, deck, count=3, limit=one_minute)
        show(attempt)
        traveller.shift(120)
        attempt_services.attempt_refresh(attempt=attempt, now=timezone.now())
    assert ratings(alice) == [(scheduling.Grade.AGAIN, "quiz")]  # only the one shown


@pytest.mark.parametrize(("knew", "rating"), [(True, 3), (False, 1)])
def test_a_flashcard_self_grade_feeds_memory(alice, deck, knew, rating):
    untimed = engine.TimeLimit(kind=engine.TimeLimitKind.NONE)
    with time_machine.travel(T0, tick=False):
        attempt = start(alice, deck, count=1, mode="flashcard", limit=untimed)
        question = show(attempt)
        attempt_services.answer_submit(
            attempt=attempt, question=question, knew=knew, now=timezone.now()
        )
    assert ratings(alice) == [(rating, "flashcard")]


def test_a_replayed_answer_is_recorded_once(alice, deck):
    with time_machine.travel(T0, tick=False):
        attempt = start(alice, deck, count=2)
        question = show(attempt)
        for _ in range(2):
            attempt_services.answer_submit(
                attempt=attempt,
                question=question,
                choice_id=question.correct_choice_id,
                now=timezone.now(),
            )
    assert len(ratings(alice)) == 1


def test_a_guests_answers_wait_and_count_when_they_sign_up(client, deck):
    # On the real clock: the guest's session would expire in a journey to the past.
    attempt = finish(start_as_guest(client, deck, count=3), right={1, 2})
    assert not ReviewLog.objects.exists()

    response = client.post(
        reverse("signup"),
        {"username": "late", "password1": "a long passphrase", "password2": "a long passphrase"},
    )

    assert response.status_code == 302
    attempt.refresh_from_db()
    assert [rating for rating, _source in ratings(attempt.user)] == [3, 3, 1]
    assert CardMemory.objects.filter(user=attempt.user).count() == 3


def test_guest_answers_are_applied_on_login_but_never_before_a_later_review(
    client, alice, password, deck
):
    attempt = finish(start_as_guest(client, deck, count=2), right={1, 2})
    first, second = attempt.questions.order_by("position")
    # alice reviewed the first card after the guest quiz: that answer cannot go before it.
    later = timezone.now() + timedelta(hours=1)
    reviews.review_record(user=alice, card=first.card, rating=1, now=later, elapsed_seconds=3)

    client.post(reverse("login"), {"username": "alice", "password": password})

    logs = ReviewLog.objects.filter(user=alice).order_by("reviewed_at")
    assert [(log.card_id, log.source) for log in logs] == [
        (second.card_id, "quiz"),
        (first.card_id, "review"),
    ]


# --- The queue ------------------------------------------------------------------------------


def test_new_cards_stop_at_the_daily_allowance_until_the_next_study_day(alice, deck):
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=3,
        day_start_hour=4,
        time_zone="Europe/Berlin",
    )
    evening = datetime(2025, 3, 5, 20, 0, tzinfo=UTC)  # 21:00 in Berlin
    for item in reviews.review_queue(user=alice, now=evening, limit=10):
        reviews.review_record(user=alice, card=item.card, rating=4, now=evening, elapsed_seconds=2)
    assert CardMemory.objects.filter(user=alice).count() == 3

    # 02:30 in Berlin is still the same study day; 04:00 starts the next.
    still_today = datetime(2025, 3, 6, 1, 30, tzinfo=UTC)
    assert reviews.review_queue(user=alice, now=still_today, limit=10) == []
    assert reviews.review_counts(user=alice, now=still_today).total == 0
    tomorrow = datetime(2025, 3, 6, 3, 0, tzinfo=UTC)
    assert len(reviews.review_queue(user=alice, now=tomorrow, limit=10)) == 3
    assert reviews.review_counts(user=alice, now=tomorrow).new == 3


def make_siblings(deck, notes: int) -> list[list[Card]]:
    """The deck's first cards made into `notes` notes of two cards each (a card and its
    reversed card, or two clozes), numbered one after the other as an Anki import numbers
    them."""
    cards = list(deck.cards.order_by("number")[: notes * 2])
    for place, card in enumerate(cards):
        card.guid, card.card_ord = f"note-{place // 2}", place % 2
    Card.objects.bulk_update(cards, ["guid", "card_ord"])
    return [cards[i : i + 2] for i in range(0, len(cards), 2)]


def test_new_cards_show_each_notes_first_card_before_its_sibling(alice, deck):
    """Anki's default "card type, then order gathered": of the day's new cards, every
    note's first card before any second one, so a reversed card or the next cloze of one
    sentence does not follow the card that just showed its answer."""
    notes = make_siblings(deck, 3)
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=4, day_start_hour=4, time_zone="UTC"
    )
    (a0, a1), (b0, b1), _c = notes
    assert [item.card for item in reviews.review_queue(user=alice, now=T0, limit=10)] == [
        a0,
        b0,
        a1,
        b1,
    ]
    shown = []
    for _ in range(4):  # one card at a time, as the review page asks
        card = reviews.review_queue(user=alice, now=T0, limit=1)[0].card
        reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=2)
        shown.append(card)
    assert shown == [a0, b0, a1, b1]


def answer_queue_one_at_a_time(user, *, now, count: int | None = None) -> list[str]:
    """Answer the queue (or its first `count` cards) as the review page does, one card at a
    time (Good): "new" or "review" for each card shown."""
    shown = []
    while len(shown) != count and (queue := reviews.review_queue(user=user, now=now, limit=1)):
        item = queue[0]
        shown.append("new" if item.is_new else "review")
        reviews.review_record(user=user, card=item.card, rating=3, now=now, elapsed_seconds=2)
    return shown


def new_cards_ordered(user, deck, order: str, *, per_day: int = 2, due: int = 4) -> None:
    """`per_day` new cards a day in the `order` given, and the deck's first `due` cards due
    for review."""
    reviews.settings_update(
        user=user,
        desired_retention=0.9,
        new_cards_per_day=per_day,
        day_start_hour=4,
        time_zone="UTC",
        new_review_order=order,
    )
    remember(user, first_cards(deck, due), now=T0)


@pytest.mark.parametrize(
    ("order", "shown"),
    [
        ("after", ["review"] * 4 + ["new"] * 2),
        ("before", ["new"] * 2 + ["review"] * 4),
        ("mix", ["review", "new", "review", "review", "new", "review"]),
    ],
)
def test_new_cards_come_after_before_or_among_the_reviews_as_the_learner_orders(
    alice, deck, order, shown
):
    """Anki's "New/review order", kept across the page's one-card-at-a-time questions."""
    new_cards_ordered(alice, deck, order)
    assert answer_queue_one_at_a_time(alice, now=T0) == shown


def test_mixed_new_cards_are_spread_by_those_left_not_by_the_days_allowance(alice, deck):
    """Twenty new cards a day, but two left in the deck: spread as two among ten reviews,
    not as twenty (which would put them first)."""
    new_cards_ordered(alice, deck, "mix", per_day=20, due=10)
    spread = scheduling.intersperse(
        ["review"] * 10, ["new"] * 2, reviews_left=10, new_left=2
    )  # fmt: skip
    assert spread.index("new") == 3
    assert answer_queue_one_at_a_time(alice, now=T0) == spread


def test_mixed_new_cards_go_on_with_the_days_spread_after_a_break(alice, deck):
    """Half the day's cards in the morning, the rest in the evening: the evening goes on
    where the morning stopped, as one session would, instead of starting the mix again."""
    new_cards_ordered(alice, deck, "mix")
    morning = answer_queue_one_at_a_time(alice, now=T0, count=3)
    evening = answer_queue_one_at_a_time(alice, now=T0 + timedelta(hours=8))
    assert morning + evening == ["review", "new", "review", "review", "new", "review"]


def test_a_review_card_comes_due_when_its_study_day_starts(alice, deck):
    card = first_cards(deck, 1)[0]
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="Asia/Tokyo",
    )
    # Due at 18:00 Tokyo time on 7 March: due all that study day, from 04:00 Tokyo.
    due = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)
    remember(alice, [card], now=due, due_in=timedelta(0))
    before = datetime(2025, 3, 6, 18, 59, tzinfo=UTC)  # 03:59 on the 7th in Tokyo
    after = datetime(2025, 3, 6, 19, 0, tzinfo=UTC)  # 04:00
    assert reviews.review_queue(user=alice, now=before, limit=5) == []
    assert [item.card for item in reviews.review_queue(user=alice, now=after, limit=5)] == [card]


@pytest.mark.parametrize(
    "moment",
    [
        # 04:30 in Berlin on the eve of the clocks going back: 24 hours later is 03:30,
        # still the same study day.
        datetime(2025, 10, 25, 2, 30, tzinfo=UTC),
        # 03:30 (the study day before) on the eve of the clocks going forward: 24 hours
        # later is 04:30, two study days on.
        datetime(2025, 3, 29, 2, 30, tzinfo=UTC),
    ],
)
def test_a_one_day_interval_is_one_study_day_across_a_daylight_saving_change(alice, deck, moment):
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=5,
        day_start_hour=4,
        time_zone="Europe/Berlin",
    )
    card = reviews.review_queue(user=alice, now=moment, limit=1)[0].card
    memory = reviews.queue_item(user=alice, card=card).memory
    options = reviews.grade_options(
        user=alice,
        settings=reviews.learner_settings(user=alice),
        memory=memory,
        card=card,
        now=moment,
    )
    assert options[0].interval_label == "1 d"
    due = reviews.review_record(user=alice, card=card, rating=1, now=moment, elapsed_seconds=2)

    def day(when):
        return scheduling.study_day(when, time_zone="Europe/Berlin", day_start_hour=4)

    assert (day(due) - day(moment)).days == 1
    later = moment + timedelta(minutes=1)
    assert card not in [item.card for item in reviews.review_queue(user=alice, now=later, limit=9)]
    _start, day_end = reviews.study_day_bounds(
        settings=reviews.learner_settings(user=alice), now=due
    )
    assert card in [item.card for item in reviews.review_queue(user=alice, now=due, limit=9)]
    assert due < day_end


def test_with_learning_steps_a_card_answered_again_comes_back_after_the_new_ones(alice, deck):
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=2,
        day_start_hour=4,
        time_zone="UTC",
        learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
    )
    first = reviews.review_queue(user=alice, now=T0, limit=1)[0].card
    reviews.review_record(user=alice, card=first, rating=1, now=T0, elapsed_seconds=2)
    later = T0 + timedelta(seconds=20)
    order = [item.card for item in reviews.review_queue(user=alice, now=later, limit=5)]
    assert order[-1] == first  # due in a minute: shown once the new card is done
    assert len(order) == 2
    in_two_minutes = T0 + timedelta(minutes=2)
    assert reviews.review_queue(user=alice, now=in_two_minutes, limit=1)[0].card == first


def test_a_card_forgotten_comes_back_when_its_relearning_step_is_up_not_after_the_reviews(
    alice, deck
):
    """Relearning step 10m and 12 reviews overdue: the lapse is shown again ten minutes
    later, between two reviews, as in Anki; it waited until all 11 other reviews were done."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="UTC",
        relearning_steps=(timedelta(minutes=10),),
    )
    remember(alice, first_cards(deck, 12), now=T0, due_in=timedelta(days=-2), stability=4.0)
    forgotten = reviews.review_queue(user=alice, now=T0, limit=1)[0].card
    reviews.review_record(user=alice, card=forgotten, rating=1, now=T0, elapsed_seconds=5)
    moment = T0
    for _ in range(4):  # four more reviews in the ten minutes
        moment += timedelta(minutes=2)
        card = reviews.review_queue(user=alice, now=moment, limit=1)[0].card
        assert card != forgotten
        reviews.review_record(user=alice, card=card, rating=3, now=moment, elapsed_seconds=5)
    eleven_minutes_on = T0 + timedelta(minutes=11)
    queue = reviews.review_queue(user=alice, now=eleven_minutes_on, limit=20)
    assert queue[0].card == forgotten
    assert len(queue) == 8  # the step, then the 7 reviews left


def failed_into_a_twelve_hour_step_at_8_pm(alice, deck):
    """A card answered Again at 8 pm on 5 March, its one learning step 12 hours long; the
    study day starts at 4 am (UTC)."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="UTC",
        learning_steps=(timedelta(hours=12),),
    )
    card = first_cards(deck, 1)[0]
    evening = datetime(2025, 3, 5, 20, 0, tzinfo=UTC)
    reviews.review_record(user=alice, card=card, rating=1, now=evening, elapsed_seconds=2)
    return card


def test_a_learning_step_into_the_next_study_day_is_in_its_first_review(alice, deck):
    """A 12-hour step answered at 8 pm: Anki shows the card from 4 am, the next study day's
    start; it waited until 8 am, after a learner's morning review."""
    card = failed_into_a_twelve_hour_step_at_8_pm(alice, deck)
    morning = datetime(2025, 3, 6, 6, 30, tzinfo=UTC)
    assert [item.card for item in reviews.review_queue(user=alice, now=morning, limit=5)] == [card]
    assert reviews.review_counts(user=alice, now=morning).due == 1


def test_a_step_due_at_the_next_study_days_start_is_not_learnt_ahead_before_it(alice, deck):
    """Anki shows no card of the next study day before it starts: the 20 minutes of
    learning ahead end at 4 am."""
    failed_into_a_twelve_hour_step_at_8_pm(alice, deck)
    before_start = datetime(2025, 3, 6, 3, 45, tzinfo=UTC)
    assert reviews.review_queue(user=alice, now=before_start, limit=5) == []
    assert reviews.review_counts(user=alice, now=before_start).due == 0
    next_due = reviews.next_due(user=alice, now=before_start)
    assert next_due.at == datetime(2025, 3, 6, 4, 0, tzinfo=UTC)
    assert next_due.label == "tomorrow"
    at_start = datetime(2025, 3, 6, 4, 0, tzinfo=UTC)
    assert reviews.review_counts(user=alice, now=at_start).due == 1  # not kept from 3:45


def test_a_review_the_next_evening_counts_a_day_later_though_not_24_hours_later(alice, deck):
    card = first_cards(deck, 1)[0]
    evening = datetime(2025, 3, 5, 20, 0, tzinfo=UTC)
    reviews.review_record(user=alice, card=card, rating=3, now=evening, elapsed_seconds=2)
    before = CardMemory.objects.get(user=alice, card=card).as_memory()
    next_evening = evening + timedelta(hours=22)
    reviews.review_record(user=alice, card=card, rating=3, now=next_evening, elapsed_seconds=2)
    after = CardMemory.objects.get(user=alice, card=card)
    expected = scheduling.schedule(
        before,
        scheduling.Grade.GOOD,
        now=next_evening,
        scheduler=scheduling.make_scheduler(),
        elapsed_days=1,
    )
    assert after.stability == pytest.approx(expected.stability)
    assert after.stability > before.stability * 1.5  # a next-day review, not a same-day one


def test_review_cards_held_back_by_the_days_maximum_are_next_due_when_the_next_day_starts(
    alice, deck
):
    """Overdue, but past the day's maximum: not "in 0 minutes", unless a step comes first."""
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="Europe/Berlin",
        max_reviews_per_day=0,
    )
    held, stepping = first_cards(deck, 2)
    remember(alice, [held], now=T0, due_in=timedelta(days=-3))
    next_day = datetime(2025, 3, 6, 3, 0, tzinfo=UTC)  # 4 am in Berlin
    assert reviews.next_due(user=alice, now=T0) == reviews.NextDue(
        at=next_day, day=next_day.date(), days=1
    )
    step_due = T0 + timedelta(hours=2)
    remember(alice, [stepping], now=T0, due_in=timedelta(hours=2))
    CardMemory.objects.filter(card=stepping).update(state=scheduling.MemoryState.LEARNING)
    assert reviews.next_due(user=alice, now=T0).at == step_due - scheduling.LEARN_AHEAD


def limited_to_five_reviews(user, deck, *, ignore: bool = False) -> None:
    """Three review cards due and nine new ones ready (of twelve), 20 new cards a day, at
    most five reviews a day."""
    reviews.settings_update(
        user=user,
        desired_retention=0.9,
        new_cards_per_day=20,
        day_start_hour=4,
        time_zone="UTC",
        max_reviews_per_day=5,
        new_cards_ignore_review_limit=ignore,
    )
    remember(user, first_cards(deck, 3), now=T0)


def test_the_days_maximum_of_reviews_caps_new_cards_too(alice, deck):
    """Anki's v3 scheduler: "the review limit also applies to new cards"; at most five a
    day with three due leaves room for two new cards, which count towards it."""
    limited_to_five_reviews(alice, deck)
    counts = reviews.review_counts(user=alice, now=T0)
    assert (counts.reviews, counts.new, counts.new_over_limit) == (3, 2, 7)
    assert answer_queue_one_at_a_time(alice, now=T0) == ["review"] * 3 + ["new"] * 2
    counts = reviews.review_counts(user=alice, now=T0)
    assert (counts.total, counts.over_limit, counts.new_over_limit) == (0, 0, 7)
    tomorrow = T0 + timedelta(days=1)
    assert reviews.review_counts(user=alice, now=tomorrow).new == 5  # none due: room for 5


def test_new_cards_met_on_the_review_page_count_towards_the_maximum(alice, deck):
    limited_to_five_reviews(alice, deck)
    CardMemory.objects.filter(user=alice).delete()  # nothing due: five new cards, no more
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=20,
        day_start_hour=4,
        time_zone="UTC",
        max_reviews_per_day=5,
        new_review_order="before",
    )
    assert answer_queue_one_at_a_time(alice, now=T0) == ["new"] * 5


def test_new_cards_may_ignore_the_maximum_of_reviews(alice, deck):
    """Anki's "New cards ignore review limit"."""
    limited_to_five_reviews(alice, deck, ignore=True)
    counts = reviews.review_counts(user=alice, now=T0)
    assert (counts.new, counts.new_over_limit) == (9, 0)
    assert answer_queue_one_at_a_time(alice, now=T0) == ["review"] * 3 + ["new"] * 9


def test_more_new_cards_asked_for_come_past_the_maximum_of_reviews(alice, deck):
    """ "Learn 3 more new cards today" at the maximum: today's maximum makes room for them."""
    limited_to_five_reviews(alice, deck)
    answer_queue_one_at_a_time(alice, now=T0)
    reviews.new_cards_extend(user=alice, now=T0, count=3)
    assert reviews.review_counts(user=alice, now=T0).new == 3
    assert answer_queue_one_at_a_time(alice, now=T0) == ["new"] * 3
    settings = reviews.learner_settings(user=alice)
    assert settings.extra_reviews_on(T0.date()) == 3
    assert reviews.review_counts(user=alice, now=T0 + timedelta(days=1)).new == 4  # 5 - 1 due


# --- More new cards today -------------------------------------------------------------------


def study_all(user, *, now):
    for item in reviews.review_queue(user=user, now=now, limit=100):
        reviews.review_record(user=user, card=item.card, rating=3, now=now, elapsed_seconds=2)


def test_more_new_cards_today_raise_todays_allowance_only(alice, deck):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=3, day_start_hour=4, time_zone="UTC"
    )
    study_all(alice, now=T0)
    assert reviews.review_queue(user=alice, now=T0, limit=10) == []
    assert reviews.new_cards_unstudied(user=alice, now=T0) == reviews.UnstudiedCards(
        ready=9, waiting=0
    )

    assert reviews.new_cards_extend(user=alice, now=T0, count=2) == 2
    assert reviews.review_counts(user=alice, now=T0).new == 2
    assert reviews.new_cards_extend(user=alice, now=T0, count=2) == 4  # adds up on one day
    assert len(reviews.review_queue(user=alice, now=T0, limit=10)) == 4

    tomorrow = T0 + timedelta(days=1)
    assert reviews.review_counts(user=alice, now=tomorrow).new == 3  # back to the setting


def test_a_new_card_studied_today_and_deleted_since_still_counts_in_todays_allowance(alice, deck):
    """Staff deleting a card takes its memory, not the learner's review of it: the day's
    new cards are not given back (Anki counts them too), in the queue and in the counts."""
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=3, day_start_hour=4, time_zone="UTC"
    )
    study_all(alice, now=T0)
    studied = Card.objects.filter(memories__user=alice).order_by("number").first()
    studied.delete()

    assert ReviewLog.objects.filter(user=alice, card=None).count() == 1
    assert reviews.review_queue(user=alice, now=T0, limit=10) == []
    assert reviews.review_counts(user=alice, now=T0).new == 0
    assert reviews.new_cards_extend(user=alice, now=T0, count=1) == 1  # one more, not two
    assert reviews.review_counts(user=alice, now=T0).new == 1
    tomorrow = T0 + timedelta(days=1)
    assert reviews.review_counts(user=alice, now=tomorrow).new == 3


def test_a_review_card_answered_today_and_deleted_since_still_counts_in_todays_maximum(alice, deck):
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="UTC",
        max_reviews_per_day=2,
    )
    due = list(first_cards(deck, 4))
    remember(alice, due, now=T0)
    for item in reviews.review_queue(user=alice, now=T0, limit=10):
        reviews.review_record(user=alice, card=item.card, rating=3, now=T0, elapsed_seconds=2)
    answered = Card.objects.filter(review_logs__reviewed_at=T0).distinct()
    assert answered.count() == 2
    answered.first().delete()

    assert reviews.review_queue(user=alice, now=T0, limit=10) == []
    counts = reviews.review_counts(user=alice, now=T0)
    assert (counts.due, counts.over_limit) == (0, 2)


def test_more_new_cards_of_one_learner_leave_anothers_allowance_alone(alice, bob, deck):
    reviews.new_cards_extend(user=alice, now=T0, count=5)
    assert reviews.review_counts(user=bob, now=T0).new == 12
    assert reviews.learner_settings(user=bob).extra_new_cards == 0


# --- New cards whose question needs an image not cached -----------------------------------


def queued_cards(user, *, now=T0):
    return [item.card for item in reviews.review_queue(user=user, now=now, limit=100)]


def test_a_new_card_whose_question_needs_a_missing_image_is_not_served(alice, deck):
    card = first_cards(deck, 1)[0]
    question_image_missing(card)
    queue = queued_cards(alice)
    assert card not in queue
    assert len(queue) == 11


def test_a_new_card_whose_question_needs_a_missing_image_is_not_counted(alice, deck):
    question_image_missing(first_cards(deck, 1)[0])
    assert reviews.review_counts(user=alice, now=T0).new == 11
    assert reviews.new_cards_unstudied(user=alice, now=T0) == reviews.UnstudiedCards(
        ready=11, waiting=1
    )


def test_the_daily_allowance_is_filled_with_cards_that_can_be_introduced(alice, deck):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=3, day_start_hour=4, time_zone="UTC"
    )
    first, *_others = first_cards(deck, 2)
    question_image_missing(first)
    assert [card.number for card in queued_cards(alice)] == [2, 3, 4]
    assert reviews.review_counts(user=alice, now=T0).new == 3


def test_a_waiting_card_is_served_once_its_image_is_cached(alice, deck):
    card = first_cards(deck, 1)[0]
    image = question_image_missing(card)
    assert reviews.review_counts(user=alice, now=T0).new == 11  # kept until the decks change

    image_cached(image)

    assert queued_cards(alice)[0] == card
    assert reviews.review_counts(user=alice, now=T0).new == 12
    assert reviews.new_cards_unstudied(user=alice, now=T0) == reviews.UnstudiedCards(
        ready=12, waiting=0
    )


def test_a_studied_card_whose_question_image_goes_missing_still_comes_due(alice, deck):
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    card = first_cards(deck, 1)[0]
    remember(alice, [card], now=T0, due_in=timedelta(days=-1))
    question_image_missing(card)
    assert queued_cards(alice) == [card]
    assert reviews.review_counts(user=alice, now=T0).due == 1


def test_a_studied_card_whose_question_image_goes_missing_is_not_waiting(alice, deck):
    studied, unstudied = first_cards(deck, 2)
    remember(alice, [studied], now=T0, due_in=timedelta(days=3))
    question_image_missing(studied)
    question_image_missing(unstudied)
    assert reviews.new_cards_unstudied(user=alice, now=T0) == reviews.UnstudiedCards(
        ready=10, waiting=1
    )
    assert reviews.review_counts(user=alice, now=T0).new == 10


# --- Leeches --------------------------------------------------------------------------------


def forget_daily(user, card, *, times, start=T0):
    """Answer Again on `times` successive days; returns when the last answer was given."""
    moment = start
    for _ in range(times):
        reviews.review_record(user=user, card=card, rating=1, now=moment, elapsed_seconds=2)
        moment += timedelta(days=1)
    return moment - timedelta(days=1)


def test_the_eighth_lapse_suspends_a_leech_out_of_the_queue(alice, deck):
    card = first_cards(deck, 1)[0]
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    last = forget_daily(alice, card, times=8)  # the first answer is new, not a lapse
    memory = CardMemory.objects.get(user=alice, card=card)
    assert (memory.lapses, memory.suspended) == (7, False)
    assert not reviews.became_leech(user=alice, card=card, at=last)

    ninth = last + timedelta(days=1)
    reviews.review_record(user=alice, card=card, rating=1, now=ninth, elapsed_seconds=2)
    memory.refresh_from_db()
    assert (memory.lapses, memory.suspended) == (8, True)
    assert reviews.became_leech(user=alice, card=card, at=ninth)
    later = ninth + timedelta(days=3)
    assert reviews.review_queue(user=alice, now=later, limit=5) == []
    assert reviews.review_counts(user=alice, now=later).due == 0
    assert reviews.next_due(user=alice, now=later) is None
    assert reviews.leeches_suspended(user=alice) == 1


def test_a_leech_brought_back_is_suspended_again_four_lapses_later(alice, bob, deck):
    card = first_cards(deck, 1)[0]
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    last = forget_daily(alice, card, times=9)
    forget_daily(bob, card, times=9)
    assert reviews.leeches_unsuspend(user=alice) == 1
    assert reviews.leeches_suspended(user=bob) == 1  # bob's leech stays
    memory = CardMemory.objects.get(user=alice, card=card)
    assert [item.card for item in reviews.review_queue(user=alice, now=memory.due, limit=5)] == [
        card
    ]
    last = forget_daily(alice, card, times=3, start=last + timedelta(days=1))
    assert not reviews.became_leech(user=alice, card=card, at=last)
    last = forget_daily(alice, card, times=1, start=last + timedelta(days=1))
    memory.refresh_from_db()
    assert (memory.lapses, memory.suspended) == (12, True)
    assert reviews.became_leech(user=alice, card=card, at=last)


def test_undoing_the_grade_that_made_a_leech_brings_it_back(alice, deck):
    card = first_cards(deck, 1)[0]
    last = forget_daily(alice, card, times=9)
    review = ReviewLog.objects.get(user=alice, card=card, reviewed_at=last)
    reviews.review_undo(user=alice, review_id=review.pk)
    memory = CardMemory.objects.get(user=alice, card=card)
    assert (memory.lapses, memory.suspended) == (7, False)


def test_an_undo_of_one_cards_grade_names_its_deck_apart_from_another_of_its_name(
    alice, make_deck, django_assert_max_num_queries
):
    make_deck(1, slug="bio-a", name="Biology")
    card = first_cards(make_deck(1, slug="bio-b", name="biology"), 1)[0]
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=2)
    review = ReviewLog.objects.get(user=alice)
    card_services.tree_scopes_kept()  # kept for every page, as it is once a page has read it

    with django_assert_max_num_queries(1):
        decks = reviews.undo_decks(user=alice, review_id=review.pk)

    # It said "biology", as the Set due date's many-card undo did not.
    assert decks == [reviews.UndoDeck(card.deck_id, "biology (bio-b)", 1)]


def test_a_smart_quiz_asks_a_suspended_leech_among_the_weakest_not_the_due(alice, deck):
    cards = list(first_cards(deck, 3))
    remember(alice, cards, now=T0, due_in=timedelta(days=-1))
    CardMemory.objects.filter(user=alice, card=cards[0]).update(suspended=True, stability=0.5)
    order = reviews.smart_quiz_card_ids(user=alice, deck_id=deck.pk, now=T0)
    assert set(order[:2]) == {cards[1].pk, cards[2].pk}
    assert order[2] == cards[0].pk


def test_memory_state_reports_stability_difficulty_and_retrievability(alice, deck):
    card = first_cards(deck, 1)[0]
    due = reviews.review_record(user=alice, card=card, rating=4, now=T0, elapsed_seconds=3)
    state = reviews.memory_state(user=alice, card=card, now=T0 + timedelta(days=1))
    assert state.state is scheduling.MemoryState.REVIEW
    assert state.due == due
    assert state.stability == pytest.approx(scheduling.DEFAULT_PARAMETERS[3], rel=1e-3)
    assert 1 <= state.difficulty <= 10
    assert 0.9 < state.retrievability < 1
    unseen = reviews.memory_state(user=alice, card=first_cards(deck, 2)[1], now=T0)
    assert (unseen.state, unseen.retrievability) == (scheduling.MemoryState.NEW, 0.0)


def test_the_queue_and_counts_take_a_bounded_number_of_queries_for_10000_due_cards(
    alice, make_deck, django_assert_max_num_queries
):
    deck = make_deck(10_000, slug="huge")
    remember(alice, Card.objects.filter(deck=deck), now=T0, reviews=0)
    with django_assert_max_num_queries(6):
        queue = reviews.review_queue(user=alice, now=T0, limit=50)
    assert len(queue) == 50
    with django_assert_max_num_queries(4):
        counts = reviews.review_counts(user=alice, now=T0)
    # The day's maximum of reviews (200 by default) shows; the others wait.
    assert (counts.due, counts.over_limit) == (200, 9_800)


@pytest.mark.parametrize("reviewed", [10, 1000])
def test_the_queue_runs_the_same_queries_for_10_or_1000_reviewed_cards(
    alice, make_deck, django_assert_max_num_queries, reviewed
):
    deck = make_deck(reviewed + 20, slug=f"d{reviewed}")
    remember(alice, first_cards(deck, reviewed), now=T0, reviews=2)
    # 7 with new cards to fill the 30; 6 when due cards alone fill it.
    with django_assert_max_num_queries(7):
        queue = reviews.review_queue(user=alice, now=T0, limit=30)
    assert len(queue) == 30


@pytest.mark.parametrize("size", [10, 1000])
def test_the_counts_run_the_same_queries_for_10_or_1000_cards_when_some_wait_for_an_image(
    alice, make_deck, django_assert_num_queries, size
):
    deck = make_deck(size + 20, slug=f"d{size}")
    remember(alice, first_cards(deck, size), now=T0, reviews=0)
    for card in first_cards(deck, size + 2)[size - 1 :]:
        question_image_missing(card)  # one studied, two not
    # The learner's settings, the decks' counts, the learner's (their reviews today among
    # them: the day's maximum counts them).
    with django_assert_num_queries(3):
        counts = reviews.review_counts(user=alice, now=T0)
    # 200 reviews a day at most, new cards among them (Anki's v3 scheduler).
    new = 18 if size < 200 else 0
    assert (counts.due, counts.new, counts.new_over_limit) == (min(size, 200), new, 18 - new)
    # The learner's memories, and the new cards they hold (buried, suspended).
    with django_assert_num_queries(2):
        unstudied = reviews.new_cards_unstudied(user=alice, now=T0)
    assert unstudied == reviews.UnstudiedCards(ready=18, waiting=2)


def test_the_queue_is_ordered_by_relative_overdueness_in_the_database_too(alice, deck):
    a, b, c = first_cards(deck, 3)
    remember(alice, [a], now=T0, due_in=timedelta(days=-2), stability=10)
    remember(alice, [b], now=T0, due_in=timedelta(days=-2), stability=1)
    remember(alice, [c], now=T0, due_in=timedelta(days=-6), stability=20)
    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=0, day_start_hour=4, time_zone="UTC"
    )
    assert [item.card for item in reviews.review_queue(user=alice, now=T0, limit=5)] == [b, c, a]


# --- Load balancing and easy days -----------------------------------------------------------


def good_days(user, card, *, now) -> set[int]:
    """The days Good may give `card` before any balancing: its fuzz range."""
    settings = reviews.learner_settings(user=user)
    memory = CardMemory.objects.get(user=user, card=card).as_memory()
    scheduler = reviews._scheduler(settings)
    return {
        round(
            (
                scheduling.schedule(
                    memory, 3, now=now, scheduler=scheduler, fuzz_seed=seed, elapsed_days=20
                ).due
                - now
            ).total_seconds()
            / 86400
        )
        for seed in range(40)
    }


def due_on_days(user, cards, days, *, now):
    """One of `cards` due on each of `days` from today (a review card, learned before)."""
    CardMemory.objects.bulk_create(
        CardMemory(
            user=user,
            card=card,
            state=scheduling.MemoryState.REVIEW,
            stability=10.0,
            difficulty=5.0,
            due=now + timedelta(days=day),
            last_review=now - timedelta(days=10),
            first_review=now - timedelta(days=30),
            reps=2,
        )
        for card, day in zip(cards, days, strict=True)
    )


def test_an_answer_goes_to_the_day_of_its_range_with_fewest_cards_due(
    alice, make_deck, django_assert_num_queries
):
    """Anki's load balancer: every other day of Good's range has a card due, one has none.
    The grade button says that day, and the answer, in one query more than without a
    balancer (the cards due on each day of the range, counted together), takes it."""
    answered, *others = make_deck(80, slug="balanced").cards.order_by("number")
    remember(alice, [answered], now=T0, due_in=timedelta(0), stability=20.0)
    spread = good_days(alice, answered, now=T0)
    quiet = max(spread)  # drawn one time in len(spread) without a balancer
    days = [day for day in range(1, 80) if day != quiet]
    due_on_days(alice, others[: len(days)], days, now=T0)
    settings = reviews.learner_settings(user=alice)
    memory = CardMemory.objects.get(user=alice, card=answered)
    with django_assert_num_queries(1):
        options = reviews.grade_options(
            user=alice, settings=settings, memory=memory, card=answered, now=T0
        )
    assert options[2].interval_label == scheduling.interval_label(timedelta(days=quiet))
    # Two savepoints, the memory locked, the count, the memory and the log written, their
    # releases.
    with django_assert_num_queries(8):
        due = reviews.review_record(user=alice, card=answered, rating=3, now=T0, elapsed_seconds=4)
    assert (due - T0).days == quiet
    assert len(spread) > 2


@pytest.mark.parametrize("bury_siblings", [True, False])
def test_with_siblings_buried_an_answer_keeps_off_its_siblings_day(
    alice, make_deck, django_assert_num_queries, bury_siblings
):
    """Anki's load balancer with "Bury review siblings": the day a sibling is due (every
    day has as many cards due) weighs almost nothing, counted in the same query."""
    deck = make_deck(80, slug="siblings")
    answered, sibling, _third = one_note_of_three(alice, deck, bury_siblings=bury_siblings)
    others = list(deck.cards.order_by("number")[3:])
    remember(alice, [answered], now=T0, due_in=timedelta(0), stability=20.0)
    spread = sorted(good_days(alice, answered, now=T0))
    settings = reviews.learner_settings(user=alice)
    memory = CardMemory.objects.get(user=alice, card=answered)
    landed = {}
    for sibling_day in spread:
        CardMemory.objects.filter(user=alice).exclude(card=answered).delete()
        days = [day for day in range(1, 75) if day != sibling_day]
        due_on_days(alice, [sibling, *others[: len(days)]], [sibling_day, *days], now=T0)
        with django_assert_num_queries(1):
            options = reviews.grade_options(
                user=alice, settings=settings, memory=memory, card=answered, now=T0
            )
        landed[sibling_day] = options[2].interval_label
    off_the_sibling = [
        landed[day] != scheduling.interval_label(timedelta(days=day)) for day in spread
    ]
    assert all(off_the_sibling) if bury_siblings else not all(off_the_sibling)


def test_easy_days_keep_an_answer_to_the_normal_weekday_of_its_range(alice, make_deck):
    """Every weekday Minimum but one, as many cards due each day: Good goes to that one."""
    answered, *others = make_deck(80, slug="easy-days").cards.order_by("number")
    remember(alice, [answered], now=T0, due_in=timedelta(0), stability=20.0)
    spread = good_days(alice, answered, now=T0)
    assert len(spread) >= 7  # every weekday in the range
    due_on_days(alice, others, range(1, 80), now=T0)
    open_day = (T0.date() + timedelta(days=min(spread) + 3)).weekday()
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=20,
        day_start_hour=4,
        time_zone="UTC",
        easy_days=tuple(
            scheduling.EasyDay.NORMAL if day == open_day else scheduling.EasyDay.MINIMUM
            for day in range(7)
        ),
    )
    due = reviews.review_record(user=alice, card=answered, rating=3, now=T0, elapsed_seconds=4)
    assert due.weekday() == open_day and (due - T0).days in spread


# --- Smart quizzes --------------------------------------------------------------------------


def test_a_smart_quiz_asks_due_then_weakest_cards(client, alice, deck):
    cards = list(first_cards(deck, 6))
    remember(alice, cards[:2], now=T0, due_in=timedelta(days=-1))
    remember(alice, cards[2:4], now=T0, due_in=timedelta(days=5), stability=1)
    remember(alice, cards[4:6], now=T0, due_in=timedelta(days=30), stability=60)
    order = reviews.smart_quiz_card_ids(user=alice, deck_id=deck.pk, now=T0)
    assert set(order[:2]) == {cards[0].pk, cards[1].pk}
    assert set(order[2:4]) == {cards[2].pk, cards[3].pk}
    assert set(order[4:6]) == {cards[4].pk, cards[5].pk}
    assert len(order) == 12

    client.force_login(alice)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            reverse("quiz_setup"),
            {
                "deck": deck.pk,
                "question_count": 4,
                "mode": "multiple_choice",
                "time_limit_kind": "none",
                "smart": "on",
            },
        )
    assert response.status_code == 302
    attempt = alice.attempts.get()
    assert {q.card_id for q in attempt.questions.all()} == {c.pk for c in cards[:4]}


def test_the_setup_page_offers_a_smart_quiz_only_to_learners(client, alice, deck):
    assert "Smart quiz" not in client.get(reverse("quiz_setup")).text
    client.force_login(alice)
    assert "Smart quiz" in client.get(reverse("quiz_setup")).text


# --- Settings -------------------------------------------------------------------------------


def test_the_settings_are_read_once_until_they_change(alice, bob, django_assert_num_queries):
    assert reviews.learner_settings(user=alice).desired_retention == 0.9
    with django_assert_num_queries(0):
        assert reviews.learner_settings(user=alice).desired_retention == 0.9

    reviews.settings_update(
        user=alice, desired_retention=0.8, new_cards_per_day=5, day_start_hour=4, time_zone="UTC"
    )
    with django_assert_num_queries(1):
        assert reviews.learner_settings(user=alice).desired_retention == 0.8
    assert reviews.learner_settings(user=bob).desired_retention == 0.9


def test_settings_fitted_or_deleted_are_seen_at_once(alice):
    reviews.settings_update(
        user=alice, desired_retention=0.85, new_cards_per_day=5, day_start_hour=4, time_zone="UTC"
    )
    kept = reviews.learner_settings(user=alice)
    kept.fsrs_parameters = list(scheduling.DEFAULT_PARAMETERS)
    kept.save()  # as fsrs_optimize saves them
    assert reviews.learner_settings(user=alice).fsrs_parameters == kept.fsrs_parameters

    alice.learner_settings.delete()
    assert reviews.learner_settings(user=alice).desired_retention == 0.9


def test_rescheduling_costs_as_many_queries_for_thirty_cards_as_for_two(
    alice, bob, make_deck, django_assert_num_queries
):
    """Anki's "Reschedule cards on change": the review cards read in one query (each with
    its last answer), the cards answered today counted in one (the load balancer's),
    those moved written in one and logged in one, however many."""
    cards = list(make_deck(30, slug="thirty").cards.all())
    for learner, few_or_many in ((alice, cards[:2]), (bob, cards)):
        remember(learner, few_or_many, now=T0, due_in=timedelta(days=30))
        reviews.learner_settings(user=learner)  # read and kept, as every answer reads them
        # The savepoint and its release, a read, a count, a write and the log of the moves.
        with django_assert_num_queries(6):
            assert reviews.review_cards_reschedule(user=learner, now=T0) == len(few_or_many)


def test_rescheduling_passes_over_a_new_card_set_due_and_not_answered_since(alice, deck):
    """It has no answer to count an interval from: Anki leaves such a card be too."""
    card = first_cards(deck, 1)[0]
    spec = scheduling.parse_due_date("30")
    reviews.cards_set_due(
        user=alice, cards=Card.objects.filter(pk=card.pk), spec=spec, now=T0, rng=Random(1)
    )
    due = CardMemory.objects.get(user=alice, card=card).due
    assert reviews.review_cards_reschedule(user=alice, now=T0) == 0
    assert CardMemory.objects.get(user=alice, card=card).due == due


def test_an_answer_is_scheduled_with_the_settings_saved_just_before(alice, bob, deck):
    dues = {}
    for learner, retention in ((alice, 0.97), (bob, 0.75)):
        attempt = start(learner, deck)
        reviews.learner_settings(user=learner)  # the defaults, read and kept
        reviews.settings_update(
            user=learner,
            desired_retention=retention,
            new_cards_per_day=5,
            day_start_hour=4,
            time_zone="UTC",
            learning_steps=(),
        )
        with time_machine.travel(T0, tick=False):
            question = show(attempt)
            attempt_services.answer_submit(
                attempt=attempt,
                question=question,
                choice_id=question.correct_choice_id,
                now=T0 + timedelta(seconds=5),
            )
        dues[learner] = CardMemory.objects.get(user=learner, card=question.card).due
    # Without learning steps a right answer goes straight to an interval of days, shorter
    # the more the learner wants to remember.
    assert T0 + timedelta(hours=20) < dues[alice] < dues[bob]


# --- A quiz answer's review, worked out before its transaction ------------------------------


def _memories_and_logs(user) -> tuple[list, list]:
    """Every field of the learner's memory rows and review logs but the ids."""
    memory_fields = [f.attname for f in CardMemory._meta.concrete_fields if not f.primary_key]
    log_fields = [f.attname for f in ReviewLog._meta.concrete_fields if not f.primary_key]
    return (
        list(CardMemory.objects.filter(user=user).order_by("card_id").values(*memory_fields)),
        list(ReviewLog.objects.filter(user=user).order_by("card_id").values(*log_fields)),
    )


@pytest.mark.parametrize("remembered", [False, True], ids=["new card", "card in memory"])
def test_a_quiz_answer_stores_what_reviewing_the_locked_memory_stores(
    alice, deck, monkeypatch, remembered
):
    """The answer path writes the memory and log itself (play_sql); the same answer through
    the ORM and the locked read (review_record_answer, as timeouts and claimed guest answers
    take) gives the same rows, field by field."""
    with time_machine.travel(T0, tick=False):
        attempt = start(alice, deck, count=1)
        question = show(attempt)
    if remembered:
        remember(alice, [question.card], now=T0, reviews=3)
    answered_at = T0 + timedelta(seconds=7)

    def answer(prepared: bool):
        from django.db import transaction

        with transaction.atomic():
            if not prepared:
                monkeypatch.setattr(reviews, "review_answer_prepare", lambda **kwargs: None)
            playing = Attempt.objects.get(pk=attempt.pk)  # as the last run's rollback left it
            fresh = playing.questions.get(pk=question.pk)
            attempt_services.answer_submit(
                attempt=playing, question=fresh, choice_id=wrong_choice(fresh), now=answered_at
            )
            if not prepared:
                fresh.refresh_from_db()
                reviews.review_record_answer(attempt=playing, question=fresh, now=answered_at)
            rows = _memories_and_logs(alice)
            transaction.set_rollback(True)
        monkeypatch.undo()
        return rows

    written_out, through_the_orm = answer(prepared=True), answer(prepared=False)

    assert written_out == through_the_orm
    memories, logs = written_out
    quiz_logs = [log for log in logs if log["source"] == "quiz"]
    assert len(memories) == 1 and len(quiz_logs) == 1
    assert quiz_logs[0]["attempt_question_id"] == question.pk and quiz_logs[0]["rating"] == 1


@pytest.mark.parametrize("remembered", [False, True], ids=["new card", "card in memory"])
def test_a_review_between_working_an_answer_out_and_storing_it_is_kept(alice, deck, remembered):
    """Another tab reviews the card while the answer is on its way: the answer is worked out
    again from the memory as the review left it, and both count."""
    with time_machine.travel(T0, tick=False):
        attempt = start(alice, deck, count=1)
        question = show(attempt)
    card = question.card
    if remembered:
        remember(alice, [card], now=T0, reviews=3)
    reps_before = 3 if remembered else 0
    question.outcome, question.elapsed = "wrong", timedelta(seconds=7)
    question.answered_at = T0 + timedelta(seconds=7)
    prepared = reviews.review_answer_prepare(attempt=attempt, question=question, now=T0)

    reviews.review_record(
        user=alice, card=card, rating=3, now=T0 + timedelta(seconds=5), elapsed_seconds=5
    )
    reviews.review_answer_store(prepared)

    memory = CardMemory.objects.get(user=alice, card=card)
    assert memory.reps == reps_before + 2
    assert memory.last_review == T0 + timedelta(seconds=7)
    assert ratings(alice)[-2:] == [(3, "review"), (1, "quiz")]
    quiz_log = ReviewLog.objects.get(user=alice, source="quiz")
    assert quiz_log.memory_before["reps"] == reps_before + 1  # after the other tab's review


def test_a_smart_quiz_asks_each_notes_first_new_card_before_its_sibling(alice, deck):
    """As the review orders new cards: a reversed card or the next cloze does not follow
    the question whose feedback just showed its answer."""
    (a0, a1), (b0, _b1) = make_siblings(deck, 2)
    order = reviews.smart_quiz_card_ids(user=alice, deck_id=deck.pk, now=T0)
    assert order.index(b0.pk) < order.index(a1.pk)
    assert order[:2] == [a0.pk, b0.pk]


# --- Cards held by hand (buried, suspended) and forgotten ----------------------------------


def hold(user, card, *, suspended=True, buried_until=None):
    from quizzes.models import CardHold

    action = "suspend" if suspended else "bury"
    CardHold.objects.create(
        user=user,
        card=card,
        suspended=suspended,
        buried_until=buried_until,
        last_action=action,
        held_at=T0,
    )


@pytest.mark.parametrize("some_wait", [False, True])
def test_held_cards_leave_every_count_once(alice, deck, some_wait):
    """A held card comes off the count it was in, and only once: a leech suspended by the
    rule and held too is off the due count already; a held new card that waits for an
    image is off the new count already."""
    cards = list(first_cards(deck, 8))
    remember(alice, cards[:3], now=T0)  # due
    remember(alice, cards[3:4], now=T0, due_in=timedelta(days=4))  # not due
    cards[2].memories.update(suspended=True)  # a leech
    if some_wait:
        question_image_missing(cards[5])
    for card in (cards[0], cards[2], cards[3], cards[5], cards[6]):
        hold(alice, card)
    next_day = datetime(2025, 3, 6, 4, 0, tzinfo=UTC)  # the next study day starts
    hold(alice, cards[7], suspended=False, buried_until=next_day)

    counts = reviews.review_counts(user=alice, now=T0)

    # Due: cards 1 and 2 (card 3 is the leech), less card 1 held. New: 8 unstudied cards
    # (12 less 4) less 6, 7 and 8 held; card 6 waiting for its image too is off once.
    assert counts.due == 1
    assert counts.new == 5
    queue = reviews.review_queue(user=alice, now=T0, limit=20)
    assert len(queue) == counts.total
    unstudied = reviews.new_cards_unstudied(user=alice, now=T0)
    assert unstudied.ready == counts.new
    # Unburied when the next study day starts: card 8 is new again.
    assert reviews.review_counts(user=alice, now=next_day).new == counts.new + 1


def test_a_held_learning_step_leaves_the_due_count(alice, deck):
    card = first_cards(deck, 1)[0]
    reviews.settings_update(
        user=alice,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=4,
        time_zone="UTC",
        learning_steps=(timedelta(minutes=10),),
    )
    reviews.review_record(user=alice, card=card, rating=1, now=T0, elapsed_seconds=3)
    step = T0 + timedelta(minutes=10)
    assert reviews.review_counts(user=alice, now=step).due == 1
    card_holds.card_bury(user=alice, card=card, now=step)
    assert reviews.review_counts(user=alice, now=step).due == 0
    assert reviews.review_queue(user=alice, now=step, limit=5) == []


def test_forgetting_a_card_makes_it_new_and_logs_a_reset_that_counts_no_review(alice, deck):
    card = first_cards(deck, 1)[0]
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    assert reviews.review_counts(user=alice, now=T0).new == 11
    reset = reviews.card_forget(user=alice, card=card, now=T0 + timedelta(minutes=1))
    assert not CardMemory.objects.filter(user=alice).exists()
    assert (reset.rating, reset.source) == (scheduling.RESET_RATING, ReviewLog.Source.RESET)
    assert reviews.review_counts(user=alice, now=T0 + timedelta(minutes=1)).new == 12
    assert reviews.studied_since(user=alice, start=T0 - timedelta(hours=1)) == reviews.Studied(
        cards=1, seconds=3.0
    )
    assert reviews.undoable_review(user=alice, since=T0) == reset
    with pytest.raises(reviews.NothingToForget):
        reviews.card_forget(user=alice, card=card, now=T0 + timedelta(minutes=2))


def test_a_forgotten_leech_comes_back_new_and_undo_suspends_it_again(alice, deck):
    card = first_cards(deck, 1)[0]
    for day in range(9):  # a leech: eight lapses
        reviews.review_record(
            user=alice, card=card, rating=1, now=T0 + timedelta(days=day), elapsed_seconds=2
        )
    reset = reviews.card_forget(user=alice, card=card, now=T0 + timedelta(days=10))
    assert reviews.leeches_suspended(user=alice) == 0
    reviews.review_undo(user=alice, review_id=reset.pk)
    memory = CardMemory.objects.get(user=alice, card=card)
    assert (memory.lapses, memory.suspended, memory.first_review) == (8, True, T0)


def test_a_grade_after_a_forget_stops_its_undo(alice, deck):
    card = first_cards(deck, 1)[0]
    reviews.review_record(user=alice, card=card, rating=3, now=T0, elapsed_seconds=3)
    reset = reviews.card_forget(user=alice, card=card, now=T0 + timedelta(days=1))
    reviews.review_record(
        user=alice, card=card, rating=3, now=T0 + timedelta(days=2), elapsed_seconds=3
    )
    with pytest.raises(reviews.NothingToUndo):
        reviews.review_undo(user=alice, review_id=reset.pk)


def test_settings_kept_by_the_release_before_a_new_setting_are_not_read_back(
    alice, django_assert_num_queries
):
    """Kept without a setting a later migration added, they came back with it deferred:
    each read of it fetched the row again, at every answer, until the entry expired."""
    from quizzes import caching
    from quizzes.models import LearnerSettings

    reviews.settings_update(
        user=alice, desired_retention=0.9, new_cards_per_day=7, day_start_hour=4, time_zone="UTC"
    )
    kept_before = LearnerSettings.objects.filter(user=alice).values().first()
    del kept_before["new_review_order"]
    caching.learner_cached(alice.pk, "settings", lambda: kept_before)

    settings = reviews.learner_settings(user=alice)

    with django_assert_num_queries(0):
        assert (settings.new_cards_per_day, settings.new_review_order) == (7, "after")


# --- One deck's counts: Anki's deck list ----------------------------------------------------


def _two_decks(user, *, new_per_day=20, max_reviews=200):
    reviews.settings_update(
        user=user,
        desired_retention=0.9,
        new_cards_per_day=new_per_day,
        max_reviews_per_day=max_reviews,
        day_start_hour=4,
        time_zone="UTC",
    )
    return anki_decks({"Medicine::Cardiology": 5, "Languages": 5})


def _counts(user, decks, *names):
    scopes = {name: frozenset({decks[name].pk}) for name in names}
    scopes["both"] = frozenset(deck.pk for deck in decks.values())
    return reviews.deck_counts(user=user, now=timezone.now(), scopes=scopes)


def test_every_deck_shares_the_days_new_cards(alice):
    decks = _two_decks(alice, new_per_day=4)
    with time_machine.travel(T0, tick=False):
        before = _counts(alice, decks, "Medicine::Cardiology", "Languages")
        for card in first_cards(decks["Languages"], 3):
            reviews.review_record(
                user=alice, card=card, rating=3, now=timezone.now(), elapsed_seconds=3
            )
        after = _counts(alice, decks, "Medicine::Cardiology", "Languages")
    assert [counts.new for counts in before.values()] == [4, 4, 4]
    assert [counts.new for counts in after.values()] == [1, 1, 1]


def test_every_deck_shares_the_days_maximum_of_reviews(alice):
    decks = _two_decks(alice, new_per_day=0, max_reviews=5)
    with time_machine.travel(T0, tick=False):
        for deck in decks.values():
            remember(alice, first_cards(deck, 4), now=timezone.now())
        before = _counts(alice, decks, "Medicine::Cardiology", "Languages")
        for item in reviews.review_queue(
            user=alice, now=timezone.now(), limit=3, deck_ids=frozenset({decks["Languages"].pk})
        ):
            reviews.review_grade(
                user=alice, card=item.card, rating=3, shown_at=timezone.now(), now=timezone.now()
            )
        after = _counts(alice, decks, "Medicine::Cardiology", "Languages")
    assert [(counts.reviews, counts.over_limit) for counts in before.values()] == [
        (4, 0),
        (4, 0),
        (5, 3),
    ]
    assert [counts.reviews for counts in after.values()] == [2, 1, 2]


def test_a_deck_leaves_out_what_the_learner_holds_and_counts_its_learning_steps(alice):
    decks = _two_decks(alice)
    cardiology = decks["Medicine::Cardiology"]
    one, two, three, four = first_cards(cardiology, 4)
    with time_machine.travel(T0, tick=False):
        remember(alice, [one, two], now=timezone.now())
        CardMemory.objects.filter(card=two).update(suspended=True)  # a leech
        card_holds.card_bury(user=alice, card=three, now=timezone.now())
        remember(alice, [four], now=timezone.now())
        CardMemory.objects.filter(card=four).update(
            state=scheduling.MemoryState.RELEARNING, due=timezone.now() + timedelta(minutes=5)
        )
        counts = _counts(alice, decks, "Medicine::Cardiology")["Medicine::Cardiology"]
    assert (counts.new, counts.learning, counts.reviews) == (1, 1, 1)


def test_every_decks_counts_together_are_the_navigations(alice):
    decks = _two_decks(alice, new_per_day=6, max_reviews=7)
    with time_machine.travel(T0, tick=False):
        remember(alice, first_cards(decks["Languages"], 3), now=timezone.now())
        remember(alice, first_cards(decks["Medicine::Cardiology"], 2), now=timezone.now())
        card_holds.card_bury(
            user=alice, card=Card.objects.get(deck=decks["Languages"], number=5), now=T0
        )
        both = _counts(alice, decks)["both"]
        everything = reviews.review_counts(user=alice, now=timezone.now())
    fields = ("due", "new", "over_limit", "new_over_limit", "learning")
    assert [getattr(both, name) for name in fields] == [
        getattr(everything, name) for name in fields
    ]
    assert (both.new, both.reviews) == (2, 5)
