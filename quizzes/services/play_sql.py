"""The quiz play path's hottest statements, written out in SQL.

Every question shown and every answer reads the attempt with its questions and their cards,
and writes one question. Through the ORM, building and compiling those statements cost
many times running them: reading a quiz's unanswered questions took 2.5 ms of CPU where the
database returned the rows in 0.06 ms (bench/play_path.py --profile shows where the time
goes). So these few statements are written out. Their rows still become model instances
(`Model.from_db`, with each field's own database converters applied), so the services,
views and templates use them as before; the card's bulky source columns and the deck's
bookkeeping are not read, and stay deferred.

Plain SQL that SQLite and PostgreSQL both run; the suite runs on both.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from quizzes.models import (
    Attempt,
    AttemptQuestion,
    Card,
    CardHold,
    CardImage,
    CardMemory,
    Deck,
    Distractor,
    ReadyQuiz,
    ReviewLog,
)

QUESTIONS = AttemptQuestion._meta.db_table
ATTEMPTS = Attempt._meta.db_table
CARDS = Card._meta.db_table
DECKS = Deck._meta.db_table
MEMORIES = CardMemory._meta.db_table
HOLDS = CardHold._meta.db_table
REVIEW_LOGS = ReviewLog._meta.db_table
User = get_user_model()
USERS = User._meta.db_table


def _made_directly(model: type[Model], attnames: Sequence[str]) -> bool:
    """Whether making an instance of `model` from the database runs nothing but setting
    these fields: no `from_db` of its own, no pre_init or post_init receiver, and no field
    whose attribute does work when set (a file's does; a foreign key's only forgets the
    object it points to, which a new instance has not read)."""
    if model.from_db.__func__ is not Model.from_db.__func__:
        return False
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return False
    for attname in attnames:
        descriptor = getattr(model, attname, None)
        if hasattr(descriptor, "__set__") and not isinstance(
            descriptor, ForeignKeyDeferredAttribute
        ):
            return False
    return True


class _Columns:
    """Columns of a model's table under an alias: their SELECT list, and one row's values as
    a model instance (the fields not read are deferred)."""

    def __init__(self, model: type[Model], alias: str, names: Sequence[str] | None = None):
        self.model, self.alias = model, alias
        # In the model's own field order, as Model.from_db expects the values.
        self.fields = [
            field for field in model._meta.concrete_fields if names is None or field.name in names
        ]
        self.attnames = [field.attname for field in self.fields]
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        # Only the columns whose values need converting (a date, JSON, a boolean on SQLite):
        # the others are used as the database gives them.
        self.converters = []
        for at, field in enumerate(self.fields):
            column = field.get_col(alias)
            converters = [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
            if converters:
                self.converters.append((at, column, converters))
        self.made_directly = _made_directly(model, self.attnames)

    def __len__(self) -> int:
        return len(self.fields)

    def converted(self, values: Sequence) -> list:
        """One row's values as Python values, each through its field's converters."""
        if len(values) != len(self.fields):
            raise ValueError(f"{len(values)} values for {len(self.fields)} columns")
        converted = list(values)
        for at, column, converters in self.converters:
            value = converted[at]
            for convert in converters:
                value = convert(value, column, connection)
            converted[at] = value
        return converted

    def instance(self, values: Sequence) -> Model:
        """One row as a model instance, as `Model.from_db` makes it (the fields not read
        deferred), but made as unpickling makes one: `Model.__new__`, then the values into
        its `__dict__`. `Model.__init__` sets each field through its attribute and sends
        two signals nobody listens to here: half the cost of reading a question, which
        every question shown and every answer does."""
        if not self.made_directly:
            return self.model.from_db(DEFAULT_DB_ALIAS, self.attnames, self.converted(values))
        instance = self.model.__new__(self.model)
        instance._state = state = ModelState()
        state.adding, state.db = False, DEFAULT_DB_ALIAS
        instance.__dict__.update(zip(self.attnames, self.converted(values), strict=True))
        return instance


@cache
def _columns() -> dict[str, _Columns]:
    """Built on first use, when the database connection's settings are known."""
    return {
        "question": _Columns(AttemptQuestion, "q"),
        "attempt": _Columns(Attempt, "a"),
        # What a question and its feedback show of a card, and its page's address.
        "card": _Columns(
            Card, "c", ["id", "deck", "number", "question_rendered", "answer_rendered"]
        ),
        "deck": _Columns(Deck, "d", ["id", "name", "slug"]),
        "memory": _Columns(CardMemory, "m"),
        "memory_due": _Columns(CardMemory, "m", ["due"]),
        # A learner as a challenge lists them: by name.
        "learner": _Columns(User, "u", ["id", User.USERNAME_FIELD]),
        # What the clock needs of an unanswered question.
        "waiting": _Columns(
            AttemptQuestion,
            "q",
            [
                field.name
                for field in AttemptQuestion._meta.concrete_fields
                if field.name != "choices"
            ],
        ),
    }


# The field classes whose values of one plain Python type (or None) go to the database as
# they are: their `get_db_prep_save` converts such a value to itself (`str()`, `float()`).
_PLAIN_TYPES = {
    **dict.fromkeys((models.CharField, models.TextField, models.SlugField), (str, type(None))),
    models.BooleanField: (bool, type(None)),
    models.FloatField: (float, type(None)),
    # None only: a date or a duration not set yet.
    **dict.fromkeys((models.DateTimeField, models.DurationField, models.UUIDField), (type(None),)),
}
# An integer goes to the backend, which may wrap it (psycopg 3: Int4) or check it (MySQL).
_INTEGER_FIELDS = (
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.AutoField,
    models.SmallAutoField,
    models.BigAutoField,
)


class _Preparer(NamedTuple):
    """How a field's value goes to the database, as `field.get_db_prep_save` gives it: a
    value of a `plain` type as it is, any other through `prepare(value, database)`. The
    ORM's way is five to ten Python calls a value, and a quiz start writes ~200 values, an
    answer ~30."""

    plain: tuple[type, ...]
    prepare: Callable


def _preparer(field) -> _Preparer:
    def orms_way(value, database):
        return field.get_db_prep_save(value, database)

    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if type(target) is models.DateTimeField and target is field:
        return _Preparer(_PLAIN_TYPES[models.DateTimeField], _datetime_preparer(field))
    if type(target) in _PLAIN_TYPES and str in _PLAIN_TYPES[type(target)]:
        return _Preparer(_PLAIN_TYPES[type(target)], _text_preparer(field))
    if type(target) in _PLAIN_TYPES:
        return _Preparer(_PLAIN_TYPES[type(target)], orms_way)
    if type(target) not in _INTEGER_FIELDS:
        return _Preparer((), orms_way)
    operations = type(connection.ops)
    integers_as_they_are = (
        operations.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
        and operations.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
    )
    if integers_as_they_are:
        return _Preparer((int, type(None)), orms_way)

    def prepare(value, database):
        if type(value) is int:  # int() of it skipped, the backend's part kept
            return target.get_db_prep_value(value, database, prepared=True)
        return field.get_db_prep_save(value, database)

    return _Preparer((type(None),), prepare)


def _datetime_preparer(field) -> Callable:
    """An aware datetime (every date the site writes) goes straight to the backend's
    adaptation: the ORM's way first hands it through `get_prep_value` and `to_python`,
    which give it back as it is (they only warn of, and convert, a naive one)."""

    def prepare(value, database):
        if type(value) is datetime and value.tzinfo is not None:
            return database.ops.adapt_datetimefield_value(value)
        return field.get_db_prep_save(value, database)

    return prepare


def _text_preparer(field) -> Callable:
    """A text field's value of a `str` subclass (a choice's enum: an outcome, a mode) goes
    on as it is, as the ORM's `to_python` gives it back; a lazy string is not one."""

    def prepare(value, database):
        return value if isinstance(value, str) else field.get_db_prep_save(value, database)

    return prepare


@cache
def _preparers(model: type[Model]) -> dict[str, _Preparer]:
    """`_preparer` of each of `model`'s concrete fields, by field name and by attname.
    Built on first use, for the database connection's backend."""
    preparers = {}
    for field in model._meta.concrete_fields:
        preparers[field.name] = preparers[field.attname] = _preparer(field)
    return preparers


def _prepared(preparer: _Preparer, value, database):
    return value if type(value) in preparer.plain else preparer.prepare(value, database)


def _db_value(model: type[Model], name: str, value):
    return _prepared(_preparers(model)[name], value, connections[DEFAULT_DB_ALIAS])


def _attempt_id(value) -> object:
    return _db_value(Attempt, "id", value)


def _owner_condition(*, user, guest_session_key: str | None) -> tuple[str, list]:
    """The SQL condition on the attempt `a` for "the caller's own", as
    Attempt.objects.owned_by has it: a signed-in user's attempt, or an unclaimed one started
    under the guest's session key."""
    if user is not None and user.is_authenticated:
        return "a.user_id = %s", [user.pk]
    if not guest_session_key:
        return "1 = 0", []
    return "a.user_id IS NULL AND a.session_key = %s", [guest_session_key]


def _which(position: int | None, every: bool = False) -> tuple[str, list]:
    """The questions read: the one at `position`; else the unanswered ones the clock
    needs (see attempts.py, "The clock"): every one shown, and the first not shown yet,
    or with `every`, all of them."""
    if position is not None:
        return "q.position = %s", [position]
    if every:
        return "q.outcome = ''", []
    first_not_shown = (
        f"SELECT MIN(w.position) FROM {QUESTIONS} w "
        "WHERE w.attempt_id = q.attempt_id AND w.outcome = '' AND w.started_at IS NULL"
    )
    return f"q.outcome = '' AND (q.started_at IS NOT NULL OR q.position = ({first_not_shown}))", []


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _with_card(question: AttemptQuestion, row: Sequence, at: int) -> AttemptQuestion:
    """Attach the card and its deck read from `row` from column `at` on."""
    columns = _columns()
    card_end = at + len(columns["card"])
    card = columns["card"].instance(row[at:card_end])
    card.deck = columns["deck"].instance(row[card_end : card_end + len(columns["deck"])])
    question.card = card
    return question


def owned_attempt(*, user, guest_session_key: str | None, attempt_id) -> Attempt | None:
    """The attempt `attempt_id` with its deck (name and slug) if it is the caller's own,
    else None. One statement, for a result page and a quiz with nothing left to answer."""
    columns = _columns()
    attempt, deck = columns["attempt"], columns["deck"]
    owner, owner_params = _owner_condition(user=user, guest_session_key=guest_session_key)
    rows = _fetch(
        f"SELECT {attempt.sql}, {deck.sql} FROM {ATTEMPTS} a JOIN {DECKS} d ON d.id = a.deck_id "
        f"WHERE a.id = %s AND {owner}",
        [_attempt_id(attempt_id), *owner_params],
    )
    if not rows:
        return None
    the_attempt = attempt.instance(rows[0][: len(attempt)])
    the_attempt.deck = deck.instance(rows[0][len(attempt) :])
    return the_attempt


# The same learner as attempt a: the same account, or for a guest the same guest session.
_SAME_LEARNER = (
    "((a.user_id IS NOT NULL AND {other}.user_id = a.user_id) OR (a.user_id IS NULL AND "
    "{other}.user_id IS NULL AND a.session_key <> '' AND {other}.session_key = a.session_key))"
)


def finished_challenges(*, attempt_id) -> list[Attempt]:
    """The finished challenges of the attempt `attempt_id`, best first (most points, then
    least time), each with its learner's name (`user` None for a guest). One statement.

    Each learner's first try at these questions only, finished or not: a second try knows
    the answers from the first's feedback, and so does one whose learner wrote the original
    or took the same questions through another link (a challenge's result has a link of its
    own). A challenge keeps its original's seed, so the quizzes with these questions are
    those with this seed (any other quiz's is drawn at random, 63 bits)."""
    columns = _columns()
    attempt, learner = columns["attempt"], columns["learner"]
    rows = _fetch(
        f"SELECT {attempt.sql}, {learner.sql} FROM {ATTEMPTS} a "
        f"LEFT JOIN {USERS} u ON u.id = a.user_id "
        "WHERE a.challenge_of_id = %s AND a.finished_at IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {ATTEMPTS} e WHERE e.seed = a.seed "
        "AND (e.started_at < a.started_at OR (e.started_at = a.started_at AND e.id < a.id)) "
        f"AND {_SAME_LEARNER.format(other='e')}) "
        "ORDER BY a.score DESC, a.total_time",
        [_attempt_id(attempt_id)],
    )
    challenges = []
    for row in rows:
        one = attempt.instance(row[: len(attempt)])
        one.user = learner.instance(row[len(attempt) :]) if one.user_id is not None else None
        challenges.append(one)
    return challenges


def owned_questions(
    *,
    user,
    guest_session_key: str | None,
    attempt_id,
    position: int | None = None,
    with_memory: bool = False,
) -> list[AttemptQuestion]:
    """The attempt `attempt_id`'s question at `position`, or without a position the
    unanswered questions the clock needs in order (`_which`), if the attempt is the
    caller's own; each with the attempt (one instance for all), and the first with its
    card and the card's deck. One statement. The first is the one shown next: should the
    clock close it, the next one's card is read when it is shown.

    `with_memory`, for a signed-in caller: the first also carries, as `memory_as_read`,
    the learner's memory of its card (None: new to them), as `card_memory` reads it, in
    the same statement (an answer's review needs it: reviews.review_answer_prepare)."""
    columns = _columns()
    question, attempt, memory = columns["question"], columns["attempt"], columns["memory"]
    owner, owner_params = _owner_condition(user=user, guest_session_key=guest_session_key)
    which, which_params = _which(position)
    with_memory = with_memory and user is not None and user.is_authenticated
    memory_sql, memory_join = "", ""
    if with_memory:
        memory_sql = f", {memory.sql}"
        memory_join = f" LEFT JOIN {MEMORIES} m ON m.user_id = a.user_id AND m.card_id = q.card_id"
    rows = _fetch(
        f"SELECT {question.sql}, {attempt.sql}, {columns['card'].sql}, {columns['deck'].sql}"
        f"{memory_sql} FROM {QUESTIONS} q JOIN {ATTEMPTS} a ON a.id = q.attempt_id "
        f"JOIN {CARDS} c ON c.id = q.card_id JOIN {DECKS} d ON d.id = c.deck_id{memory_join} "
        f"WHERE q.attempt_id = %s AND {owner} AND {which} ORDER BY q.position",
        [_attempt_id(attempt_id), *owner_params, *which_params],
    )
    if not rows:
        return []
    at = len(question) + len(attempt)
    the_attempt = attempt.instance(rows[0][len(question) : at])
    questions = [question.instance(row[: len(question)]) for row in rows]
    for one in questions:
        one.attempt = the_attempt
    _with_card(questions[0], rows[0], at)
    if with_memory:
        memory_row = rows[0][len(rows[0]) - len(memory) :]
        # The memory's id is NULL where the LEFT JOIN found no row.
        questions[0].memory_as_read = (
            memory.instance(memory_row) if memory_row[0] is not None else None
        )
    return questions


def attempt_questions(
    *, attempt: Attempt, position: int | None = None, every: bool = False
) -> list[AttemptQuestion]:
    """`attempt`'s question at `position`, or the unanswered questions the clock needs in
    order (`_which`; `every`: all), each with `attempt`, its card and the card's deck. One
    statement."""
    question = _columns()["question"]
    which, which_params = _which(position, every=every)
    rows = _fetch(
        f"SELECT {question.sql}, {_columns()['card'].sql}, {_columns()['deck'].sql} "
        f"FROM {QUESTIONS} q JOIN {CARDS} c ON c.id = q.card_id "
        f"JOIN {DECKS} d ON d.id = c.deck_id "
        f"WHERE q.attempt_id = %s AND {which} ORDER BY q.position",
        [_attempt_id(attempt.pk), *which_params],
    )
    questions = []
    for row in rows:
        one = question.instance(row[: len(question)])
        one.attempt = attempt
        questions.append(_with_card(one, row, len(question)))
    return questions


def result_questions(*, attempt: Attempt) -> list[AttemptQuestion]:
    """Every question of `attempt` in order, each with `attempt`, its card and the card's
    deck. Two statements: the cards apart, by id, since joined to the questions PostgreSQL
    may plan a merge join that walks the whole card index (its statistics say questions
    ask the first cards of a deck that has since grown)."""
    columns = _columns()
    question, card = columns["question"], columns["card"]
    rows = _fetch(
        f"SELECT {question.sql} FROM {QUESTIONS} q WHERE q.attempt_id = %s ORDER BY q.position",
        [_attempt_id(attempt.pk)],
    )
    questions = [question.instance(row) for row in rows]
    card_ids = sorted({one.card_id for one in questions})
    cards = {}
    if card_ids:
        card_rows = _fetch(
            f"SELECT {card.sql}, {columns['deck'].sql} FROM {CARDS} c "
            f"JOIN {DECKS} d ON d.id = c.deck_id "
            f"WHERE c.id IN ({', '.join(['%s'] * len(card_ids))})",
            card_ids,
        )
        for row in card_rows:
            one_card = card.instance(row[: len(card)])
            one_card.deck = columns["deck"].instance(row[len(card) :])
            cards[one_card.pk] = one_card
    for one in questions:
        one.attempt, one.card = attempt, cards[one.card_id]
    return questions


def waiting_questions(*, attempt: Attempt, every: bool = False) -> list[AttemptQuestion]:
    """The unanswered questions of `attempt` the clock needs (`_which`; `every`: all), in
    order, without cards or choices, each with `attempt`. One statement."""
    waiting = _columns()["waiting"]
    which, which_params = _which(None, every=every)
    rows = _fetch(
        f"SELECT {waiting.sql} FROM {QUESTIONS} q "
        f"WHERE q.attempt_id = %s AND {which} ORDER BY q.position",
        [_attempt_id(attempt.pk), *which_params],
    )
    questions = [waiting.instance(row) for row in rows]
    for one in questions:
        one.attempt = attempt
    return questions


def _update_unless(
    question_id: int, changes: dict, condition: str, model: type[Model] = AttemptQuestion
) -> bool:
    """Write `changes` (field name to value) to `model`'s row `question_id` unless it no
    longer meets `condition`: whether it was written."""
    database = connections[DEFAULT_DB_ALIAS]
    preparers = _preparers(model)
    params = [_prepared(preparers[name], value, database) for name, value in changes.items()]
    params.append(_prepared(preparers["id"], question_id, database))
    with database.cursor() as cursor:
        cursor.execute(_update_sql(model, tuple(changes), condition), params)
        return cursor.rowcount == 1


@cache
def _update_sql(model: type[Model], names: tuple[str, ...], condition: str) -> str:
    assignments = ", ".join(
        f"{connection.ops.quote_name(model._meta.get_field(name).column)} = %s" for name in names
    )
    return f"UPDATE {model._meta.db_table} SET {assignments} WHERE id = %s AND {condition}"


def summary_questions(*, attempt: Attempt) -> list[AttemptQuestion]:
    """Every question of `attempt` in order, without cards or choices, each with `attempt`:
    what finishing the quiz sums up. One statement."""
    waiting = _columns()["waiting"]
    rows = _fetch(
        f"SELECT {waiting.sql} FROM {QUESTIONS} q WHERE q.attempt_id = %s ORDER BY q.position",
        [_attempt_id(attempt.pk)],
    )
    questions = [waiting.instance(row) for row in rows]
    for one in questions:
        one.attempt = attempt
    return questions


def attempt_finish(*, attempt_id, changes: dict) -> bool:
    """Store a quiz's end (`changes`: field name to value) unless it has ended already:
    whether this call ended it."""
    return _update_unless(attempt_id, changes, "finished_at IS NULL", model=Attempt)


def question_start(*, question_id: int, started_at, deadline_at) -> bool:
    """Start a question's clock unless it has started: whether this call started it."""
    changes = {"started_at": started_at, "deadline_at": deadline_at}
    return _update_unless(question_id, changes, "started_at IS NULL")


def question_answer(*, question_id: int, changes: dict) -> bool:
    """Store an answer (`changes`: field name to value) unless the question has an outcome
    already: whether this call stored it. The one write that decides which of two tabs
    answering at once is recorded."""
    return _update_unless(question_id, changes, "outcome = ''")


def card_memory(*, user_id: int, card_id: int, locked: bool = False) -> CardMemory | None:
    """The learner's memory of the card, None when it is new to them. One statement, in
    every signed-in answer. `locked`: until the transaction ends, where the database locks
    rows (PostgreSQL: a second answer to the same card waits; on SQLite a transaction holds
    the whole database already)."""
    memory = _columns()["memory"]
    lock = " FOR UPDATE" if locked and connection.features.has_select_for_update else ""
    rows = _fetch(
        f"SELECT {memory.sql} FROM {MEMORIES} m WHERE m.user_id = %s AND m.card_id = %s{lock}",
        [user_id, card_id],
    )
    return memory.instance(rows[0]) if rows else None


def _values(instance: Model, *, add: bool) -> tuple[list[str], list]:
    """The quoted columns of `instance`'s fields but its id, and their values for the
    database, as Model.save would write them (`add`: inserting)."""
    database = connections[DEFAULT_DB_ALIAS]
    columns, writes = _writes(type(instance))
    values = [
        _prepared(
            preparer, pre_save(instance, add) if pre_save else getattr(instance, attname), database
        )
        for attname, pre_save, preparer in writes
    ]
    return columns, values


@cache
def _writes(model: type[Model]) -> tuple[list[str], list[tuple]]:
    """`model`'s quoted columns but its id, and for each its attname, its field's `pre_save`
    where the field's class has its own (a date set at save), else None (the attribute's
    value as it is), and its `_preparer`."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    preparers = _preparers(model)
    writes = []
    for field in fields:
        own_pre_save = type(field).pre_save is not models.Field.pre_save
        writes.append(
            (field.attname, field.pre_save if own_pre_save else None, preparers[field.name])
        )
    return [connection.ops.quote_name(field.column) for field in fields], writes


def card_memory_write(*, memory: CardMemory, read: CardMemory | None) -> bool:
    """Write a learner's memory of a card after a review, worked out from `read` (None: the
    card was new to them), only if the row is still as read: whether it was written. An
    answer's review is worked out before its transaction (reviews.review_answer_prepare), so
    this is where a review or an undo that came in between is noticed."""
    columns, values = _values(memory, add=read is None)
    with connection.cursor() as cursor:
        if read is None:
            cursor.execute(
                _insert_one(MEMORIES, columns) + " ON CONFLICT (user_id, card_id) DO NOTHING",
                values,
            )
        else:
            assignments = ", ".join(f"{column} = %s" for column in columns)
            cursor.execute(
                f"UPDATE {MEMORIES} SET {assignments} "
                "WHERE id = %s AND reps = %s AND last_review = %s",
                [
                    *values,
                    read.pk,
                    read.reps,
                    _db_value(CardMemory, "last_review", read.last_review),
                ],
            )
        return cursor.rowcount == 1


def review_log_insert(log: ReviewLog) -> None:
    """Log a review (its id is not read back)."""
    columns, values = _values(log, add=True)
    with connection.cursor() as cursor:
        cursor.execute(_insert_one(ReviewLog._meta.db_table, columns), values)


def _insert_one(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"


# --- The quiz start ---------------------------------------------------------------------
# A start reads the cards it may ask and writes an attempt with its questions. Through the
# ORM, compiling the draw window's query and preparing the questions' bulk insert cost more
# than the rest of the start's statements together.

DISTRACTORS = Distractor._meta.db_table
CARD_TAGS = Card.tags.through._meta.db_table
CARD_IMAGES = CardImage._meta.db_table


def draw_window(
    *,
    deck_id: int,
    columns: Sequence[str],
    conditions: dict,
    tag_ids: Sequence[int],
    start: int,
    size: int,
) -> list[tuple]:
    """`columns` of `size` cards of the deck from shuffle key `start` on, going round to the
    lowest keys (with `conditions`, field name to value, and one of `tag_ids` if any), as
    two index range lookups in one statement: the first `size` from `start` and the first
    `size` from the lowest key, of which the caller keeps the first `size` in that order."""
    where = ["c.deck_id = %s"]
    params: list = [deck_id]
    for name, (operator, value) in conditions.items():
        field = Card._meta.get_field(name)
        where.append(f"c.{connection.ops.quote_name(field.column)} {operator} %s")
        params.append(field.get_db_prep_value(value, connection))
    if tag_ids:
        where.append(
            f"c.id IN (SELECT t.card_id FROM {CARD_TAGS} t "
            f"WHERE t.tag_id IN ({', '.join(['%s'] * len(tag_ids))}))"
        )
        params += list(tag_ids)
    selected = ", ".join(f"c.{connection.ops.quote_name(column)}" for column in columns)
    sides, side_params = [], []
    for number, comparison in enumerate((">=", "<")):
        sides.append(
            f"SELECT * FROM (SELECT {selected} FROM {CARDS} c WHERE {' AND '.join(where)} "
            f"AND c.shuffle_key {comparison} %s ORDER BY c.shuffle_key, c.id LIMIT %s) w{number}"
        )
        side_params += [*params, start, size]
    return _fetch(" UNION ALL ".join(sides), side_params)


def card_image_sides(card_ids: Sequence[int]) -> list[tuple[int, str]]:
    """The card id and side of each image the cards show, a row an image (the quiz's
    reading time counts them). Through the ORM, building this one statement cost a start
    planned in the request ~900 Python calls."""
    if not card_ids:
        return []
    return _fetch(
        f"SELECT i.card_id, i.side FROM {CARD_IMAGES} i "
        f"WHERE i.card_id IN ({', '.join(['%s'] * len(card_ids))})",
        list(card_ids),
    )


def _insert(model: type[Model], rows: Sequence[dict]) -> None:
    """One INSERT of `rows` (field attname to value, the same fields in each; a field left
    out takes its default), each value prepared by its own field as the ORM's save prepares
    it. For models whose fields set nothing themselves at save (no auto_now)."""
    database = connections[DEFAULT_DB_ALIAS]  # not the proxy: each field reads it often
    columns, writes = _inserts(model)
    defaults = {
        name: _prepared(preparer, default(), database)
        for name, preparer, default in writes
        if name not in rows[0]
    }
    params = []
    for row in rows:
        for name, (plain, prepare), _default in writes:
            if name not in row:
                params.append(defaults[name])
            elif type(value := row[name]) in plain:
                params.append(value)
            else:
                params.append(prepare(value, database))
    placeholders = f"({', '.join(['%s'] * len(writes))})"
    with database.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({columns}) "
            f"VALUES {', '.join([placeholders] * len(rows))}",
            params,
        )


@cache
def _inserts(model: type[Model]) -> tuple[str, list[tuple]]:
    """`model`'s quoted columns but its id, for an INSERT, and for each its attname, its
    `_preparer` and its field's `get_default`."""
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]
    preparers = _preparers(model)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    return columns, [
        (field.attname, preparers[field.attname], field.get_default) for field in fields
    ]


def cards_insert(cards: Sequence[Card]) -> None:
    """Insert new `cards` and give each its id, as `Card.objects.bulk_create` does (dates
    set to now, no signal sent), each value prepared as `_insert`'s are: an import writes a
    hundred thousand cards of forty columns, and the ORM's compiling of them took an eighth
    of its time. Statements of as many rows as the backend takes parameters."""
    if not cards:
        return
    database = connections[DEFAULT_DB_ALIAS]
    columns, writes = _inserts(Card)
    fields = [field for field in Card._meta.concrete_fields if field is not Card._meta.auto_field]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for card in cards:
                setattr(card, field.attname, now)
    size = max(database.ops.bulk_batch_size(fields, cards), 1)
    pk = database.ops.quote_name(Card._meta.pk.column)
    with database.cursor() as cursor:
        for start in range(0, len(cards), size):
            batch = cards[start : start + size]
            params = []
            for card in batch:
                for name, (plain, prepare), _default in writes:
                    value = getattr(card, name)
                    params.append(value if type(value) in plain else prepare(value, database))
            placeholders = f"({', '.join(['%s'] * len(writes))})"
            cursor.execute(
                f"INSERT INTO {CARDS} ({columns}) "
                f"VALUES {', '.join([placeholders] * len(batch))} RETURNING {pk}",
                params,
            )
            # Both databases return the rows in the order of VALUES, as bulk_create relies on.
            for card, (card_id,) in zip(batch, cursor.fetchall(), strict=True):
                card.pk = card_id
                card._state.adding = False
                card._state.db = DEFAULT_DB_ALIAS


def quick_quizzes_started(*, user_id: int, deck_id: int, since: datetime, limit: int) -> int:
    """How many Quick quizzes the learner started on the deck after `since`, played signed
    in, up to `limit` (attempts._quick_quizzes_started): from the learner's quizzes by
    start, newest first (the index on user and started_at). Through the ORM, building and
    compiling this statement took more of a signed-in start than the rest of it."""
    rows = _fetch(
        f"SELECT a.id FROM {ATTEMPTS} a WHERE a.user_id = %s AND a.started_at > %s "
        "AND a.deck_id = %s AND a.is_quick = %s AND a.played_as_guest = %s "
        "ORDER BY a.started_at DESC LIMIT %s",
        [user_id, _db_value(Attempt, "started_at", since), deck_id, True, False, limit],
    )
    return len(rows)


def attempt_insert(*, attempt: Attempt, questions: Sequence[dict], offered: Sequence[int]) -> None:
    """Write the new `attempt` (its id drawn already) and its `questions` (field attname to
    value, each field left out its default), and count one more offer of each hand-written
    distractor in `offered`: three statements at most, in the caller's transaction."""
    _insert(
        Attempt,
        [
            {
                field.attname: getattr(attempt, field.attname)
                for field in Attempt._meta.concrete_fields
            }
        ],
    )
    attempt._state.adding, attempt._state.db = False, DEFAULT_DB_ALIAS
    _insert(AttemptQuestion, [{**question, "attempt_id": attempt.pk} for question in questions])
    if offered:
        which = ", ".join(["%s"] * len(offered))
        if connection.features.has_select_for_update:
            # Quizzes started at once count the same distractors. PostgreSQL's UPDATE locks
            # rows in the order its scan meets them, which rows updated meanwhile reorder;
            # two starts locking in different orders deadlock (a 500 after a second's
            # wait), so the rows are locked in the order of their ids first. (SQLite has
            # one writer at a time.)
            which = f"SELECT id FROM {DISTRACTORS} WHERE id IN ({which}) ORDER BY id FOR UPDATE"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {DISTRACTORS} SET times_offered = times_offered + 1 WHERE id IN ({which})",
                list(offered),
            )


READY_QUIZZES = ReadyQuiz._meta.db_table


def ready_quiz_claim(*, deck_id: int, decks_version: int) -> tuple | None:
    """Take the oldest Quick quiz planned ahead for the deck under `decks_version` (its seed,
    questions and refill_when_claimed), deleting it in the same statement, in the caller's
    transaction; None when none is waiting. Starts at once each take a different one:
    PostgreSQL's SKIP LOCKED passes over a plan another start has locked (SQLite has one
    writer at a time)."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {READY_QUIZZES} WHERE id = (SELECT id FROM {READY_QUIZZES} "
            f"WHERE deck_id = %s AND decks_version = %s ORDER BY id LIMIT 1{lock}) "
            "RETURNING seed, questions, refill_when_claimed",
            [deck_id, decks_version],
        )
        return cursor.fetchone()


# --- The navigation's "Review (N)" ----------------------------------------------------------
# Counted again on the first page a learner opens after any answer (reviews.review_counts
# keeps it until their memories change). Through the ORM, building and compiling the two
# aggregates took ~2.5 ms of CPU where the database ran them in ~0.1.


def memory_figures(
    *,
    user_id: int,
    now,
    review_state: int,
    new_state: int,
    day_start,
    day_end,
    ahead,
    waiting: dict[str, tuple[str, object]] | None,
) -> dict:
    """A learner's card memories counted as reviews._review_counts needs them (it says what
    each figure means). `waiting`: the card fields and values a card can be introduced by
    (models.deck.askable_fields), to count the studied cards that fail them: a join, left
    out (None) when no card fails them.

    The cards the learner holds now (buried, suspended: CardHold) are counted apart, from
    their few rows, and taken off: the scan of the memories stays as it was."""
    unsuspended = "NOT m.suspended"
    day_end_value = _db_value(CardMemory, "due", day_end)
    ahead_value = _db_value(CardMemory, "due", ahead)
    reviews_due = "m.state = %s AND m.due < %s"
    steps_due = "m.state <> %s AND m.due <= %s"
    params: list = [review_state, day_end_value, review_state, ahead_value]
    params += [review_state, ahead_value]
    params.append(_db_value(CardMemory, "first_review", day_start))
    selects = [
        f"COUNT(m.id) FILTER (WHERE {unsuspended} AND {reviews_due})",
        f"COUNT(m.id) FILTER (WHERE {unsuspended} AND {steps_due})",
        f"MIN(m.due) FILTER (WHERE {unsuspended} AND m.state <> %s AND m.due > %s)",
        # A new card given a due date (no rep yet) was not studied: not introduced today.
        "COUNT(m.id) FILTER (WHERE m.first_review >= %s AND m.reps > 0)",
        "COUNT(m.id)",
    ]
    held = "h.user_id = %s AND (h.suspended OR h.buried_until > %s)"
    held_params = [user_id, _db_value(CardHold, "buried_until", now)]
    held_memory = (
        f"SELECT COUNT(*) FROM {HOLDS} h JOIN {MEMORIES} m ON m.user_id = h.user_id "
        f"AND m.card_id = h.card_id WHERE {held} AND {unsuspended} AND "
    )
    selects.append(f"({held_memory}{reviews_due})")
    params += [*held_params, review_state, day_end_value]
    selects.append(f"({held_memory}{steps_due})")
    params += [*held_params, review_state, ahead_value]
    unstudied = (
        f"NOT EXISTS (SELECT 1 FROM {MEMORIES} m WHERE m.user_id = h.user_id "
        "AND m.card_id = h.card_id)"
    )
    if waiting is not None:
        quote = connection.ops.quote_name
        askable = " AND ".join(
            f"c.{quote(Card._meta.get_field(name).column)} {operator} %s"
            for name, (operator, _value) in waiting.items()
        )
        askable_params = [
            _db_value(Card, name, value) for name, (_operator, value) in waiting.items()
        ]
        selects.append(
            f"(SELECT COUNT(*) FROM {HOLDS} h JOIN {CARDS} c ON c.id = h.card_id "
            f"WHERE {held} AND {unstudied} AND {askable})"
        )
        params += [*held_params, *askable_params]
        # Each memory's card looked up by its key, not the memories joined to the cards: with
        # the memories' statistics stale (a small table, seldom analysed) PostgreSQL chose a
        # merge join that walked the cards' key index to the learner's highest card, 63,000
        # of 100,000 cards for 51 memories, 80 ms of every answer (bench/HISTORY.md round 19).
        selects.append(
            f"COUNT(m.id) FILTER (WHERE EXISTS (SELECT 1 FROM {CARDS} c WHERE c.id = m.card_id "
            f"AND NOT ({askable})))"
        )
        params += askable_params
    else:
        selects.append(f"(SELECT COUNT(*) FROM {HOLDS} h WHERE {held} AND {unstudied})")
        params += held_params
    # The cards first studied today that staff deleted since: their memories went with them,
    # their reviews (ReviewLog.card None, an index of its own) stay.
    selects.append(
        f"(SELECT COUNT(*) FROM {REVIEW_LOGS} r WHERE r.user_id = %s AND r.card_id IS NULL "
        "AND r.reviewed_at >= %s AND r.state_before = %s AND r.source NOT IN "
        f"({', '.join(['%s'] * len(ReviewLog.NOT_ANSWERS))}))"
    )
    params += [
        user_id,
        _db_value(ReviewLog, "reviewed_at", day_start),
        new_state,
        *(source.value for source in ReviewLog.NOT_ANSWERS),
    ]
    # The review cards and the new cards answered on the review page today, which the day's
    # maximum of reviews counts (reviews._review_allowance).
    answered_today = (
        f"(SELECT COUNT(*) FROM {REVIEW_LOGS} r WHERE r.user_id = %s AND r.reviewed_at >= %s "
        "AND r.source = %s AND r.state_before = %s)"
    )
    for state in (review_state, new_state):
        selects.append(answered_today)
        params += [
            user_id,
            _db_value(ReviewLog, "reviewed_at", day_start),
            ReviewLog.Source.REVIEW.value,
            state,
        ]
    params.append(user_id)
    (row,) = _fetch(f"SELECT {', '.join(selects)} FROM {MEMORIES} m WHERE m.user_id = %s", params)
    (next_step_due,) = _columns()["memory_due"].converted(row[2:3])
    return {
        "reviews_due": row[0] - row[5],
        "steps_due": row[1] - row[6],
        "next_step_due": next_step_due,
        "introduced_today": row[3] + row[-3],
        "answered_reviews_today": row[-2],
        "answered_new_today": row[-1],
        "studied": row[4],
        "held_new": row[7],
        "studied_waiting": row[8] if waiting is not None else 0,
    }


def due_by_day(
    *, user_id: int, card_id: int, starts: dict[int, datetime], days: range, near: range
) -> tuple[dict[int, int], frozenset[int]]:
    """For Anki's load balancer (reviews._workload): how many of the learner's cards are
    due on each study day of `days`, the card `card_id` left out, and on which days of
    `near` a sibling of it is due (a card of its deck and note guid); `starts`: each day's
    first moment, and the next day's. One statement, written out: the ORM's aggregate of a
    filtered count a day took longer to build than to run, at every answer."""
    card, memory = Card._meta.db_table, CardMemory._meta.db_table

    def bounds(day: int) -> list:
        return [
            _db_value(CardMemory, "due", starts[day]),
            _db_value(CardMemory, "due", starts[day + 1]),
        ]

    within = "m.due >= %s AND m.due < %s"
    params: list = []
    prefix = ""
    if near:
        prefix = (
            f"WITH siblings AS (SELECT s.id FROM {card} s JOIN {card} a "
            "ON a.deck_id = s.deck_id AND a.guid = s.guid "
            "WHERE a.id = %s AND s.guid <> '' AND s.id <> %s) "
        )
        params += [card_id, card_id]
    selects = []
    for day in days:
        selects.append(f"COUNT(m.id) FILTER (WHERE {within})")
        params += bounds(day)
    for day in near:
        selects.append(
            f"COUNT(m.id) FILTER (WHERE {within} AND m.card_id IN (SELECT id FROM siblings))"
        )
        params += bounds(day)
    read = near or days  # `near`, when it is read, holds `days`
    params += [user_id, _db_value(CardMemory, "due", starts[read.start])]
    params += [_db_value(CardMemory, "due", starts[read.stop]), card_id]
    sql = (
        f"{prefix}SELECT {', '.join(selects)} FROM {memory} m WHERE m.user_id = %s "
        "AND m.due >= %s AND m.due < %s AND m.card_id <> %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    counts = dict(zip(days, row[: len(days)], strict=True))
    sibling_days = frozenset(
        day for day, count in zip(near, row[len(days) :], strict=True) if count
    )
    return counts, sibling_days
