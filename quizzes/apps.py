from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from quizzes import caching  # noqa: F401  (connects its signal receivers)
