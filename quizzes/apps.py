from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from quizzes import (
            caching,  # noqa: F401  (connects its signal receivers)
            tasks,  # noqa: F401  (forgets the email tasks it has sent)
        )
        from quizzes.services import accounts  # noqa: F401  (keeps names' skeletons)

        post_migrate.connect(_search_index_ensure, sender=self)


def _search_index_ensure(using, **kwargs):
    """A migration that rebuilds quizzes_card on SQLite drops the search triggers with the
    old table (quizzes/search_schema.py): put them back."""
    from django.db import connections

    from quizzes import search_schema

    search_schema.ensure(connections[using])
