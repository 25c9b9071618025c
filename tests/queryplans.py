"""What the database plans to do for a query, to check that an index can serve it."""

from django.db import connection


def query_plan(queryset) -> str:
    """The plan of `queryset`. On PostgreSQL sequential scans and explicit sorts are turned
    off for the test's transaction first: whether the planner prefers an index, or another
    index and a sort, depends on the table's size and statistics (a few rows: a coin toss);
    that an index can serve the query, in its order, is what the tests check."""
    _index_scans_preferred()
    return queryset.explain()


def statement_plan(sql: str, params) -> str:
    """The plan of a statement written out in SQL (services/play_sql.py), as query_plan."""
    _index_scans_preferred()
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return "\n".join(" ".join(map(str, row)) for row in cursor.fetchall())


def _index_scans_preferred() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
