"""`/healthz`: whether this app server can serve, for the load balancer or monitor in front
of it (README, "More than one machine"). 200 when its database and shared cache answer,
503 when one does not. Anyone may ask; only a monitor with the token from settings
(QUIZSITE_HEALTHZ_TOKEN) or staff signed in read which part failed and how long the oldest
task has waited for the worker, which is not the app server's health (a stopped worker
leaves the site up) but is what a monitor should watch: to a stranger, what is down is a
hint of where to push.

Answered first in the middleware chain: before SecurityMiddleware's HTTPS redirect and
before any check of the Host header, since a load balancer probes each server over plain
HTTP by its own address; it reads no session and sets no cookie."""

import json
import logging
import secrets
import uuid
from importlib import import_module

from django.conf import settings
from django.contrib import auth
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
        status, body = _checked(details=_may_read_details(request))
        response = HttpResponse(body, status=status, content_type="application/json")
        response["Cache-Control"] = "no-store"
        return response


def _may_read_details(request) -> bool:
    """The monitor's token, or a staff member's session (read here, before the session
    middleware: only when its cookie is sent, which a load balancer's probe never is)."""
    token = settings.QUIZSITE_HEALTHZ_TOKEN
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and secrets.compare_digest(sent.strip(), token):
        return True
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    try:
        request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        return auth.get_user(request).is_staff
    except Exception:  # no session store, no user: the status alone (the token still works)
        logger.warning("Health check: a session could not be read", exc_info=True)
        return False


def _checked(*, details: bool) -> tuple[int, bytes]:
    """The status and the body: a SELECT 1 and a cache write and read (about a cached
    page's cost, so the public path is no better a target); with `details`, which one
    failed and the task queue's oldest row."""
    checks = {"database": _database, "cache": _cache}
    report = {name: _outcome(name, check) for name, check in checks.items()}
    healthy = all(outcome == "ok" for outcome in report.values())
    status = 200 if healthy else 503
    if not details:
        return status, (json.dumps({"status": "ok" if healthy else "unavailable"}) + "\n").encode()
    if report["database"] == "ok":
        try:
            report["oldest_task_waiting_seconds"] = _oldest_task_age()
        except Exception:  # not the server's health: said as unknown, logged
            logger.exception("Health check: the tasks waiting could not be read")
            report["oldest_task_waiting_seconds"] = None
    body = {"status": "ok" if healthy else "unavailable", **report}
    return status, (json.dumps(body) + "\n").encode()


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
