"""The card search index, kept in step with the cards by the database itself.

Cards are written by the admin, by Anki imports (in bulk, through the ORM's bulk_create and
the tags' through table) and by fixture loads; triggers follow every one of those writes, so
no writer can forget the index.

What a card is found by is what a learner reads on it: its question, its answer, its tag
names and the text of its images (`Card.image_text`: alt texts and titles, which the HTML's
plain text leaves out).

SQLite: an FTS5 table, `quizzes_card_search` (rowid = card id; columns question, answer,
tags, images), and its vocabulary (`quizzes_card_search_words`, an fts5vocab table) for
spelling suggestions.

PostgreSQL: a `search_document` tsvector column on `quizzes_card` (question and tags weighted
A, answer and images B) with a GIN index, filled by a BEFORE trigger; and
`quizzes_search_word`, every word the cards use, with a pg_trgm index for spelling
suggestions. The column is not a model field: the trigger owns it, so a model save can
never write a stale one.

Both tokenize alike: letters and digits make words, everything else separates them (so
"F.softmax" holds "softmax", "requires_grad" holds "requires" and "grad"), case folded, no
stemming, no accent folding; services.search queries every word as a prefix.

SQLite drops a table's triggers when a migration rebuilds that table (it does for most
column changes on quizzes_card), so `ensure()` runs after every migrate (apps.py): it puts
back what is missing and then rebuilds the index from the cards.
"""

from contextlib import contextmanager

SQLITE_TABLE = "quizzes_card_search"
SQLITE_WORDS = "quizzes_card_search_words"

# One card's tag names, space-separated ("" when none): what the tags column indexes.
_SQLITE_TAGS_OF = """coalesce((
    SELECT group_concat(t.name, ' ') FROM quizzes_card_tags ct
    JOIN quizzes_tag t ON t.id = ct.tag_id WHERE ct.card_id = {card}), '')"""

SQLITE_TABLES = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(
        question, answer, tags, images,
        tokenize = "unicode61 remove_diacritics 0", prefix = '2 3')""",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_WORDS} USING fts5vocab({SQLITE_TABLE}, row)",
]

SQLITE_TRIGGERS = {
    "quizzes_card_search_insert": f"""
        CREATE TRIGGER IF NOT EXISTS quizzes_card_search_insert
        AFTER INSERT ON quizzes_card BEGIN
            INSERT INTO {SQLITE_TABLE}(rowid, question, answer, tags, images)
            VALUES (new.id, new.question_text, new.answer_text, '', new.image_text);
        END""",
    # Only when the text changed: every card save rewrites every column.
    "quizzes_card_search_update": f"""
        CREATE TRIGGER IF NOT EXISTS quizzes_card_search_update
        AFTER UPDATE OF question_text, answer_text, image_text ON quizzes_card
        WHEN old.question_text IS NOT new.question_text OR old.answer_text IS NOT new.answer_text
            OR old.image_text IS NOT new.image_text
        BEGIN
            UPDATE {SQLITE_TABLE} SET question = new.question_text, answer = new.answer_text,
                images = new.image_text
            WHERE rowid = new.id;
        END""",
    "quizzes_card_search_delete": f"""
        CREATE TRIGGER IF NOT EXISTS quizzes_card_search_delete
        AFTER DELETE ON quizzes_card BEGIN
            DELETE FROM {SQLITE_TABLE} WHERE rowid = old.id;
        END""",
    "quizzes_card_search_tag_added": f"""
        CREATE TRIGGER IF NOT EXISTS quizzes_card_search_tag_added
        AFTER INSERT ON quizzes_card_tags BEGIN
            UPDATE {SQLITE_TABLE} SET tags = {_SQLITE_TAGS_OF.format(card="new.card_id")}
            WHERE rowid = new.card_id;
        END""",
    "quizzes_card_search_tag_removed": f"""
        CREATE TRIGGER IF NOT EXISTS quizzes_card_search_tag_removed
        AFTER DELETE ON quizzes_card_tags BEGIN
            UPDATE {SQLITE_TABLE} SET tags = {_SQLITE_TAGS_OF.format(card="old.card_id")}
            WHERE rowid = old.card_id;
        END""",
    "quizzes_card_search_tag_renamed": f"""
        CREATE TRIGGER IF NOT EXISTS quizzes_card_search_tag_renamed
        AFTER UPDATE OF name ON quizzes_tag WHEN old.name IS NOT new.name BEGIN
            UPDATE {SQLITE_TABLE} SET tags = {_SQLITE_TAGS_OF.format(card=f"{SQLITE_TABLE}.rowid")}
            WHERE rowid IN (SELECT card_id FROM quizzes_card_tags WHERE tag_id = new.id);
        END""",
}

SQLITE_REBUILD = [
    f"DELETE FROM {SQLITE_TABLE}",
    f"""INSERT INTO {SQLITE_TABLE}(rowid, question, answer, tags, images)
        SELECT c.id, c.question_text, c.answer_text, {_SQLITE_TAGS_OF.format(card="c.id")},
            c.image_text
        FROM quizzes_card c""",
    f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('optimize')",
]

SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"DROP TABLE IF EXISTS {SQLITE_WORDS}",
    f"DROP TABLE IF EXISTS {SQLITE_TABLE}",
]

# ASCII punctuation becomes a space before PostgreSQL's parser sees the text: left alone, it
# reads "F.softmax" as one host name and "nn.Linear" as one file name.
_ASCII_PUNCTUATION = r"[!-/:-@\[-`{-~]+"


def _pg_words(text: str) -> str:
    spaced = f"regexp_replace(coalesce({text}, ''), '{_ASCII_PUNCTUATION}', ' ', 'g')"
    return f"to_tsvector('simple', {spaced})"


def _pg_document(card: str, tags: str) -> str:
    """The tsvector of the card row `card`: question and tags weigh A, answer and images B."""
    return (
        f"setweight({_pg_words(f'{card}.question_text')}, 'A')"
        f" || setweight({_pg_words(f'{card}.answer_text')}, 'B')"
        f" || setweight({_pg_words(tags)}, 'A')"
        f" || setweight({_pg_words(f'{card}.image_text')}, 'B')"
    )


POSTGRESQL_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE quizzes_card ADD COLUMN IF NOT EXISTS search_document tsvector",
    """CREATE INDEX IF NOT EXISTS quizzes_card_search_document
        ON quizzes_card USING gin (search_document)""",
    "CREATE TABLE IF NOT EXISTS quizzes_search_word (word text PRIMARY KEY)",
    """CREATE INDEX IF NOT EXISTS quizzes_search_word_trigram
        ON quizzes_search_word USING gin (word gin_trgm_ops)""",
    # Set-based, for many cards at once (tags changed, or a rebuild).
    f"""CREATE OR REPLACE FUNCTION quizzes_card_search_refresh(card_ids bigint[])
    RETURNS void AS $$
        UPDATE quizzes_card c
        SET search_document = {_pg_document("c", "tagged.names")}
        FROM (
            SELECT card.id, string_agg(t.name, ' ') AS names
            FROM unnest(card_ids) AS card(id)
            LEFT JOIN quizzes_card_tags ct ON ct.card_id = card.id
            LEFT JOIN quizzes_tag t ON t.id = ct.tag_id
            GROUP BY card.id
        ) tagged
        WHERE c.id = tagged.id
    $$ LANGUAGE sql""",
    # One card as it is written. A new card has no tags yet; an edited one looks its tags
    # up, planned afresh each time (a plan cached while the tables were small would scan).
    f"""CREATE OR REPLACE FUNCTION quizzes_card_search_document() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            NEW.search_document := {_pg_document("NEW", "''")};
        ELSIF NEW.question_text IS DISTINCT FROM OLD.question_text
              OR NEW.answer_text IS DISTINCT FROM OLD.answer_text
              OR NEW.image_text IS DISTINCT FROM OLD.image_text THEN
            NEW.search_document := {
        _pg_document(
            "NEW",
            "(SELECT string_agg(t.name, ' ') FROM quizzes_card_tags ct "
            "JOIN quizzes_tag t ON t.id = ct.tag_id WHERE ct.card_id = NEW.id)",
        )
    };
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan""",
    "DROP TRIGGER IF EXISTS quizzes_card_search_document ON quizzes_card",
    """CREATE TRIGGER quizzes_card_search_document
        BEFORE INSERT OR UPDATE ON quizzes_card
        FOR EACH ROW EXECUTE FUNCTION quizzes_card_search_document()""",
    # Words, once per statement: an import of 100,000 cards adds them in one pass.
    """CREATE OR REPLACE FUNCTION quizzes_search_words_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO quizzes_search_word (word)
        SELECT DISTINCT lexeme FROM changed_cards, unnest(changed_cards.search_document)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS quizzes_search_words_insert ON quizzes_card",
    """CREATE TRIGGER quizzes_search_words_insert
        AFTER INSERT ON quizzes_card REFERENCING NEW TABLE AS changed_cards
        FOR EACH STATEMENT EXECUTE FUNCTION quizzes_search_words_add()""",
    "DROP TRIGGER IF EXISTS quizzes_search_words_update ON quizzes_card",
    """CREATE TRIGGER quizzes_search_words_update
        AFTER UPDATE ON quizzes_card REFERENCING NEW TABLE AS changed_cards
        FOR EACH STATEMENT EXECUTE FUNCTION quizzes_search_words_add()""",
    # Tags added or removed (once per statement: an import links thousands at once), or a
    # tag renamed: the cards concerned get their document again.
    """CREATE OR REPLACE FUNCTION quizzes_card_search_tags_changed() RETURNS trigger AS $$
    BEGIN
        PERFORM quizzes_card_search_refresh(ARRAY(SELECT DISTINCT card_id FROM changed_links));
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS quizzes_card_search_tag_added ON quizzes_card_tags",
    """CREATE TRIGGER quizzes_card_search_tag_added
        AFTER INSERT ON quizzes_card_tags REFERENCING NEW TABLE AS changed_links
        FOR EACH STATEMENT EXECUTE FUNCTION quizzes_card_search_tags_changed()""",
    "DROP TRIGGER IF EXISTS quizzes_card_search_tag_removed ON quizzes_card_tags",
    """CREATE TRIGGER quizzes_card_search_tag_removed
        AFTER DELETE ON quizzes_card_tags REFERENCING OLD TABLE AS changed_links
        FOR EACH STATEMENT EXECUTE FUNCTION quizzes_card_search_tags_changed()""",
    """CREATE OR REPLACE FUNCTION quizzes_card_search_tag_renamed() RETURNS trigger AS $$
    BEGIN
        IF NEW.name IS DISTINCT FROM OLD.name THEN
            PERFORM quizzes_card_search_refresh(
                ARRAY(SELECT card_id FROM quizzes_card_tags WHERE tag_id = NEW.id));
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS quizzes_card_search_tag_renamed ON quizzes_tag",
    """CREATE TRIGGER quizzes_card_search_tag_renamed
        AFTER UPDATE OF name ON quizzes_tag
        FOR EACH ROW EXECUTE FUNCTION quizzes_card_search_tag_renamed()""",
]

POSTGRESQL_REBUILD = [
    "SELECT quizzes_card_search_refresh(ARRAY(SELECT id FROM quizzes_card))",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS quizzes_card_search_tag_renamed ON quizzes_tag",
    "DROP TRIGGER IF EXISTS quizzes_card_search_tag_removed ON quizzes_card_tags",
    "DROP TRIGGER IF EXISTS quizzes_card_search_tag_added ON quizzes_card_tags",
    "DROP TRIGGER IF EXISTS quizzes_search_words_update ON quizzes_card",
    "DROP TRIGGER IF EXISTS quizzes_search_words_insert ON quizzes_card",
    "DROP TRIGGER IF EXISTS quizzes_card_search_document ON quizzes_card",
    "DROP FUNCTION IF EXISTS quizzes_card_search_tag_renamed()",
    "DROP FUNCTION IF EXISTS quizzes_card_search_tags_changed()",
    "DROP FUNCTION IF EXISTS quizzes_card_search_refresh(bigint[])",
    "DROP FUNCTION IF EXISTS quizzes_search_words_add()",
    "DROP FUNCTION IF EXISTS quizzes_card_search_document()",
    "DROP TABLE IF EXISTS quizzes_search_word",
    "ALTER TABLE quizzes_card DROP COLUMN IF EXISTS search_document",
]


_TAG_ADDED = "quizzes_card_search_tag_added"


@contextmanager
def tags_indexed_per_batch(connection, card_ids: list[int]):
    """Around a bulk insert of the tags of the new cards `card_ids`, inside the import's
    transaction: on SQLite the row trigger would re-index a card's whole document once per
    tag; instead each card is indexed once, after. The trigger is dropped and put back in
    the same transaction (SQLite's DDL is transactional; the write lock keeps every other
    writer out meanwhile), so a failure puts everything back. PostgreSQL's trigger runs
    once per statement already."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {_TAG_ADDED}")
        yield
        tags_of = _SQLITE_TAGS_OF.format(card=f"{SQLITE_TABLE}.rowid")
        for start in range(0, len(card_ids), 500):
            chunk = card_ids[start : start + 500]
            cursor.execute(
                f"UPDATE {SQLITE_TABLE} SET tags = {tags_of} "
                f"WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
        cursor.execute(SQLITE_TRIGGERS[_TAG_ADDED])


def install(connection) -> None:
    """Create the index and its triggers and fill it from the cards (a migration)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in [*POSTGRESQL_SETUP, *POSTGRESQL_REBUILD]:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for statement in [*SQLITE_TABLES, *SQLITE_TRIGGERS.values(), *SQLITE_REBUILD]:
                cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        statements = {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


def ensure(connection) -> bool:
    """After a migrate: on SQLite, put back the triggers a table rebuild dropped and rebuild
    the index from the cards (they may have changed meanwhile). True when it had to."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        # No card table yet (an app migrated alone), or one from before 0045: not this index.
        cursor.execute("SELECT 1 FROM pragma_table_info('quizzes_card') WHERE name = 'image_text'")
        if cursor.fetchone() is None:
            return False
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
            f"({', '.join(['%s'] * (len(SQLITE_TRIGGERS) + 1))})",
            [SQLITE_TABLE, *SQLITE_TRIGGERS],
        )
        present = {name for (name,) in cursor.fetchall()}
        if SQLITE_TABLE not in present or present >= {SQLITE_TABLE, *SQLITE_TRIGGERS}:
            # Not installed yet (an earlier migration state), or all there.
            return False
    install(connection)
    return True
