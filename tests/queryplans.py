"""What the database plans to do for a query, to check that an index can serve it."""

from django.db import connection


def query_plan(queryset) -> str:
    """The plan of `queryset`. On PostgreSQL sequential scans are turned off for the test's
    transaction first: whether the planner prefers an index depends on the table's size;
    that it can use it is what the tests check."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()
