"""The deck: decks of cards, their tags and the images their HTML shows.

Every model the fixtures carry has a natural key, so `loaddata` finds the row it already
holds and updates it instead of adding a second one; permalinks use the same keys.
"""

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeckManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("card_list", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


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


class CardManager(models.Manager):
    def get_by_natural_key(self, deck_slug, number):
        return self.get(deck__slug=deck_slug, number=number)


class Card(models.Model):
    deck = models.ForeignKey(Deck, on_delete=models.CASCADE, related_name="cards")
    number = models.PositiveIntegerField(help_text="The card's number in its source deck.")
    question_html = models.TextField()
    answer_html = models.TextField()
    # Plain text of the HTML above, kept in step on every save: search and multiple choice.
    question_text = models.TextField(blank=True, editable=False)
    answer_text = models.TextField(blank=True, editable=False)
    source_url = models.URLField(max_length=500, blank=True)
    # The Anki note id the card was imported from (or exported with), so re-importing a
    # file updates the card instead of adding it again. Blank for cards known by source_url.
    guid = models.CharField(max_length=100, blank=True, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="cards")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CardManager()

    class Meta:
        ordering = ["deck", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deck", "number"], name="card_number_unique_in_deck"),
            models.UniqueConstraint(
                fields=["deck", "guid"],
                condition=~models.Q(guid=""),
                name="card_guid_unique_in_deck",
            ),
        ]

    def __str__(self):
        return f"{self.deck.slug} #{self.number}"

    def get_absolute_url(self):
        return reverse("card_detail", args=[self.deck.slug, self.number])

    def natural_key(self):
        return (*self.deck.natural_key(), self.number)

    natural_key.dependencies = ["quizzes.deck"]

    @property
    def answer_is_image_only(self) -> bool:
        return not self.answer_text.strip() and "<img" in self.answer_html


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


# Fixtures describe the deck, not this site's local state. `loaddata` saves raw rows and
# skips auto_now fields, so on a reload these keep what the database already has: when a
# row was made, and whether its image has been fetched (the fixture always says "pending").
_LOCAL_STATE_FIELDS = {
    Deck: ("created_at",),
    Card: ("created_at",),
    CachedImage: (
        "file",
        "width",
        "height",
        "byte_size",
        "sha256",
        "content_type",
        "status",
        "last_error",
        "fetched_at",
    ),
}


@receiver(pre_save)
def keep_local_state_on_fixture_load(sender, instance, raw, **kwargs):
    if not raw or sender not in _LOCAL_STATE_FIELDS:
        return
    now = timezone.now()
    fields = _LOCAL_STATE_FIELDS[sender]
    current = sender.objects.filter(pk=instance.pk).values(*fields).first() if instance.pk else None
    if current:
        for name, value in current.items():
            setattr(instance, name, value)
    if hasattr(instance, "created_at") and instance.created_at is None:
        instance.created_at = now
    if hasattr(instance, "updated_at"):
        instance.updated_at = now
