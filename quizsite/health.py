"""`/healthz`: whether this app server can serve, for the load balancer or monitor in front
of it (README, "More than one machine"). 200 when its database and shared cache answer,
503 naming the part that does not; the body also says how long the oldest task has waited
for the worker, which is not the app server's health (a stopped worker leaves the site up)
but is what a monitor should watch.

Answered first in the middleware chain: before SecurityMiddleware's HTTPS redirect and
before any check of the Host header, since a load balancer probes each server over plain
HTTP by its own address; it reads no session and sets no cookie."""

import json
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != settings.QUIZSITE_HEALTH_PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse("GET or HEAD only\n", status=405, content_type="text/plain")
            response["Allow"] = "GET, HEAD"
            return response
        status, body = _checked()
        response = HttpResponse(body, status=status, content_type="application/json")
        response["Cache-Control"] = "no-store"
        return response


def _checked() -> tuple[int, bytes]:
    """The status and the body: a SELECT 1, a cache write and read, and the task queue's
    oldest row (about a cached page's cost, so the public path is no better a target)."""
    checks = {"database": _database, "cache": _cache}
    report = {name: _outcome(name, check) for name, check in checks.items()}
    healthy = all(outcome == "ok" for outcome in report.values())
    if report["database"] == "ok":
        try:
            report["oldest_task_waiting_seconds"] = _oldest_task_age()
        except Exception:  # not the server's health: said as unknown, logged
            logger.exception("Health check: the tasks waiting could not be read")
            report["oldest_task_waiting_seconds"] = None
    body = {"status": "ok" if healthy else "unavailable", **report}
    return (200 if healthy else 503), (json.dumps(body) + "\n").encode()


def _outcome(name: str, check) -> str:
    try:
        check()
    except Exception:  # any failure means unavailable; the log says which and why
        logger.exception("Health check: the %s does not answer", name)
        return "unavailable"
    return "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    # A key of its own: probes of other processes and servers run at the same moments.
    key = f"health:probe:{uuid.uuid4().hex}"
    cache.set(key, True, timeout=60)
    try:
        if cache.get(key) is not True:
            raise RuntimeError("the value written was not read back")
    finally:
        cache.delete(key)


def _oldest_task_age() -> float | None:
    """Seconds the oldest task ready to run has waited; None when none waits (or tasks run
    in the request, QUIZSITE_TASKS=immediate)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return None
    from django.db.models import Min
    from django_tasks_db.models import DBTaskResult

    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min("enqueued_at"))["oldest"]
    if oldest is None:
        return None
    return round((timezone.now() - oldest).total_seconds(), 1)
