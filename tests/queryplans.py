"""What the database plans to do for a query, to check that an index can serve it."""

from django.db import connection


def query_plan(queryset) -> str:
    """The plan of `queryset`. On PostgreSQL sequential scans and explicit sorts are turned
    off for the test's transaction first: whether the planner prefers an index, or another
    index and a sort, depends on the table's size and statistics (a few rows: a coin toss);
    that an index can serve the query, in its order, is what the tests check."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
    return queryset.explain()
