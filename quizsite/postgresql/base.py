"""PostgreSQL as Django's own backend, with a health check that costs no round trip.

Django's check (CONN_HEALTH_CHECKS) sends `SELECT 1` before each request's first query: one
extra round trip per request. A connection the server has closed (a restart, a failover,
pg_terminate_backend, an idle timeout) has a readable socket: the server's last message or
the end of the stream is waiting there. An idle healthy one has nothing to read. So only a
readable socket is checked with a query; a quiet one is taken as it is.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed or self.connection.broken:
            return False
        try:
            poll = select.poll()
            poll.register(self.connection.fileno(), select.POLLIN)
            waiting = poll.poll(0)
        except (OSError, ValueError):  # the socket is gone
            return False
        return not waiting or super().is_usable()
