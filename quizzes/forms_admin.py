"""Forms of the admin: card editing, image uploads and the Anki import."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from quizzes.forms import NameLooksItsOwn
from quizzes.imagefetch import ImageRejected, VerifiedImage
from quizzes.importing.anki import SEPARATORS, ColumnMapping
from quizzes.importing.cardhtml import CardHtmlError, fragment_html
from quizzes.models import CachedImage, Card, CardImage, Deck, Distractor, ProblemReport, Tag
from quizzes.services.anki_io import ImportTooLarge, anki_import_check_size
from quizzes.services.card_editing import card_content_from_form, card_version, card_version_now
from quizzes.services.card_pages import distractor_render
from quizzes.services.cards import tree_scopes_kept
from quizzes.services.decks import deck_slug_taken_before
from quizzes.services.images import image_store_upload, image_upload_verify
from quizzes.services.reports import reports_resolve
from quizzes.typed_answers import TYPED_ANSWER_MAX_LENGTH, typed_answer_text

IMPORT_SUFFIXES = (".txt", ".csv", ".tsv", ".apkg", ".colpkg")
# What to do with a file Anki users often have instead of an export.
_OTHER_FILES = {
    ".zip": (
        "a package a browser or a mail app saved as .zip (Safari does) is still one: rename "
        "it to end in .apkg"
    ),
    ".anki2": "that is an Anki collection itself: export the deck from Anki as an .apkg",
    ".anki21": "that is an Anki collection itself: export the deck from Anki as an .apkg",
    ".anki21b": "that is an Anki collection itself: export the deck from Anki as an .apkg",
    ".anki": "that is an Anki 1 deck: open it in Anki and export it as an .apkg",
    ".xlsx": "save the spreadsheet as CSV first",
    ".ods": "save the spreadsheet as CSV first",
}


def _name_decks_apart(field: forms.ModelChoiceField) -> None:
    """Of two decks "Biology", staff pick the one they mean, named as the pages name it
    (Deck.label_among), by the decks' tree kept: one read of the cache, no query per deck."""
    named_alike = tree_scopes_kept().named_alike
    field.label_from_instance = lambda deck: deck.label_among(named_alike)


class CardAdminForm(forms.ModelForm):
    """Both sides are made storable in `clean`, once: the content it keeps is what
    `card_save_from_admin` stores."""

    source_url = forms.URLField(max_length=500, required=False, assume_scheme="https")
    # The card as this form was opened (card_version): a save over somebody else's change
    # made meanwhile is stopped and said, instead of silently undoing it.
    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Card
        fields = [
            "deck",
            "number",
            "question_html",
            "answer_html",
            "short_answer_html",
            "typed_answer",
            "typed_answer_ignores_accents",
            "source_url",
            "tags",
        ]
        widgets = {
            "question_html": forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField"}),
            "answer_html": forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField"}),
            "short_answer_html": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "typed_answer": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "deck" in self.fields:
            _name_decks_apart(self.fields["deck"])
        if self.instance.is_cloze and "question_html" in self.fields:
            # A cloze card keeps its note's fields: the text with its deletions, and Back Extra.
            text = self.fields["question_html"]
            text.label = "Text"
            text.help_text = (
                "The cloze note's text: {{c1::answer}} or {{c1::answer::hint}} for each deletion;"
                f" this card is c{self.instance.card_ord + 1}."
            )
            self.fields["answer_html"].label = "Back Extra"
            self.fields["answer_html"].help_text = "Shown below the filled-in text; may be empty."
            self.fields["answer_html"].required = False
        if self.instance.pk and not self.is_bound:  # a posted form carries its own
            self.fields["opened_version"].initial = card_version(self.instance)

    def clean_typed_answer(self):
        """Plain text, as Anki compares it: markup pasted in is stripped, never stored."""
        typed = typed_answer_text(self.cleaned_data["typed_answer"])
        if len(typed) > TYPED_ANSWER_MAX_LENGTH:
            raise forms.ValidationError(
                f"A typed answer is at most {TYPED_ANSWER_MAX_LENGTH} characters: nobody types "
                "more into one box (a long answer is for a flashcard)."
            )
        return typed

    def clean_short_answer_html(self):
        """Through the same allow-list and repairs as the sides; blank when it shows nothing."""
        try:
            return fragment_html(self.cleaned_data["short_answer_html"])
        except CardHtmlError as error:
            raise forms.ValidationError(f"This short answer cannot be saved: {error}.") from None

    def clean(self):
        cleaned = super().clean()
        self._check_nobody_saved_meanwhile()
        if "question_html" in cleaned and "answer_html" in cleaned:
            try:
                self.content = card_content_from_form(
                    question_html=cleaned["question_html"],
                    answer_html=cleaned["answer_html"],
                    cloze=self.instance.card_ord + 1 if self.instance.is_cloze else None,
                )
            except CardHtmlError as error:
                raise forms.ValidationError(f"This card cannot be saved: {error}.") from None
            cleaned["question_html"] = self.content.question_html
            cleaned["answer_html"] = self.content.answer_html
        return cleaned

    def _check_nobody_saved_meanwhile(self) -> None:
        if not self.instance.pk:
            return
        now = card_version_now(self.instance.pk)
        if self.cleaned_data.get("opened_version") == now:
            return
        # Saving again is then a choice made knowingly: it keeps this form's version.
        self.data = self.data.copy()
        self.data[self.add_prefix("opened_version")] = now
        self.add_error(
            None,
            "This card was changed since you opened it, by somebody else or an import (its "
            "History says who). Nothing is saved yet and your edits are still below: open "
            "the card in another tab to compare, then Save again to replace that change "
            "with yours.",
        )


def _verified_upload(upload) -> "_Upload":
    """The uploaded bytes, after the checks a downloaded image passes."""
    data = upload.read(settings.QUIZSITE_IMAGE_MAX_BYTES + 1)
    try:
        verified = image_upload_verify(data=data, declared_content_type=upload.content_type)
    except ImageRejected as rejection:
        raise forms.ValidationError(f"Not accepted: {rejection.reason}.") from None
    return _Upload(data, verified)


class CachedImageAdminForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    upload = forms.FileField(
        required=False,
        help_text="A PNG, JPEG, GIF, WebP or SVG file to serve instead of downloading the URL.",
    )

    class Meta:
        model = CachedImage
        fields = ["url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Cards name an image by its URL in their HTML: changed here, they would point
            # at a row that no longer says what they say.
            self.fields["url"].disabled = True
            self.fields["url"].help_text = "The URL the cards' HTML names; it cannot change."

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        return upload and _verified_upload(upload)

    def store_upload(self, image: CachedImage) -> None:
        upload = self.cleaned_data.get("upload")
        if upload:
            image_store_upload(image=image, data=upload.data, verified=upload.verified)


@dataclass(frozen=True)
class _Upload:
    """A verified upload kept as bytes: the file object can be read only once."""

    data: bytes
    verified: VerifiedImage


class CardImageInlineForm(forms.ModelForm):
    """A card's image with an upload that replaces its local copy; the rows themselves
    follow the card's HTML, so nothing else here is editable."""

    # A tabular inline labels its columns in the header, not each field: the field says
    # its own name to a screen reader.
    upload = forms.FileField(
        required=False,
        label="Upload / replace",
        widget=forms.ClearableFileInput(attrs={"aria-label": "Upload a file for this image"}),
    )

    class Meta:
        model = CardImage
        fields = []

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        return upload and _verified_upload(upload)

    def save(self, commit=True):
        upload = self.cleaned_data.get("upload")
        if upload and commit:
            image_store_upload(
                image=self.instance.image, data=upload.data, verified=upload.verified
            )
        return self.instance


class DistractorInlineForm(forms.ModelForm):
    """A hand-written wrong answer: sanitized like the card's sides, and made into the
    choice it shows when saved."""

    class Meta:
        model = Distractor
        fields = ["html"]
        widgets = {
            "html": forms.Textarea(
                attrs={"rows": 2, "class": "vLargeTextField", "aria-label": "Wrong answer"}
            )
        }

    def clean_html(self):
        try:
            html = fragment_html(self.cleaned_data["html"])
        except CardHtmlError as error:
            raise forms.ValidationError(f"This wrong answer cannot be saved: {error}.") from None
        if not html:
            raise forms.ValidationError("A wrong answer needs some text (or an image).")
        return html

    def save(self, commit=True):
        distractor_render(self.instance)
        return super().save(commit)


class DistractorInlineFormSet(forms.BaseInlineFormSet):
    """The wrong answers' Delete boxes, named: the admin's table gives them no label (its
    column heading names no row), so a screen reader read each as a bare checkbox."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this wrong answer"


class DeckAdminForm(forms.ModelForm):
    """A deck's slug may change: its old links keep leading to it (services.decks). A slug
    another deck had before is refused, since its old links lead there."""

    source_url = forms.URLField(max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Deck
        fields = ["name", "slug", "description", "source_name", "source_url"]
        help_texts = {
            "slug": "The deck's address: the slug fastai is /decks/fastai/. After a change, "
            "links with the old slug still lead here.",
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        deck = self.instance if self.instance.pk else None
        if former := deck_slug_taken_before(slug=slug, deck=deck):
            raise forms.ValidationError(
                f"{slug} was the address of the deck {former.deck.name}, and links to it "
                "lead there: choose another slug."
            )
        return slug


class OpenReportInlineForm(forms.ModelForm):
    """An open report on the card's page: ticking Resolved resolves it when the card saves."""

    resolved = forms.BooleanField(required=False)

    class Meta:
        model = ProblemReport
        fields = []

    def save(self, commit=True):
        if self.cleaned_data.get("resolved") and commit:
            reports_resolve(reports=ProblemReport.objects.filter(pk=self.instance.pk))
        return self.instance


class ChosenTagField(forms.ModelChoiceField):
    """A tag deleted since the list was shown is no tag chosen, which the tag actions refuse
    saying to choose one: as an invalid choice, Django's changelist refused the whole action
    bar as "No action selected."."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


class CardActionForm(ActionForm):
    """The card list's action bar, with the tag its tag actions add or take off."""

    tag = ChosenTagField(
        Tag.objects.all(), required=False, label="Tag:", empty_label="(for the tag actions)"
    )


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name.split() != [name]:
            # Anki separates tags with spaces, so a tag with one would not survive an export.
            raise forms.ValidationError("A tag is one word: use - or _ instead of spaces.")
        # Compared in Python: the databases' own case folding is ASCII's (SQLite) or differs.
        others = Tag.objects.exclude(pk=self.instance.pk).values_list("name", flat=True)
        if same := next((other for other in others if other.casefold() == name.casefold()), None):
            raise forms.ValidationError(
                f"The tag {same} exists: tags are one whatever their case, as in Anki "
                "(rename or merge that one instead)."
            )
        return name


class AnkiUploadForm(forms.Form):
    deck = forms.ModelChoiceField(
        Deck.objects.all(), help_text="The deck to import into (add a deck first for a new one)."
    )
    file = forms.FileField(
        help_text="An Anki export: notes in plain text or CSV (.txt, .csv, .tsv), or a "
        "package (.apkg, .colpkg).",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORT_SUFFIXES)}),
        # Refused in clean_file instead, by name: Django's "The submitted file is empty."
        # says neither which file nor what to do.
        allow_empty_file=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_decks_apart(self.fields["deck"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(IMPORT_SUFFIXES):
            what_to_do = next(
                (
                    f" ({why})"
                    for suffix, why in _OTHER_FILES.items()
                    if upload.name.lower().endswith(suffix)
                ),
                "",
            )
            raise forms.ValidationError(
                f"Not imported: {upload.name} is not a {', '.join(IMPORT_SUFFIXES)} file"
                f"{what_to_do}."
            )
        if not upload.size:
            # A cloud folder's file not yet downloaded, or an export that failed half-way.
            raise forms.ValidationError(
                f"Not imported: {upload.name} is empty (0 bytes). Export the deck from Anki "
                "again, or open the file to check it holds your cards, then upload it again."
            )
        try:
            anki_import_check_size(size=upload.size)
        except ImportTooLarge as error:
            raise forms.ValidationError(f"Not imported: {error}.") from None
        return upload


class AnkiOptionsForm(forms.Form):
    """What the preview lets the importer change: the separator, and which columns are
    the question, the answer and the fields appended to the answer."""

    separator = forms.ChoiceField(
        choices=[(name, name.capitalize()) for name in SEPARATORS], required=False
    )
    question = forms.TypedChoiceField(coerce=int)
    answer = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    extra = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Append to the answer",
    )

    def __init__(self, *args, columns: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = columns
        self.fields["answer"].choices = [("", "(none)"), *columns]
        self.fields["extra"].choices = columns

    def clean(self):
        cleaned = super().clean()
        question, answer = cleaned.get("question"), cleaned.get("answer")
        if question is not None and question == answer:
            raise forms.ValidationError("The question and the answer need different columns.")
        cleaned["extra"] = tuple(
            column for column in cleaned.get("extra", ()) if column not in (question, answer)
        )
        return cleaned

    @property
    def separator_char(self) -> str | None:
        name = self.cleaned_data.get("separator")
        return SEPARATORS[name] if name else None

    @property
    def mapping(self) -> ColumnMapping:
        data = self.cleaned_data
        return ColumnMapping(data["question"], data["answer"], data["extra"])


class UserAddForm(NameLooksItsOwn, AdminUserCreationForm):
    """Staff adding an account are held to sign-up's rules for the name."""


class UserEditForm(NameLooksItsOwn, UserChangeForm):
    """And renaming one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin shows a date box and a time box under one label that points at neither
        # ("Last login:"): a screen reader read two unnamed boxes (axe: critical).
        for field in self.fields.values():
            if isinstance(field.widget, forms.SplitDateTimeWidget):
                date, time = field.widget.widgets
                date.attrs["aria-label"] = f"{field.label}: date"
                time.attrs["aria-label"] = f"{field.label}: time"
