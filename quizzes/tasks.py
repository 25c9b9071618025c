"""Background tasks, run by `manage.py db_worker` (django-tasks with its database backend)."""

from django_tasks import task

from quizzes.services.anki_io import import_job_run


@task()
def anki_import_task(job_id: int) -> str:
    """A big Anki import confirmed in the admin; its progress is on the ImportJob."""
    return import_job_run(job_id=job_id)
