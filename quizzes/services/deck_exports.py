"""Staff's export of a deck, of several (a branch of Anki's tree: "Medicine" and every
"Medicine::..." deck), or of cards ticked in the card list, as an Anki package or text file.
A small one is built in the request; a big one (30,000 cards with their images take longer
than gunicorn's 30 s, and their text 5 s, holding a web worker that long) by the background
worker, as an ExportJob whose progress the admin shows and whose file it serves, to staff
alone, for a day."""

import contextlib
import os
import secrets
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.template.defaultfilters import pluralize
from django.utils import timezone

from quizzes.models import CachedImage, Card, Deck, ExportJob
from quizzes.services.anki_io import (
    ANKI_DECK_SEPARATOR,
    NOTE_ORDER,
    cards_export_anki,
    cards_export_apkg,
    notes_grouped,
    package_notice,
)
from quizzes.services.cards import tree_scopes_kept

KEPT_FOR = timedelta(days=1)
# An export this old and still unfinished is not waited for (a worker killed while it ran
# leaves its row "running"): asked again, the deck is exported afresh.
WAITED_FOR = timedelta(minutes=30)


# A package is built in memory (its pictures read whole): a request builds one of at most
# this many bytes of pictures, and the worker the bigger ones.
IN_REQUEST_IMAGE_BYTES = 32 * 1024 * 1024


def cards_text_builds_in_request(*, cards: QuerySet[Card]) -> bool:
    """Whether the cards' text file is small enough to write within a request's time."""
    return _count(cards) <= settings.QUIZSITE_TEXT_EXPORT_IN_REQUEST_CARDS


def cards_package_builds_in_request(*, cards: QuerySet[Card]) -> bool:
    """Whether the cards' package is small enough to build within a request's time."""
    if _count(cards) > settings.QUIZSITE_PACKAGE_IN_REQUEST_CARDS:
        return False
    images = CachedImage.objects.filter(
        card_images__card__in=cards.values("pk"), status=CachedImage.Status.CACHED
    ).distinct()
    image_bytes = images.aggregate(total=Sum("byte_size"))["total"] or 0
    return image_bytes <= IN_REQUEST_IMAGE_BYTES


def whole_notes(*, cards: QuerySet[Card]) -> tuple[QuerySet[Card], str]:
    """`cards` with the other cards of their notes, as Anki's "Export notes" takes each note
    ticked whole (a reversed note's two cards, a cloze's every number: a note written with
    one of them would come back as another note), and what to tell of the cards that came
    so. A note's cards may sit in several decks (a reverse card moved apart): a card of its
    guid in another deck is its sibling when no card ticked has its number, unless the
    export would leave it out as a copy of the note (the same Anki note imported into two
    decks, anki_io.notes_grouped): what this gives is what the export writes, and the
    copies it names are cards ticked. Two queries."""
    chosen = Card.objects.filter(pk__in=cards.values("pk"))
    of_the_guid = chosen.filter(guid=OuterRef("guid"))
    siblings = Card.objects.filter(~Q(guid=""), guid__in=chosen.values("guid")).filter(
        Exists(of_the_guid.filter(deck_id=OuterRef("deck_id")))
        | ~Exists(of_the_guid.filter(card_ord=OuterRef("card_ord")))
    )
    whole = Card.objects.filter(Q(pk__in=chosen.values("pk")) | Q(pk__in=siblings.values("pk")))
    ticked = set(chosen.values_list("pk", flat=True))
    rows = whole.only("deck_id", "guid", "card_ord", "source_url").order_by(*NOTE_ORDER)
    kept, copies = _copies_not_ticked_left_out(list(rows), ticked)
    if copies:
        whole = whole.exclude(pk__in=copies)
    added = len(kept) - len(ticked)
    if not added:
        return whole, ""
    notice = (
        f"{added} card{pluralize(added)} not ticked came with the notes of cards ticked "
        "(a reverse card, another cloze number): Anki exports a note with all its cards"
    )
    return whole, notice


def _copies_not_ticked_left_out(rows: list[Card], ticked: set[int]) -> tuple[list[Card], set[int]]:
    """`rows` without the cards not ticked that the export would leave out as copies, and
    those. Again until none is: without them, a deck's ticked cards may join the note and
    make another deck's cards a copy."""
    copies: set[int] = set()
    while left_out := {
        card.pk
        for _, copies_of_note in notes_grouped(rows)
        for copy in copies_of_note
        for card in copy
        if card.pk not in ticked
    }:
        copies |= left_out
        rows = [card for card in rows if card.pk not in left_out]
    return rows, copies


def _count(cards: QuerySet[Card]) -> int:
    """How many cards, each once: a query through tags (or a card chosen twice, by a list
    and a search) names a card as often as it matches. By id: the admin list's cards work
    out statistics for each."""
    return Card.objects.filter(pk__in=cards.values("pk")).count()


def deck_branches(*, decks: QuerySet[Deck]) -> list[Deck]:
    """`decks` with every deck below them in Anki's tree, by name ("Medicine::Cardiology"
    below "Medicine"), as Anki's export of a deck takes its subdecks, in the tree's order.
    Anki's deck names ignore case; so does this. Two queries."""
    names = list(decks.values_list("name", flat=True))
    below = Q()
    for name in names:
        below |= Q(name__istartswith=f"{name}{ANKI_DECK_SEPARATOR}")
    found = Deck.objects.filter(Q(pk__in=decks.values("pk")) | below)
    return sorted(found, key=lambda deck: deck.name.casefold().split(ANKI_DECK_SEPARATOR))


def decks_label(decks: list[Deck], named_alike: Collection[int] = ()) -> str:
    """Decks as an export names them: "Medicine", "Medicine and its 3 subdecks", "Biology,
    Medicine and 2 more decks"; a deck another bears the name of with its slug, "Biology
    (bio-b) and its 2 subdecks", as every page names it (Deck.label_among, `named_alike`
    being the decks' tree's)."""
    tops = [deck for deck in decks if not _has_parent_in(deck, decks)]
    others = len(decks) - len(tops)
    if len(tops) == 1:
        label = tops[0].label_among(named_alike)
        return f"{label} and its {others} subdeck{pluralize(others)}" if others else label
    named = ", ".join(deck.label_among(named_alike) for deck in tops[:3])
    more = len(decks) - min(3, len(tops))
    return f"{named} and {more} more deck{pluralize(more)}" if more else named


def _has_parent_in(deck: Deck, decks: list[Deck]) -> bool:
    name = deck.name.casefold()
    return any(name.startswith(f"{other.name.casefold()}{ANKI_DECK_SEPARATOR}") for other in decks)


def decks_export_job_start(
    *, decks: list[Deck], created_by, kind: ExportJob.Kind = ExportJob.Kind.PACKAGE
) -> ExportJob:
    """Queue several decks' package or text file for the worker: each Anki deck stays a
    deck of its own in it. Asked again before it is built, the same decks are the export
    already waiting or running, as one deck's are (export_job_start)."""
    wanted = {deck.pk for deck in decks}
    pending = _pending(kind).filter(holds=ExportJob.Holds.DECKS, chosen=len(decks))
    for job in pending.prefetch_related("decks"):
        if {deck.pk for deck in job.decks.all()} == wanted:
            return job
    return _job_create(
        holds=ExportJob.Holds.DECKS,
        kind=kind,
        created_by=created_by,
        chosen=len(decks),
        label=decks_label(decks, tree_scopes_kept().named_alike)[:200],
        file_stem=decks_file_stem(decks),
        total=Card.objects.filter(deck__in=decks).count(),
        attach=lambda job: job.decks.set(decks),
    )


def decks_file_stem(decks: list[Deck]) -> str:
    """The export's file name, without its suffix: a branch's top deck's slug, else "decks"."""
    tops = [deck for deck in decks if not _has_parent_in(deck, decks)]
    return tops[0].slug if len(tops) == 1 else "decks"


def cards_export_job_start(
    *, cards: QuerySet[Card], created_by, kind: ExportJob.Kind = ExportJob.Kind.PACKAGE
) -> ExportJob:
    """Queue the package or text file of cards ticked in the card list (or of all the cards
    its filter matched) for the worker. The cards are kept on the job by one INSERT ...
    SELECT, so that 30,000 of them cost the request no more queries than 3."""
    count = _count(cards)
    return _job_create(
        holds=ExportJob.Holds.CARDS,
        kind=kind,
        created_by=created_by,
        chosen=count,
        label=f"{count} card{pluralize(count)}",
        file_stem="cards",
        total=count,
        attach=lambda job: _cards_attach(job, cards),
    )


def _job_create(*, attach, **fields) -> ExportJob:
    from quizzes.tasks import deck_export_task

    export_jobs_prune()
    with transaction.atomic():
        job = ExportJob.objects.create(**fields)
        attach(job)
    deck_export_task.enqueue(job.pk)
    return job


def _cards_attach(job: ExportJob, cards: QuerySet[Card]) -> None:
    through = ExportJob.cards.through
    # The cards by id: the list's own query may filter on statistics or join tags.
    by_id = Card.objects.filter(pk__in=cards.values("pk")).values("pk").order_by()
    chosen, params = by_id.query.sql_with_params()
    table, job_column, card_column = (
        connection.ops.quote_name(name)
        for name in (
            through._meta.db_table,
            through._meta.get_field("exportjob").column,
            through._meta.get_field("card").column,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({job_column}, {card_column}) "
            f"SELECT %s, chosen.* FROM ({chosen}) chosen",
            [job.pk, *params],
        )


def export_job_start(
    *, deck: Deck, created_by, kind: ExportJob.Kind = ExportJob.Kind.PACKAGE
) -> ExportJob:
    """Queue the deck's package or text file for the worker (deck_export_task), or give the
    export of it already waiting or running: asked again meanwhile (a second click, a
    colleague), the worker would build the same file twice."""
    from quizzes.tasks import deck_export_task

    export_jobs_prune()
    if job := _pending(kind).filter(deck=deck).first():
        return job
    job = ExportJob.objects.create(
        deck=deck, kind=kind, created_by=created_by, total=deck.cards.count()
    )
    deck_export_task.enqueue(job.pk)
    return job


def _pending(kind: ExportJob.Kind) -> QuerySet[ExportJob]:
    """The exports of `kind` waiting or running, but for those left behind by a killed
    worker."""
    unfinished = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    recent = timezone.now() - WAITED_FOR
    return ExportJob.objects.filter(kind=kind, status__in=unfinished, created_at__gte=recent)


def export_job_run(*, job_id: int) -> str:
    """Build a queued export's file, recording its progress on the job as it goes."""
    job = ExportJob.objects.select_related("deck").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return "gone" if job is None else job.status
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    cards, gone = _job_cards(job)
    if gone == job.chosen and job.chosen:
        what = "deck" if job.holds == ExportJob.Holds.DECKS else "card"
        error = (
            f"Every {what} of this export ({job.label}) was deleted after it was asked for: "
            "there is nothing left to export."
        )
        _job_finish(job, status=ExportJob.Status.FAILED, error=error)
        return "nothing left"
    deleted, whole = _deleted_notice(job, gone), ""
    if job.holds == ExportJob.Holds.CARDS:
        cards, whole = whole_notes(cards=cards)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done, total=total)

    folder = settings.QUIZSITE_EXPORTS_DIR
    # Named beyond guessing: the folder may be shared with other servers' processes.
    name = f"{job.pk}-{secrets.token_hex(8)}.{job.kind}"
    part = folder / f"{name}.part"
    notice = ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        deck_name = job.deck.name if job.deck_id else None
        if job.kind == ExportJob.Kind.TEXT:
            exported = cards_export_anki(cards=cards, deck_name=deck_name)
            part.write_bytes(exported.text.encode())  # as the download in a request sends it
            notes, notice = exported.notes, exported.notice
            progress(job.total, job.total)
        else:
            copies: list[Card] = []
            notes = cards_export_apkg(
                cards=cards, path=part, progress=progress, deck_name=deck_name, copies=copies
            )
            notice = package_notice(cards=cards, copies=copies)
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
        notice="; ".join(filter(None, [deleted, whole, notice])),
        byte_size=(folder / name).stat().st_size,
    )
    return f"{notes} notes"


def _deleted_notice(job: ExportJob, gone: int) -> str:
    if not gone:
        return ""
    what = "deck" if job.holds == ExportJob.Holds.DECKS else "card"
    return (
        f"{gone} of the {job.chosen} {what}s chosen {pluralize(gone, 'was,were')} deleted "
        "after the export was asked for: the file holds the others"
    )


def _job_cards(job: ExportJob) -> tuple[QuerySet[Card], int]:
    """The job's cards as they are now, and how many of the decks or cards it was asked for
    were deleted since (a deck's own job goes with its deck)."""
    if job.holds == ExportJob.Holds.DECK:
        return job.deck.cards.all(), 0
    if job.holds == ExportJob.Holds.DECKS:
        decks = job.decks.all()
        return Card.objects.filter(deck__in=decks), job.chosen - decks.count()
    cards = Card.objects.filter(pk__in=job.cards.values("pk"))
    return cards, job.chosen - job.cards.count()


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
