"""The figures of a learner's progress page, counted by study day in the database: a fixed
number of queries and at most a few hundred rows, however many cards and reviews."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import ExtractHour, TruncDate
from django.db.models.lookups import LessThan

from quizzes import scheduling
from quizzes.models import CardHold, CardMemory, LearnerSettings, ReviewLog
from quizzes.services import reviews
from quizzes.services.reviews import learner_settings

FORECAST_DAYS = 30
HEATMAP_DAYS = 371  # 53 weeks
RETENTION_WEEKS = 26
SUSPENDED, BURIED = "Suspended", "Buried"


@dataclass(frozen=True, kw_only=True)
class RetentionWeek:
    start: date
    reviews: int  # reviews of cards in the Review state (learned cards)
    passed: int

    @property
    def share(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


@dataclass(frozen=True, kw_only=True)
class ProgressFigures:
    today: date
    forecast: list[tuple[str, int]]  # ("Today", n), ("+1", n), ...: see _first_day_label
    forecast_days: list[tuple[date, int]]
    reviews_per_day: dict[date, int]
    retention_weeks: list[RetentionWeek]
    states: list[tuple[str, int]]
    review_total: int
    settings: LearnerSettings

    @property
    def retention(self) -> list[tuple[str, float | None]]:
        return [(week.start.strftime("%d %b"), week.share) for week in self.retention_weeks]

    @property
    def reviewed_weeks(self) -> list[RetentionWeek]:
        """Weeks with reviews of learned cards, latest first: the table beside the line."""
        return [week for week in reversed(self.retention_weeks) if week.reviews]

    @property
    def days_studied(self) -> int:
        """Study days with a review in the last year (Anki's "days studied")."""
        return sum(1 for n in self.reviews_per_day.values() if n)

    @property
    def streak_includes_today(self) -> bool:
        return bool(self.reviews_per_day.get(self.today))

    @property
    def streak(self) -> int:
        """Study days in a row with a review, up to today, or up to yesterday while today
        has none yet (the day is not over): the streak Anki's heatmap shows."""
        day = self.today if self.streak_includes_today else self.today - timedelta(days=1)
        days = 0
        while self.reviews_per_day.get(day):
            days += 1
            day -= timedelta(days=1)
        return days

    @property
    def busy_days(self) -> list[tuple[date, int]]:
        return sorted(((day, n) for day, n in self.reviews_per_day.items() if n), reverse=True)

    @property
    def overall_retention(self) -> int | None:
        reviews = sum(week.reviews for week in self.retention_weeks)
        passed = sum(week.passed for week in self.retention_weeks)
        return round(100 * passed / reviews) if reviews else None

    @property
    def due_next_30_days(self) -> int:
        return sum(n for _label, n in self.forecast)


def _study_day_parts(field: str, settings: LearnerSettings) -> dict:
    """Annotations from which `_study_day` tells the study day a datetime column falls in,
    computed by the database: its date on the learner's clock, and whether the clock read
    an hour before the day's start hour (it counts for the day before then). Shifting the
    instant back by the start hour before reading the date put the hour after a daylight
    saving change on the wrong day."""
    zone = ZoneInfo(settings.time_zone)
    return {
        "local_date": TruncDate(field, tzinfo=zone),
        "before_start": LessThan(ExtractHour(field, tzinfo=zone), settings.day_start_hour),
    }


def _study_day(row: dict) -> date:
    return row["local_date"] - timedelta(days=1) if row["before_start"] else row["local_date"]


def _first_day_label(today: date, *, settings: LearnerSettings, now: datetime) -> str:
    """What the forecast calls the study day under way: "Today", or, after midnight and
    before the study day's start hour, "Until 4:00" (a learner up at 1 am on Wednesday read
    "Today 0" above "Wed 2 Dec 7" as two names for one day)."""
    if now.astimezone(ZoneInfo(settings.time_zone)).date() == today:
        return "Today"
    return f"Until {settings.day_start_hour}:00"


def _cards_by_state(*, user, now: datetime) -> list[tuple[str, int]]:
    """The learner's cards by state, as Anki's card counts: held cards (suspended, a leech
    too, or buried now) apart from the new, learning and review ones. Two queries: the
    memories by state, and the holds on new cards, which have no memory to count them by."""
    holds = CardHold.objects.filter(user=user, card=OuterRef("card"))
    memories = (
        CardMemory.objects.filter(user=user)
        .annotate(
            held=Case(
                When(suspended=True, then=Value(SUSPENDED)),
                When(Exists(holds.filter(suspended=True)), then=Value(SUSPENDED)),
                When(Exists(holds.filter(buried_until__gt=now)), then=Value(BURIED)),
                default=Value(""),
            )
        )
        .values("state", "held")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_state: dict[int, int] = {}
    held = {SUSPENDED: 0, BURIED: 0}
    studied = 0
    for row in memories:
        studied += row["n"]
        if row["held"]:
            held[row["held"]] += row["n"]
        else:
            by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
    new_held = (
        CardHold.objects.active(now)
        .filter(user=user)
        .filter(~Exists(CardMemory.objects.filter(user=user, card=OuterRef("card"))))
        .aggregate(
            suspended_count=Count("pk", filter=Q(suspended=True)),
            buried_count=Count("pk", filter=Q(suspended=False)),
        )
    )
    held[SUSPENDED] += new_held["suspended_count"]
    held[BURIED] += new_held["buried_count"]
    new = reviews.card_count() - studied - sum(new_held.values())
    return [
        ("New", max(new, 0)),
        *(
            (state.label, by_state.get(int(state), 0))
            for state in (
                scheduling.MemoryState.LEARNING,
                scheduling.MemoryState.REVIEW,
                scheduling.MemoryState.RELEARNING,
            )
        ),
        (SUSPENDED, held[SUSPENDED]),
        (BURIED, held[BURIED]),
    ]


def progress_figures(*, user, now: datetime) -> ProgressFigures:
    settings = learner_settings(user=user)
    today = scheduling.study_day(
        now, time_zone=settings.time_zone, day_start_hour=settings.day_start_hour
    )
    horizon = scheduling.study_day_start(
        today + timedelta(days=FORECAST_DAYS),
        time_zone=settings.time_zone,
        day_start_hour=settings.day_start_hour,
    )
    due_rows = (
        CardMemory.objects.filter(user=user, due__lt=horizon, suspended=False)
        .filter(~reviews.held_out(user=user, now=now))
        .annotate(**_study_day_parts("due", settings))
        .values("local_date", "before_start")
        .annotate(n=Count("pk"))
        .order_by()
    )
    due_by_offset = [0] * FORECAST_DAYS
    for row in due_rows:
        offset = max((_study_day(row) - today).days, 0)  # overdue cards are due today
        if offset < FORECAST_DAYS:
            due_by_offset[offset] += row["n"]
    forecast_days = [(today + timedelta(days=i), n) for i, n in enumerate(due_by_offset)]
    first_label = _first_day_label(today, settings=settings, now=now)
    forecast = [(first_label if i == 0 else f"+{i}", n) for i, n in enumerate(due_by_offset)]

    first_day = today - timedelta(days=HEATMAP_DAYS - 1)
    since = scheduling.study_day_start(
        first_day, time_zone=settings.time_zone, day_start_hour=settings.day_start_hour
    )
    learned = Q(state_before=scheduling.MemoryState.REVIEW)
    review_rows = (
        ReviewLog.objects.filter(user=user, reviewed_at__gte=since)
        .exclude(source__in=ReviewLog.NOT_ANSWERS)
        .annotate(**_study_day_parts("reviewed_at", settings))
        .values("local_date", "before_start")
        .annotate(
            n=Count("pk"),
            learned=Count("pk", filter=learned),
            passed=Count("pk", filter=learned & ~Q(rating=scheduling.Grade.AGAIN)),
        )
        .order_by()
    )
    reviews_per_day: dict[date, int] = {}
    week_start = today - timedelta(days=today.weekday()) - timedelta(weeks=RETENTION_WEEKS - 1)
    weeks = {week_start + timedelta(weeks=i): [0, 0] for i in range(RETENTION_WEEKS)}
    for row in review_rows:
        day = _study_day(row)
        # Two rows can make one study day: its hours after the start, and the early hours
        # of the next date.
        reviews_per_day[day] = reviews_per_day.get(day, 0) + row["n"]
        monday = day - timedelta(days=day.weekday())
        if monday in weeks:
            weeks[monday][0] += row["learned"]
            weeks[monday][1] += row["passed"]

    states = _cards_by_state(user=user, now=now)
    return ProgressFigures(
        today=today,
        forecast=forecast,
        forecast_days=forecast_days,
        reviews_per_day=reviews_per_day,
        retention_weeks=[
            RetentionWeek(start=start, reviews=reviews, passed=passed)
            for start, (reviews, passed) in weeks.items()
        ],
        states=states,
        review_total=sum(reviews_per_day.values()),
        settings=settings,
    )
