"""The login backend: Django's ModelBackend, with the signed-in user read from the cache."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from quizzes import caching


class CachedModelBackend(ModelBackend):
    """Every signed-in request reads its user (django.contrib.auth.get_user); this reads it
    from the cache, kept until the row is saved or deleted (caching.user_cached). Django
    still checks the session against the user's password hash, so a password change logs
    the other sessions out at once."""

    def get_user(self, user_id):
        user = caching.user_cached(
            user_id, lambda: get_user_model()._default_manager.filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
