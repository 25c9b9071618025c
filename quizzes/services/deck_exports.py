"""Staff's export of a deck as an Anki package or text file. A small deck's is built in the
request; a big one's (30,000 cards with their images take longer than gunicorn's 30 s, and
their text 5 s, holding a web worker that long) by the background worker, as an ExportJob
whose progress the admin shows and whose file it serves, to staff alone, for a day."""

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from quizzes.models import Deck, ExportJob
from quizzes.services.anki_io import cards_export_anki, deck_export_apkg

KEPT_FOR = timedelta(days=1)
# An export this old and still unfinished is not waited for (a worker killed while it ran
# leaves its row "running"): asked again, the deck is exported afresh.
WAITED_FOR = timedelta(minutes=30)


def text_export_builds_in_request(*, deck: Deck) -> bool:
    """Whether the deck's text file is small enough to write within a request's time."""
    return deck.cards.count() <= settings.QUIZSITE_TEXT_EXPORT_IN_REQUEST_CARDS


def export_job_start(
    *, deck: Deck, created_by, kind: ExportJob.Kind = ExportJob.Kind.PACKAGE
) -> ExportJob:
    """Queue the deck's package or text file for the worker (deck_export_task), or give the
    export of it already waiting or running: asked again meanwhile (a second click, a
    colleague), the worker would build the same file twice."""
    from quizzes.tasks import deck_export_task

    export_jobs_prune()
    unfinished = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    recent = timezone.now() - WAITED_FOR
    pending = ExportJob.objects.filter(
        deck=deck, kind=kind, status__in=unfinished, created_at__gte=recent
    )
    if job := pending.first():
        return job
    job = ExportJob.objects.create(
        deck=deck, kind=kind, created_by=created_by, total=deck.cards.count()
    )
    deck_export_task.enqueue(job.pk)
    return job


def export_job_run(*, job_id: int) -> str:
    """Build a queued export's file, recording its progress on the job as it goes."""
    job = ExportJob.objects.select_related("deck").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return "gone" if job is None else job.status
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    folder = settings.QUIZSITE_EXPORTS_DIR
    # Named beyond guessing: the folder may be shared with other servers' processes.
    name = f"{job.pk}-{secrets.token_hex(8)}.{job.kind}"
    part = folder / f"{name}.part"
    notice = ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if job.kind == ExportJob.Kind.TEXT:
            notes, notice = _text_export_write(job, part)
            progress(job.total, job.total)
        else:
            notes = deck_export_apkg(deck=job.deck, path=part, progress=progress)
        os.replace(part, folder / name)
    except Exception as error:
        _job_finish(job, status=ExportJob.Status.FAILED, error=str(error) or type(error).__name__)
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise
    _job_finish(
        job,
        status=ExportJob.Status.DONE,
        file_name=name,
        notes=notes,
        notice=notice,
        byte_size=(folder / name).stat().st_size,
    )
    return f"{notes} notes"


def _text_export_write(job: ExportJob, path: Path) -> tuple[int, str]:
    """The deck as the admin's text export writes it, into `path`: its note count and its
    notice."""
    exported = cards_export_anki(cards=job.deck.cards.all(), deck_name=job.deck.name)
    path.write_bytes(exported.text.encode())  # as the download in a request sends it
    return exported.notes, exported.notice


def _job_finish(job: ExportJob, **fields) -> None:
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **fields)


def export_job_file(*, job: ExportJob) -> Path | None:
    """The finished file, while it is kept."""
    if job.status != ExportJob.Status.DONE or not job.file_name:
        return None
    path = settings.QUIZSITE_EXPORTS_DIR / job.file_name
    return path if path.is_file() else None


def export_jobs_prune(*, older_than: timedelta = KEPT_FOR) -> int:
    """Delete the exports started more than `older_than` ago, with their files, and any
    file of the folder as old that no export names any more (a deck deleted while its
    export ran, a build the worker was killed in)."""
    folder = settings.QUIZSITE_EXPORTS_DIR
    stale = ExportJob.objects.filter(created_at__lt=timezone.now() - older_than)
    for name in stale.exclude(file_name="").values_list("file_name", flat=True):
        (folder / name).unlink(missing_ok=True)
    if folder.is_dir():
        cutoff = (timezone.now() - older_than).timestamp()
        for path in folder.iterdir():
            with contextlib.suppress(OSError):
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
    return stale.delete()[0]
