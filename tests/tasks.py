"""Tasks of the tests' own, for the worker to find by their module path."""

from django_tasks import task


@task()
def noted_task() -> None:
    """A task that does nothing: it only waits in the queue, or leaves a row once run."""
