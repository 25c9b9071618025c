"""Guests' attempts: those started under their session's key, given to the account they
log in to.

Django changes the session key on login, so the log-in and sign-up views read it first and
hand it to `guest_attempts_claim`. The services never see the session: they take its key as a
plain value. Nothing is written to the session when a guest starts a quiz, once it exists.
"""

from quizzes.services.attempts import attempts_claim


def guest_session_key(session, *, create: bool = False) -> str | None:
    """The guest's session key; with `create`, making the session if it has none yet."""
    # Loading the session first: a cookie naming no stored session (expired, or made up)
    # leaves it without a key, and so owning nothing, as the key's quizzes belong to the
    # session, not to whoever sends the key.
    session.keys()
    if create and not session.session_key:
        session.save()
    return session.session_key


def guest_attempts_claim(request, guest_session_key: str | None) -> int:
    """Attach the attempts started under `guest_session_key` (read before login) to the
    user just logged in."""
    return attempts_claim(user=request.user, guest_session_key=guest_session_key)
