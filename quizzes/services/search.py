"""Card search through the database's own full-text engine: SQLite FTS5, or PostgreSQL's
text search with pg_trgm for spelling (the index: quizzes/search_schema.py).

One rule on both: a card matches when every word of the query, less an English ending
(`search_prefix`: "overfitting" is searched as "overfit", "rates" as "rate"), begins a word
of its question, its answer, one of its tag names ("soft" finds "softmax", "pytorch" finds
the cards tagged pytorch) or its images' text (alt texts); the best matches come first
(question and tags weigh twice the answer and images), then by card number. When nothing
matches, each word that matches no card is replaced by the nearest word the cards use
("sofmax" by "softmax", "pytroch" by "pytorch"), and the search runs again with those.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.text import smart_split, unescape_string_literal

from quizzes import caching
from quizzes.models import Card, Deck, Tag
from quizzes.search_schema import SQLITE_TABLE, SQLITE_WORDS

# Longer search input is cut, not refused: a pasted paragraph still gives a page.
MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 10
# The most results a search ranks and keeps; past that, the count says "more than".
MAX_RESULTS = 1000
# How far a word may be from a suggestion, by its length (shorter words: none).
SPELLING_DISTANCE = {4: 1, 5: 1, 6: 1}
LONG_WORD_DISTANCE = 2
SUGGESTION_CANDIDATES = 50

# Letters and digits make a word; anything else (punctuation, "_", spaces) separates, as in
# the index.
_WORD = re.compile(r"[^\W_]+")


def search_clean(raw: str) -> str:
    """A search box value fit to echo and search: NULs dropped, length capped, spaces collapsed."""
    return " ".join(raw.replace("\x00", "")[:MAX_QUERY_LENGTH].split())


def search_words(query: str) -> list[str]:
    """The distinct words of a cleaned query, lowercased, each of which a result must have."""
    return list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))[:MAX_SEARCH_WORDS]


# English endings a word is searched without, longest first, with the shortest stem each
# leaves: "string" is no "str-ing", nor "series" a "ser-ies". A prefix search needs no more
# than that ("scaling" as "scal" finds "scale"), and the words the cards use stay as written.
_ENDINGS = (("ations", 5), ("ation", 5), ("ies", 4), ("ing", 4), ("ed", 4), ("es", 3), ("s", 3))
# "es" is a plural's ending after these only ("batches", "boxes"); elsewhere "e" is the
# word's own ("rates").
_ES_AFTER = ("ch", "sh", "ss", "x", "z")
# Singular words ending in "s": "loss", "focus", "axis".
_KEPT_S = ("ss", "us", "is")
_DOUBLED = re.compile(r"([bdfgklmnprtz])\1$")


def search_prefix(word: str) -> str:
    """What a query word is searched as: a word that begins with it, or with it less an
    English ending ("overfitting" finds "overfit", "learning rates" a card on the learning
    rate, "queries" "query"). A word with no such ending is searched as it is."""
    for ending, shortest in _ENDINGS:
        if not word.endswith(ending):
            continue
        stem = word[: -len(ending)]
        if ending == "es" and not stem.endswith(_ES_AFTER):
            continue  # then "s" alone: "rates" is "rate"
        if ending == "s" and word.endswith(_KEPT_S):
            return word
        if ending in ("ing", "ed"):
            stem = _DOUBLED.sub(r"\1", stem)  # "overfitting", "stopped"
        return stem if len(stem) >= shortest else word
    return word


def search_prefixes(words: Iterable[str]) -> list[str]:
    """The prefixes `words` are searched as, which the pages highlight."""
    return list(dict.fromkeys(search_prefix(word) for word in words))


@dataclass(frozen=True)
class SearchResult:
    card_ids: tuple[int, ...]  # best first, at most MAX_RESULTS
    more: bool  # more cards matched than card_ids holds
    words: tuple[str, ...]  # the words searched: the query's, or their suggestions
    suggested: bool  # True when `words` are suggestions for words that matched nothing


def card_search(*, deck: Deck, query: str, tag: Tag | None = None) -> SearchResult:
    """The deck's cards matching `query` (and tagged `tag`), best first. Cached until the
    deck changes, so "show more" pages slice the same list; in each process's memory only
    (`caching.cached_here`: the words are whatever a client sends), where another process
    finds the same list, ties ordered by card number."""
    words = tuple(search_words(query))
    key = hashlib.sha256(repr((deck.pk, tag.pk if tag else None, words)).encode()).hexdigest()
    return caching.cached_here(f"search:{key}", lambda: _search(deck, words, tag))


def _search(deck: Deck, words: tuple[str, ...], tag: Tag | None) -> SearchResult:
    if not words:
        return SearchResult(card_ids=(), more=False, words=(), suggested=False)
    ids = _ranked_ids(deck.pk, words, tag, limit=MAX_RESULTS + 1)
    suggested = False
    if not ids and (better := _suggested_words(deck.pk, words, tag)):
        ids = _ranked_ids(deck.pk, better, tag, limit=MAX_RESULTS + 1)
        words, suggested = better, True
    return SearchResult(
        card_ids=tuple(ids[:MAX_RESULTS]),
        more=len(ids) > MAX_RESULTS,
        words=words,
        suggested=suggested,
    )


def _suggested_words(deck_id: int, words: tuple[str, ...], tag: Tag | None) -> tuple[str, ...]:
    """What to search for `words`, which together match nothing: each word that matches no
    card replaced by its nearest word (none if one is near no word); then, if these still
    match nothing together, the same less one word, the shortest first ("sofmax lo" is
    "softmax" where no card says both). Empty when nothing better matches. Four queries
    at most, however many words."""
    alone = _matching_sets(deck_id, [(word,) for word in words], tag)
    misspelt = [word for word, matches in zip(words, alone, strict=True) if not matches]
    if not misspelt:
        return ()  # every word is as the cards spell it: they are simply not found together
    nearest = _suggestions(misspelt)
    if len(nearest) < len(misspelt):
        return ()  # a word near none the cards use: nothing to say it meant
    better = tuple(dict.fromkeys(nearest.get(word, word) for word in words))
    shortest_first = sorted(range(len(better)), key=lambda i: (len(better[i]), -i))
    tries = [better] + [better[:i] + better[i + 1 :] for i in shortest_first if len(better) > 1]
    matches = _matching_sets(deck_id, tries, tag)
    found = next((words_tried for words_tried, ok in zip(tries, matches, strict=True) if ok), ())
    return found if found != words else ()


def _ranked_ids(deck_id: int, words: tuple[str, ...], tag: Tag | None, *, limit: int):
    if connection.vendor == "postgresql":
        return _postgresql_ids(deck_id, words, tag, limit)
    return _sqlite_ids(deck_id, words, tag, limit)


def _sqlite_ids(deck_id: int, words: tuple[str, ...], tag: Tag | None, limit: int) -> list[int]:
    # Each word is a quoted string (it holds no quote: see _WORD) searched as a prefix.
    match = " AND ".join(f'"{prefix}"*' for prefix in search_prefixes(words))
    tag_filter = "AND c.id IN (SELECT card_id FROM quizzes_card_tags WHERE tag_id = %s)"
    # CROSS JOIN makes SQLite walk the matches and look each card up, never the other way
    # round (every card of the deck, each checked against the index).
    sql = f"""
        SELECT c.id FROM {SQLITE_TABLE} s CROSS JOIN quizzes_card c ON c.id = s.rowid
        WHERE {SQLITE_TABLE} MATCH %s AND c.deck_id = %s {tag_filter if tag else ""}
        ORDER BY bm25({SQLITE_TABLE}, 2.0, 1.0, 2.0, 1.0), c.number LIMIT %s"""
    params = [match, deck_id, *([tag.pk] if tag else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [card_id for (card_id,) in cursor.fetchall()]


def _postgresql_ids(deck_id: int, words: tuple[str, ...], tag: Tag | None, limit: int) -> list[int]:
    # Imported here: django.contrib.postgres needs psycopg, which SQLite sites lack.
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

    document = RawSQL('"quizzes_card"."search_document"', [], output_field=SearchVectorField())
    query = SearchQuery(
        " & ".join(f"'{prefix}':*" for prefix in search_prefixes(words)),
        search_type="raw",
        config="simple",
    )
    cards = Card.objects.filter(deck_id=deck_id).annotate(document=document)
    cards = cards.filter(document=query)
    if tag is not None:
        cards = cards.filter(tags=tag)
    return list(
        cards.annotate(rank=SearchRank(document, query))
        .order_by("-rank", "number")
        .values_list("id", flat=True)[:limit]
    )


def _matching_sets(deck_id: int, word_sets: list[tuple[str, ...]], tag: Tag | None) -> list[bool]:
    """For each set of words, whether a card of the deck (tagged `tag`) has them all: one
    query, each set an EXISTS that stops at its first match."""
    if not word_sets:
        return []
    tag_filter = "AND c.id IN (SELECT card_id FROM quizzes_card_tags WHERE tag_id = %s)"
    if connection.vendor == "postgresql":
        exists = f"""SELECT 1 FROM quizzes_card c WHERE c.deck_id = %s
            AND c.search_document @@ to_tsquery('simple', %s) {tag_filter if tag else ""}"""
        matches = [" & ".join(f"'{p}':*" for p in search_prefixes(ws)) for ws in word_sets]
    else:
        exists = f"""SELECT 1 FROM {SQLITE_TABLE} s CROSS JOIN quizzes_card c ON c.id = s.rowid
            WHERE c.deck_id = %s AND {SQLITE_TABLE} MATCH %s {tag_filter if tag else ""}"""
        matches = [" AND ".join(f'"{p}"*' for p in search_prefixes(ws)) for ws in word_sets]
    sql = " UNION ALL ".join(f"SELECT {i} WHERE EXISTS ({exists})" for i in range(len(word_sets)))
    params = [param for match in matches for param in (deck_id, match, *([tag.pk] if tag else []))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {i for (i,) in cursor.fetchall()}
    return [i in found for i in range(len(word_sets))]


def _suggestions(words: list[str]) -> dict[str, str]:
    """The word the cards use that is nearest to each of `words` in spelling, for those
    near one: one query for them all."""
    allowed = {
        word: SPELLING_DISTANCE.get(len(word), LONG_WORD_DISTANCE if len(word) > 6 else 0)
        for word in words
    }
    words = [word for word in words if allowed[word]]
    nearest: dict[str, tuple[int, int, str]] = {}
    for i, candidate, cards in _spelling_candidates(words):
        word = words[i]
        distance = edit_distance(word, candidate, limit=allowed[word])
        if distance <= allowed[word]:
            nearest[word] = min(
                nearest.get(word, (distance, -cards, candidate)), (distance, -cards, candidate)
            )
    return {word: candidate for word, (_, _, candidate) in nearest.items()}


def _spelling_candidates(words: list[str]) -> list[tuple[int, str, int]]:
    """Words of the index that may be a few edits from each of `words` (by its position),
    with how many cards use each (0 where the engine does not say)."""
    if not words:
        return []
    if connection.vendor == "postgresql":
        # Trigram similarity, through the word list's trigram index.
        part = (
            "(SELECT %s, word, 0 FROM quizzes_search_word WHERE word %% %s "
            "ORDER BY similarity(word, %s) DESC, word LIMIT %s)"
        )
        params = [[i, word, word, SUGGESTION_CANDIDATES] for i, word in enumerate(words)]
    else:
        # A misspelt word nearly always keeps its first letter; the vocabulary is sorted,
        # so that is a range of it.
        part = (
            f"SELECT * FROM (SELECT %s, term, doc FROM {SQLITE_WORDS} WHERE term >= %s "
            "AND term < %s AND length(term) BETWEEN %s AND %s)"
        )
        params = [
            [i, word[0], chr(ord(word[0]) + 1), len(word) - 2, len(word) + 2]
            for i, word in enumerate(words)
        ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([part] * len(words)), [p for ps in params for p in ps])
        return cursor.fetchall()


# What staff paste to name one card: its number ("12", "#12"), as the site names it
# ("fastai #12") or its page's address (".../decks/fastai/cards/12/").
_CARD_NUMBER = re.compile(r"#?(?P<number>\d{1,9})")
_CARD_NAMED = re.compile(
    r"(?:.*/decks/)?(?P<slug>[-\w]+)(?:\s*#|/cards/)(?P<number>\d{1,9})/?(?:\?\S*)?"
)
# Anki's guids are single words of printable ASCII.
_GUID = re.compile(r"[!-~]{1,100}")


@dataclass(frozen=True)
class StaffSearch:
    terms: tuple[tuple[str, ...], ...] = ()  # words, each a prefix; phrases, the last begun
    number: int | None = None  # a card number, in the deck `slug` names or any
    slug: str | None = None
    guid: str | None = None


def staff_search_read(query: str) -> StaffSearch:
    """What the admin's card search asks for: the query's words and "quoted phrases", or
    the one card it names by its number in a deck (`fastai #12`, the card page's address);
    a query of one term may also be a card number (`12`) or an Anki guid."""
    query = " ".join(query.replace("\x00", "")[: MAX_QUERY_LENGTH * 2].split())
    if named := _CARD_NAMED.fullmatch(query):
        return StaffSearch(number=int(named["number"]), slug=named["slug"])
    terms = []
    raw_terms = list(smart_split(query))
    for raw in raw_terms:
        quoted = len(raw) > 1 and raw[0] in "\"'" and raw[-1] == raw[0]
        words = [
            word.lower() for word in _WORD.findall(unescape_string_literal(raw) if quoted else raw)
        ]
        if quoted and len(words) > 1:
            terms.append(tuple(words))
        else:
            terms.extend((search_prefix(word),) for word in words)
    single = query if len(raw_terms) == 1 else ""
    number = _CARD_NUMBER.fullmatch(single)
    return StaffSearch(
        terms=tuple(dict.fromkeys(terms))[:MAX_SEARCH_WORDS],
        number=int(number["number"]) if number else None,
        guid=single if _GUID.fullmatch(single) else None,
    )


def cards_matching(*, cards: QuerySet[Card], query: str) -> QuerySet[Card]:
    """`cards` narrowed to those a staff search names (staff_search_read), in `cards`' own
    order. Words and phrases through the full-text index (learners' search's: question,
    answer, tag names and images' text), the number and guid through their unique
    constraints' indexes: never a scan of the cards."""
    search = staff_search_read(query)
    parts = [*_matching_text(search.terms), *_matching_named(search)]
    if not parts:
        return cards.none()
    sql = " UNION ALL ".join(part for part, _ in parts)
    return cards.filter(pk__in=RawSQL(sql, [param for _, params in parts for param in params]))


def _matching_text(terms: tuple[tuple[str, ...], ...]) -> list[tuple[str, list]]:
    if not terms:
        return []
    # Every word holds letters and digits only (see _WORD): quoting them is safe.
    if connection.vendor == "postgresql":
        tsquery = " & ".join(
            " <-> ".join([*(f"'{word}'" for word in term[:-1]), f"'{term[-1]}':*"])
            for term in terms
        )
        sql = "SELECT id FROM quizzes_card WHERE search_document @@ to_tsquery('simple', %s)"
        return [(sql, [tsquery])]
    match = " AND ".join(f'"{" ".join(term)}"*' for term in terms)
    return [(f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s", [match])]


def _matching_named(search: StaffSearch) -> list[tuple[str, list]]:
    # Deck by deck: the unique constraints' indexes begin with the deck.
    decks, deck_params = "SELECT id FROM quizzes_deck", []
    if search.slug:
        decks, deck_params = f"{decks} WHERE slug = %s", [search.slug]
    parts = []
    if search.number is not None:
        sql = f"SELECT id FROM quizzes_card WHERE deck_id IN ({decks}) AND number = %s"
        parts.append((sql, [*deck_params, search.number]))
    if search.guid:
        # The guid's index leaves out cards without one; SQLite uses such an index only
        # for a query that states its very condition.
        sql = (
            f"SELECT id FROM quizzes_card WHERE deck_id IN ({decks}) "
            "AND NOT (guid = '') AND guid = %s"
        )
        parts.append((sql, [*deck_params, search.guid]))
    return parts


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbours that turn `a` into
    `b` (optimal string alignment); anything over `limit` is reported as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[len(b)], limit + 1)
