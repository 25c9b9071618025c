"""An Anki import as staff see it: the uploaded file, what they chose in the preview, and,
once confirmed, its progress and its report (a background task does the work); and a big
deck's export, built by the worker too."""

from functools import cached_property

from django.conf import settings
from django.db import models


class DeckJob(models.Model):
    """Work on a deck the background worker does while staff watch a page: its progress,
    who asked and when, and why it failed. Each kind has its own Status, with DONE and
    FAILED among them."""

    total = models.PositiveIntegerField(default=0)  # cards to write
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class ImportJob(DeckJob):
    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    deck = models.ForeignKey("quizzes.Deck", on_delete=models.CASCADE, related_name="imports")
    upload = models.FileField(upload_to="imports/")
    source_name = models.CharField(max_length=255)
    # The separator and column mapping chosen in the preview (see importing.anki).
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    summary = models.CharField(max_length=200, blank=True)
    report = models.JSONField(default=list, blank=True)  # skipped and merged lines

    def __str__(self):
        return f"{self.source_name} into {self.deck}"


class ExportJob(DeckJob):
    """A deck's Anki package or text file too big to build inside a request (gunicorn gives
    one 30 s): the worker builds it into QUIZSITE_EXPORTS_DIR, outside the media folder the
    proxy serves, and the admin serves it to staff alone (services.deck_exports). It holds
    one deck, or several (`decks`: a branch of Anki's tree, decks ticked in the list), or
    cards ticked in the card list (`cards`); the decks or cards deleted since it was asked
    for are told by `chosen`, the count asked for."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        PACKAGE = "apkg", "an Anki package"
        TEXT = "txt", "an Anki text file"

    class Holds(models.TextChoices):
        DECK = "deck", "a deck"
        DECKS = "decks", "decks"
        CARDS = "cards", "cards"

    deck = models.ForeignKey(
        "quizzes.Deck", on_delete=models.CASCADE, related_name="exports", null=True, blank=True
    )
    decks = models.ManyToManyField("quizzes.Deck", blank=True, related_name="+")
    cards = models.ManyToManyField("quizzes.Card", blank=True, related_name="+")
    holds = models.CharField(max_length=5, choices=Holds.choices, default=Holds.DECK)
    chosen = models.PositiveIntegerField(default=0)  # decks or cards, as asked for
    # What it holds, said as it was asked for ("Medicine and 3 subdecks", "300 cards"): a
    # deck deleted since is still named.
    label = models.CharField(max_length=200, blank=True)
    file_stem = models.SlugField(max_length=100, blank=True)  # of the download's name
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.PACKAGE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    notes = models.PositiveIntegerField(default=0)  # in the finished file
    byte_size = models.PositiveBigIntegerField(default=0)
    file_name = models.CharField(max_length=100, blank=True)  # in QUIZSITE_EXPORTS_DIR
    # A text file's word on notes Anki imports only with their note type (AnkiTextExport).
    notice = models.TextField(blank=True)

    def __str__(self):
        return f"{self.subject} as {self.get_kind_display()}"

    @cached_property
    def subject(self) -> str:
        """What it holds as its pages say it: its deck named apart from another of its name
        as every page names it (Deck.label_among, by the decks' tree kept: one read of the
        cache, no query, once a job: its page names it four times), else its label."""
        if not self.deck_id:
            return self.label
        # Imported here: the services import the models.
        from quizzes.services.cards import tree_scopes_kept

        return self.deck.label_among(tree_scopes_kept().named_alike)

    @property
    def download_name(self) -> str:
        return f"{self.deck.slug if self.deck_id else self.file_stem}.{self.kind}"


class DeletedCard(models.Model):
    """A card staff deleted from a deck, by what its note said when it was last imported
    (a card made here: when it was deleted): importing a file whose note still says so
    does not make the card again (services.anki_io), even if staff had edited the card. A
    changed note brings it back, as a new card."""

    deck = models.ForeignKey("quizzes.Deck", on_delete=models.CASCADE, related_name="+")
    card_ord = models.PositiveSmallIntegerField()
    # anki_io.card_note_checksum: the note type and the card's two fields as stored.
    note_checksum = models.CharField(max_length=32)
    number = models.PositiveIntegerField()  # the number it had, for the report
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deck", "card_ord", "note_checksum"], name="deleted_card_unique"
            )
        ]

    def __str__(self):
        return f"card {self.number} of {self.deck_id}, deleted"
