"""The deck: decks of cards, their tags and the images their HTML shows.

Every model the deck fixtures carry has a natural key (the fixtures name rows by them, and
permalinks use the same keys).
"""

import secrets
from collections.abc import Collection
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.text import Truncator

from quizzes.addresses import remembered_reverse
from quizzes.importing.cardhtml import note_guid
from quizzes.wording import KEYWORD_MAX_LENGTH, AnswerKind

# Cards are drawn for quizzes in the order of a random key each card gets once (see
# services.attempts): an index range, whatever the size of the deck.
SHUFFLE_KEY_RANGE = 2**31
# A notice names a card by its deck, number and the start of its question: this much of
# each, so that it stays one line or two on a phone.
NAMED_DECK_LENGTH = 60
NAMED_QUESTION_WORDS = 6
NAMED_QUESTION_LENGTH = 40


def new_shuffle_key() -> int:
    return secrets.randbelow(SHUFFLE_KEY_RANGE)


def named_apart(name: str, slug: str, *, shared_name: bool) -> str:
    """A deck's name as every page shows it: "Biology", or where another deck bears that
    name (services.decks.name_key), "Biology (bio-b)" (its slug, as an export names it), so
    that the two read apart."""
    return f"{name} ({slug})" if shared_name else name


class DeckManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Deck(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    source_name = models.CharField(
        max_length=200, blank=True, help_text="The file the deck was imported from."
    )
    source_url = models.URLField(max_length=500, blank=True)
    # Card number -> checksum of the card as the deck fixture last gave it, so a newer
    # fixture updates only the cards nobody edited here (services.deck_sync).
    synced_cards = models.JSONField(default=dict, blank=True, editable=False)
    # The separator and column mapping of the last Anki import, offered again next time.
    import_settings = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeckManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("card_list", args=[self.slug])

    @property
    def source_label(self) -> str:
        """The source's address as a reader says it: "aiquizzes.com", "example.org/decks"."""
        address = urlsplit(self.source_url)
        host = address.netloc.removeprefix("www.")
        return f"{host}{address.path}".rstrip("/") or self.source_url

    def natural_key(self):
        return (self.slug,)

    def label_among(self, named_alike: Collection[int], *, name: str = "") -> str:
        """Its name (or `name`, the part of it a page shows) as every page shows it
        (named_apart), `named_alike` being the decks that bear another deck's name
        (services.decks.TreeScopes, kept: no query)."""
        return named_apart(name or self.name, self.slug, shared_name=self.pk in named_alike)


class FormerDeckSlug(models.Model):
    """An address a deck had before staff changed its slug: links learners kept (and the
    deck fixture, which names a deck by slug) still find the deck (services.decks)."""

    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="former_slugs")
    slug = models.SlugField(max_length=100, unique=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self):
        return self.slug


class TagManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    objects = TagManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


def askable_fields(mode: str) -> dict[str, tuple[str, object]]:
    """The rule of engine.left_out_reason on the fields services.card_pages stores: the
    cards a quiz in `mode` can ask are those whose every field named here compares to its
    value as its operator says ("=" or "<>")."""
    fields = {"question_needs_missing_image": ("=", False)}
    if mode == "typed":
        fields |= {"quiz_typed_answer": ("<>", "")}
    if mode == "multiple_choice":
        # A card's choice kind is "" exactly when it has no choice (services.card_pages),
        # which a cloze card never has: one short column, which the card_askable index
        # holds, so the decks' counts read that index alone (at 100,000 cards 0.04 s, where
        # reading each card's row for its choice took 0.3).
        fields |= {"choice_kind": ("<>", "")}
    return fields


def askable(mode: str, *, prefix: str = "") -> models.Q:
    """The cards a quiz in `mode` can ask (askable_fields), as a condition (on `prefix`ed
    fields, e.g. "cards__" from a deck)."""
    condition = models.Q()
    for name, (operator, value) in askable_fields(mode).items():
        equal = models.Q(**{f"{prefix}{name}": value})
        condition &= equal if operator == "=" else ~equal
    return condition


class CardQuerySet(models.QuerySet):
    def choices(self):
        """Cards whose answer can be offered as a choice (services.card_pages decides)."""
        return self.exclude(choice_html="")

    def askable(self, mode: str):
        return self.filter(askable(mode))

    def with_sibling_count(self):
        """Each card with `sibling_count`: the other cards of its Anki note (a reversed
        card, the other clozes), which share its deck and guid."""
        siblings = (
            Card.objects.filter(deck=models.OuterRef("deck"), guid=models.OuterRef("guid"))
            .exclude(pk=models.OuterRef("pk"))
            .exclude(guid="")
            .order_by()
            .values("deck")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(sibling_count=Coalesce(models.Subquery(siblings), 0))


class CardManager(models.Manager.from_queryset(CardQuerySet)):
    def get_by_natural_key(self, deck_slug, number):
        return self.get(deck__slug=deck_slug, number=number)


ROLLED_UP_STATISTICS = (
    "stats_answered",
    "stats_correct",
    "stats_percent_correct",
    "stats_average_elapsed",
)


class Card(models.Model):
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="cards")
    number = models.PositiveIntegerField(help_text="The card's number in its source deck.")
    question_html = models.TextField()
    answer_html = models.TextField()
    # Plain text of the HTML above, kept in step on every save: search and multiple choice.
    question_text = models.TextField(blank=True, editable=False)
    answer_text = models.TextField(blank=True, editable=False)
    # The HTML above made page-ready (each image its local copy or a placeholder), when the
    # card or one of its images is saved: services.card_pages. Pages show these.
    question_rendered = models.TextField(blank=True, editable=False)
    answer_rendered = models.TextField(blank=True, editable=False)
    # What a learner reads of the card's images (alt texts, titles: rendering.image_text),
    # which the HTML's plain text leaves out: search finds a card by it.
    image_text = models.TextField(blank=True, editable=False)
    # What a multiple choice shows instead of the answer, when an editor wrote one (the
    # answer itself still shows in the feedback).
    short_answer_html = models.TextField(
        "short answer",
        blank=True,
        help_text="Optional: what a multiple choice offers instead of the whole answer, "
        "which still shows after answering. Same HTML as the sides.",
    )
    # The answer as a multiple choice offers it, page-ready (the short answer, else the
    # answer without its echo of the question); "" when it cannot be a choice. With its
    # plain text, kind and the card's topic words: services.card_pages, at every save.
    choice_html = models.TextField(blank=True, editable=False)
    choice_text = models.TextField(blank=True, editable=False)
    choice_kind = models.CharField(
        max_length=10,
        choices=[(kind.value, kind.value) for kind in AnswerKind],
        blank=True,
        editable=False,
    )
    keywords = models.CharField(max_length=400, blank=True, editable=False)
    # The choice's words as a player who knows nothing compares them, as written and stemmed
    # (wording.choice_words): a quiz start reads them instead of working them out.
    choice_words = models.TextField(blank=True, editable=False)
    choice_stems = models.TextField(blank=True, editable=False)
    # How many of the words that speak to the reader the choice says (wording.reader_words):
    # worked out at save, as a quiz start weighs hundreds of answers by it at 100,000 cards.
    choice_voice = models.PositiveSmallIntegerField(default=0, editable=False)
    # Its wrong answers as the worker chose them (services.attempts.choices_settle), so that
    # a quiz start reads them instead of looking candidates up and weighing them: the rules'
    # version and a digest of the question and choice they were chosen for, then each
    # choice as the id of the card whose answer it is, or card:distractor for a hand-written
    # one. "" until chosen.
    steady_choices = models.TextField(blank=True, default="", editable=False)
    question_needs_missing_image = models.BooleanField(default=False, editable=False)
    # What a "type in the answer" card (Anki's `{{type:Back}}`, `{{type:cloze:Text}}`) asks
    # the learner to type, plain text as Anki compares it; "" for a card that asks none.
    typed_answer = models.TextField(
        "typed answer",
        blank=True,
        help_text="Optional: plain text the learner types to answer (as Anki's \"type in the "
        'answer" cards ask), compared with what they type. HTML is stripped.',
    )
    # What a "Type the answer" quiz asks typed (typed_answers.quiz_typed_answer): the typed
    # answer, else a short term or code; "" where the quiz cannot ask the card.
    quiz_typed_answer = models.TextField(blank=True, editable=False)
    # Anki's `{{type:nc:Back}}`: accents and other combining characters need not be typed.
    typed_answer_ignores_accents = models.BooleanField(
        "accents optional when typed",
        default=False,
        help_text='As Anki\'s {{type:nc:...}}: "cafe" types "café".',
    )
    shuffle_key = models.IntegerField(default=new_shuffle_key, editable=False)
    source_url = models.URLField(max_length=500, blank=True)
    # The Anki note id the card was imported from (or exported with), so re-importing a
    # file updates the card instead of adding it again. Blank for cards known by source_url.
    guid = models.CharField(max_length=100, blank=True, editable=False)
    # Anki makes several cards of some notes (a reversed card, one per cloze number): they
    # share the note's guid and differ in their ordinal, as in Anki.
    card_ord = models.PositiveSmallIntegerField(default=0, editable=False)
    note_type = models.CharField(
        max_length=100, default="Basic", editable=False, help_text="The Anki note type."
    )
    # A cloze card keeps its note's text with the {{c1::...}} markup as its question HTML and
    # the Back Extra as its answer; quizzes play it as a flashcard, never multiple choice.
    is_cloze = models.BooleanField(default=False, editable=False)
    # services.anki_io.card_note_checksum of the card as the last import wrote it: a card
    # whose content no longer has it was edited here. Blank for a card made here, or last
    # imported before it was kept.
    imported_checksum = models.CharField(max_length=32, blank=True, editable=False)
    # The note's first field (the question; a reverse card's answer) as the last import wrote
    # it: a file without guids finds the card by it after staff reworded the card here and
    # the file changed the note's other field, and each side can go to whoever changed it.
    imported_first_field = models.TextField(blank=True, editable=False)
    # The tags the last import gave it, one a line: what staff changed here since, and what
    # a newer file changes, can both be kept.
    imported_tags = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="cards")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # How learners did, rolled up from their answers (services.card_statistics, at each
    # load of the admin's card list): its sorts read them through indexes (migration 0036).
    stats_answered = models.PositiveIntegerField(default=0, editable=False)
    stats_correct = models.PositiveIntegerField(default=0, editable=False)
    stats_percent_correct = models.FloatField(null=True, editable=False)
    stats_average_elapsed = models.DurationField(null=True, editable=False)

    objects = CardManager()

    class Meta:
        ordering = ["deck", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deck", "number"], name="card_number_unique_in_deck"),
            models.UniqueConstraint(
                fields=["deck", "guid", "card_ord"],
                condition=~models.Q(guid=""),
                name="card_guid_unique_in_deck",
            ),
        ]
        indexes = [
            models.Index(fields=["deck", "shuffle_key"], name="card_draw"),
            models.Index(fields=["deck", "choice_kind", "shuffle_key"], name="card_draw_by_kind"),
            # What askable() reads: counting a deck's cards a quiz can ask reads this alone.
            models.Index(
                fields=["deck", "question_needs_missing_image", "choice_kind"], name="card_askable"
            ),
        ]

    def __str__(self):
        return f"{self.deck.slug} #{self.number}"

    def save(self, *args, **kwargs):
        # The statistics are the roll-up's to write: a card read before a roll-up and saved
        # after it (an editor's form) would put back the older numbers, until its next answer.
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in ROLLED_UP_STATISTICS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # Reversed once per process: a result page links each of its questions' cards, a
        # quiz's feedback its question's.
        return remembered_reverse("card_detail", self.deck.slug, self.number)

    def natural_key(self):
        return (*self.deck.natural_key(), self.number)

    natural_key.dependencies = ["quizzes.deck"]

    def note_cards(self) -> CardQuerySet:
        """This card and its siblings, the other cards of its Anki note (as
        CardQuerySet.with_sibling_count counts them); the card alone without a guid."""
        if not self.guid:
            return Card.objects.filter(pk=self.pk)
        return Card.objects.filter(deck_id=self.deck_id, guid=self.guid)

    @property
    def named(self) -> str:
        """The card as a notice names it (named_among), its deck named apart from another
        of its name by the decks' tree kept (services.cards.tree_scopes_kept: one read of
        the cache, no query)."""
        # Imported here: the services import the models.
        from quizzes.services.cards import tree_scopes_kept

        return self.named_among(tree_scopes_kept().named_alike)

    def named_among(self, named_alike: Collection[int]) -> str:
        """The card as a notice names it, so that a learner studying many decks knows which
        card it was (as Anki's undo says what it takes back): its number, its deck and the
        start of its question, as the pages say a card ("Card 7 of …"): 'Card 7 of
        Medicine::Cardiology::Drugs (“Which drug slows…”)', and 'Card 7 of Biology (bio-b)
        (…)' beside another deck Biology (`named_alike`, Deck.label_among).
        A deck name too long keeps its last parts ('…::Drugs'). Plain text: a page escapes it."""
        deck = self.named_deck_among(named_alike)
        start = self.named_question_start()
        if not start:
            return f"Card {self.number} of {deck}"
        return f"Card {self.number} of {deck} (“{start}”)"

    def named_deck_among(self, named_alike: Collection[int]) -> str:
        """Its deck as `named_among` says it."""
        parts = self.deck.name.split("::")
        while len(parts) > 1 and len("::".join(parts)) > NAMED_DECK_LENGTH - 3:
            parts.pop(0)
        deck = "::".join(parts)
        if deck != self.deck.name:
            deck = f"…::{deck}"
        # A name of one part too long for a notice is cut like a question.
        deck = Truncator(deck).chars(NAMED_DECK_LENGTH, truncate="…")
        return self.deck.label_among(named_alike, name=deck)

    def named_question_start(self) -> str:
        """The start of its question as `named_among` quotes it ("" for none)."""
        question = " ".join(self.question_text.split())
        if not question:
            return ""
        start = Truncator(question).words(NAMED_QUESTION_WORDS, truncate="…")
        return Truncator(start).chars(NAMED_QUESTION_LENGTH, truncate="…")

    @property
    def answer_is_image_only(self) -> bool:
        return not self.answer_text.strip() and "<img" in self.answer_html

    @property
    def keyword_list(self) -> list[str]:
        return self.keywords.split()

    @property
    def anki_guid(self) -> str:
        """The stored guid, else the one an Anki file without a guid column gives the card."""
        return self.guid or note_guid(
            source_url=self.source_url,
            question_html=self.question_html,
            answer_html=self.answer_html,
        )


class CardKeyword(models.Model):
    """One of a card's topic words (wording.keywords), so that a quiz finds the cards about
    the same things as a question with an index lookup, whatever the size of the deck."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="keyword_rows")
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=KEYWORD_MAX_LENGTH)
    # The card's, copied: the lookup walks one word's cards from a random place.
    shuffle_key = models.IntegerField()

    class Meta:
        # With the card: a lookup reads the index alone.
        indexes = [
            models.Index(fields=["deck", "word", "shuffle_key", "card"], name="keyword_lookup")
        ]

    def __str__(self):
        return f"{self.word} ({self.card_id})"


class Distractor(models.Model):
    """A wrong answer an editor wrote for a card's multiple choice."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="distractors")
    html = models.TextField(
        "wrong answer", help_text="Same HTML as the card's sides, sanitized the same way."
    )
    # Made from `html` at every save, like the card's own choice (services.card_pages).
    text = models.TextField(blank=True, editable=False)
    choice_html = models.TextField(blank=True, editable=False)
    # Its words as written and stemmed, as the card's own choice_words and choice_stems.
    words = models.TextField(blank=True, editable=False)
    stems = models.TextField(blank=True, editable=False)
    # How many quizzes offered it; AttemptQuestion.chosen_distractor counts the picks.
    times_offered = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["card", "pk"]

    def __str__(self):
        return self.text[:60] or f"Distractor {self.pk}"


class CachedImageManager(models.Manager):
    def get_by_natural_key(self, url):
        return self.get(url=url)


class CachedImage(models.Model):
    """An image a card shows, by its original URL, and the local copy once fetched."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CACHED = "cached", "Cached"
        FAILED = "failed", "Failed"

    url = models.URLField(max_length=500, unique=True)
    # Width and height are filled from Pillow's verification, not by ImageField, which
    # would reopen the file whenever the field is assigned.
    file = models.ImageField(upload_to="images/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    byte_size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    last_error = models.TextField(blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    objects = CachedImageManager()

    class Meta:
        ordering = ["url"]

    def __str__(self):
        return self.url.rsplit("/", 1)[-1] or self.url

    def natural_key(self):
        return (self.url,)

    @property
    def is_cached(self) -> bool:
        return self.status == self.Status.CACHED and bool(self.file)


class MediaFile(models.Model):
    """A sound an Anki package brought, by its name in the package (`[sound:name]`), stored
    by content hash like the images."""

    name = models.CharField(max_length=255, unique=True)
    file = models.FileField(upload_to="sounds/")
    byte_size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CardImageManager(models.Manager):
    def get_by_natural_key(self, deck_slug, number, side, position):
        return self.get(
            card__deck__slug=deck_slug, card__number=number, side=side, position=position
        )


class CardImage(models.Model):
    """Where a card shows an image: the side and the order; the <img> stays in the HTML."""

    class Side(models.TextChoices):
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="card_images")
    image = models.ForeignKey(CachedImage, on_delete=models.PROTECT, related_name="card_images")
    side = models.CharField(max_length=10, choices=Side.choices)
    position = models.PositiveSmallIntegerField(help_text="0 for the side's first image.")

    objects = CardImageManager()

    class Meta:
        ordering = ["card", "side", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "side", "position"], name="card_image_place_unique"
            )
        ]

    def __str__(self):
        return f"{self.card} {self.side} image {self.position + 1}"

    def natural_key(self):
        return (*self.card.natural_key(), self.side, self.position)

    natural_key.dependencies = ["quizzes.card", "quizzes.cachedimage"]


class ProblemReport(models.Model):
    """A learner's report that a card is wrong, unclear or broken."""

    class Kind(models.TextChoices):
        WRONG_ANSWER = "wrong_answer", "The answer is wrong"
        UNCLEAR = "unclear", "The question or answer is unclear"
        BROKEN_IMAGE = "broken_image", "An image is missing or broken"
        OTHER = "other", "Something else"

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["card", "resolved_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.card}"
