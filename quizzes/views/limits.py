"""View decorators for the limits of quizzes/throttling.py."""

import time
from functools import wraps

from axes.helpers import get_client_ip_address
from django.http import HttpResponse
from django.shortcuts import render

from quizzes import throttling


def quiz_starts_limited(view):
    """Refuse a start posted more often than the limits allow (quizzes/throttling.py) with
    a 429 that says when to try again, before any work is done."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        now = time.time()
        signed_in = request.user.is_authenticated
        # A learner's starts count against their account: their address is not looked up
        # (django-ipware's reading of the forwarding headers, a tenth of a start's calls).
        window = throttling.quiz_start_refused(
            user_id=request.user.pk if signed_in else None,
            client_ip=None if signed_in else get_client_ip_address(request),
            now=now,
        )
        if window is None:
            return view(request, *args, **kwargs)
        if window == 60:
            message = (
                "That is a lot of quizzes started in one minute: "
                "wait a minute, then start the next one."
            )
            return too_many_requests(request, message, retry_after=60)
        if signed_in:
            message = "That is a lot of quizzes started today: come back tomorrow."
        else:
            message = (
                "That is a lot of quizzes started from your address today: "
                "sign up or log in to go on, or come back tomorrow."
            )
        wait = throttling.window_left(window_seconds=window, now=now)
        return too_many_requests(request, message, retry_after=wait)

    return limited


def too_many_requests(request, message: str, *, retry_after: int) -> HttpResponse:
    """A 429 page that says what to wait for, and a Retry-After in seconds."""
    response = render(request, "quizzes/play/bad_request.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
