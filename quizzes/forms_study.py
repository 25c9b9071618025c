"""Forms of the study loop: a review's grade, an undo, more new cards today, the study
settings, and "Quiz me on these". Each `clean_<field>` returns a domain value (a Grade, a
datetime, learning steps as timedeltas, a list of ids)."""

from datetime import UTC, datetime, timedelta
from functools import cache

from django import forms
from django.core import signing

from quizzes import scheduling
from quizzes.forms import LARGEST_DATABASE_INTEGER, FocusOnFirstError, LongSelect
from quizzes.models import CardFlag, CardHold, LearnerSettings
from quizzes.services.attempts import MAX_QUESTIONS
from quizzes.typed_answers import TYPED_ANSWER_MAX_LENGTH

_SHOWN_SALT = "quizzes.review.shown"


def shown_token(*, card_id: int, now: datetime) -> str:
    """A signed note of which card the page showed and when: the answer's time is measured
    by the server's clock, and the browser cannot claim another card or moment."""
    return signing.dumps({"card": card_id, "shown": now.timestamp()}, salt=_SHOWN_SALT)


class _ShownCardForm(forms.Form):
    """A card the review showed, and when (`shown_token`)."""

    card = forms.IntegerField(min_value=1, max_value=LARGEST_DATABASE_INTEGER)
    shown = forms.CharField(max_length=200)
    sent = "grade"  # what the form sends, as its errors name it

    def clean(self):
        """Adds `shown_at`, when the page showed the card, from the signed `shown` token."""
        cleaned = super().clean()
        if "card" not in cleaned or "shown" not in cleaned:
            return cleaned
        try:
            data = signing.loads(cleaned["shown"], salt=_SHOWN_SALT)
            shown_at = datetime.fromtimestamp(float(data["shown"]), tz=UTC)
            card_id = int(data["card"])
        except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
            raise forms.ValidationError("This page is out of date: reload it.") from None
        if card_id != cleaned["card"]:
            raise forms.ValidationError(f"This {self.sent} is for another card than the one shown.")
        cleaned["shown_at"] = shown_at
        return cleaned


class ReviewAnswerForm(_ShownCardForm):
    grade = forms.TypedChoiceField(
        choices=[(int(grade), grade.label) for grade in scheduling.Grade],
        coerce=lambda value: scheduling.Grade(int(value)),
    )


class ReviewTypedForm(_ShownCardForm):
    """What the learner typed into a type-in card's box, to be shown beside its answer."""

    typed = forms.CharField(max_length=TYPED_ANSWER_MAX_LENGTH, required=False)
    sent = "answer"


class ReviewUndoForm(forms.Form):
    review = forms.IntegerField(min_value=1, max_value=LARGEST_DATABASE_INTEGER)
    # The review's card, so that an undo of a review deleted with its card can say so.
    card = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_DATABASE_INTEGER)


class CardActionForm(forms.Form):
    """A bury, suspend, forget or unsuspend of one card, and the page it was asked from,
    which the answer goes back to."""

    card = forms.IntegerField(min_value=1, max_value=LARGEST_DATABASE_INTEGER)
    back = forms.ChoiceField(
        choices=[("review", "the review"), ("card", "the card's page"), ("held", "the list")],
        required=False,
    )

    def clean_back(self) -> str:
        return self.cleaned_data["back"] or "review"


class CardFlagForm(forms.Form):
    """A flag set on one card (1..7) or cleared (0), from the review or the card's box."""

    card = forms.IntegerField(min_value=1, max_value=LARGEST_DATABASE_INTEGER)
    flag = forms.TypedChoiceField(choices=[(0, "No flag"), *CardFlag.Colour.choices], coerce=int)
    back = forms.ChoiceField(
        choices=[("review", "the review"), ("card", "the card's page")], required=False
    )

    def clean_back(self) -> str:
        return self.cleaned_data["back"] or "review"


class HoldUndoForm(forms.Form):
    card = forms.IntegerField(min_value=1, max_value=LARGEST_DATABASE_INTEGER)
    action = forms.ChoiceField(choices=CardHold.Action.choices)


class ExtraNewCardsForm(forms.Form):
    """How many more new cards today, asked on the review's end screen."""

    count = forms.IntegerField(
        label="More new cards today",
        min_value=1,
        max_value=scheduling.MAX_NEW_CARDS_PER_DAY,
    )


class ExtraReviewsForm(forms.Form):
    """How many more review cards today, asked on the review's end screen when the day's
    maximum holds some back."""

    count = forms.IntegerField(
        label="More reviews today",
        min_value=1,
        max_value=scheduling.MAX_MAX_REVIEWS_PER_DAY,
    )


class StepsField(forms.CharField):
    """Learning steps as Anki writes them ("10m", "1m 10m"); cleans to a tuple of timedeltas."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=100, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, tuple | list):
            return scheduling.steps_label(value)
        return value

    def clean(self, value) -> tuple[timedelta, ...]:
        text = super().clean(value)
        try:
            return scheduling.parse_steps(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(scheduling.time_zone_names())]


EASY_DAY_FIELDS = [f"easy_{day.lower()}" for day in scheduling.WEEKDAYS]


class StudySettingsForm(FocusOnFirstError, forms.ModelForm):
    desired_retention = forms.DecimalField(
        label="Desired retention (%)",
        min_value=round(scheduling.MIN_DESIRED_RETENTION * 100),
        max_value=round(scheduling.MAX_DESIRED_RETENTION * 100),
        decimal_places=1,
        help_text="The share of reviews you want to get right, 70 to 97. Higher means "
        "shorter intervals and more reviews; 90 suits most learners.",
    )
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices,
        widget=LongSelect,
        help_text="Your study day starts at the hour above on this zone's clock.",
    )
    learning_steps = StepsField(
        label="Learning steps",
        help_text="Times a new card comes back the same day, like “10m” or “1m 10m”. Leave "
        "empty to let FSRS schedule every review (the default): repeating a card within a "
        "day adds little to long-term memory.",
    )
    relearning_steps = StepsField(
        label="Relearning steps",
        help_text="The same for a card you forgot, like “10m”; empty by default.",
    )
    field_order = [
        "desired_retention",
        "reschedule_on_change",
        "new_cards_per_day",
        "max_reviews_per_day",
        "maximum_interval",
        "learning_steps",
        "relearning_steps",
        "new_cards_ignore_review_limit",
        "new_review_order",
        "bury_siblings",
        "day_start_hour",
        "time_zone",
    ]

    class Meta:
        model = LearnerSettings
        fields = [
            "desired_retention",
            "reschedule_on_change",
            "new_cards_per_day",
            "max_reviews_per_day",
            "maximum_interval",
            "new_cards_ignore_review_limit",
            "new_review_order",
            "bury_siblings",
            "day_start_hour",
            "time_zone",
        ]
        labels = {
            "new_cards_ignore_review_limit": "New cards ignore the maximum of reviews",
            "new_review_order": "New cards come",
            "new_cards_per_day": "New cards per day",
            "max_reviews_per_day": "Maximum reviews per day",
            "day_start_hour": "Day starts at",
            "bury_siblings": "Bury siblings",
            "reschedule_on_change": "Reschedule cards on change",
            "maximum_interval": "Maximum interval (days)",
        }
        help_texts = {
            "reschedule_on_change": "When you change the desired retention, or fit your "
            "parameters, move your review cards' due dates to the ones they give now, counted "
            "from each card's last review (Anki's “Reschedule cards on change”; off by "
            "default: the change then shows as you answer each card). A big change can make "
            "many cards due at once.",
            "maximum_interval": "The longest a card waits between two reviews, 1 to 36500 "
            "days (Anki's “Maximum interval”; its default, 100 years, sets no real limit). "
            "Lower it to see every card again before a date, as for an exam in a year.",
            "new_cards_per_day": "How many cards you have never studied the review adds each "
            "day (0 to 1000).",
            "max_reviews_per_day": "How many cards due for review the review shows each day "
            "at most (0 to 9999; Anki's default: 200). Those left wait for the next day, the "
            "most overdue first. New cards count towards it too, as in Anki: with 190 due, 10 "
            "new cards at most.",
            "new_cards_ignore_review_limit": "Show the day's new cards even when the maximum "
            "of reviews is reached (Anki's “New cards ignore review limit”; off by default, "
            "so that a backlog of reviews stops new cards until you catch up).",
            "new_review_order": "Where the day's new cards go among the cards due for "
            "review (Anki's “New/review order”, whose default is mixed in). Cards in a "
            "learning step come first whatever you choose.",
            "bury_siblings": "Once you answer a card in the review, the other cards of its "
            "note (a reversed card, the other clozes) wait until tomorrow, so that one does "
            "not give the other away (Anki's “Bury new siblings” and “Bury review siblings”; "
            "off by default).",
        }
        widgets = {
            "day_start_hour": LongSelect(choices=[(h, f"{h:02d}:00") for h in range(24)]),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Anki's "Easy days": one choice per weekday, shown together (easy_day_fields).
        for name, day in zip(EASY_DAY_FIELDS, scheduling.WEEKDAYS, strict=True):
            self.fields[name] = forms.TypedChoiceField(
                label=day,
                choices=[(easy.value, easy.label) for easy in scheduling.EasyDay],
                coerce=scheduling.EasyDay,
                required=False,
                empty_value=None,
                widget=LongSelect,
            )
        if not self.is_bound:
            self.initial["desired_retention"] = self.instance.desired_retention_percent
            self.initial["learning_steps"] = self.instance.learning_step_durations
            self.initial["relearning_steps"] = self.instance.relearning_step_durations
            for name, easy in zip(EASY_DAY_FIELDS, self.instance.easy_day_settings, strict=True):
                self.initial[name] = easy.value

    @property
    def setting_fields(self) -> list:
        """The fields shown one by one; the easy days are shown together, as a group."""
        return [field for field in self if field.name not in EASY_DAY_FIELDS]

    @property
    def easy_day_fields(self) -> list:
        return [self[name] for name in EASY_DAY_FIELDS]

    def clean_desired_retention(self) -> float:
        """A percentage on the page, a fraction in the database."""
        return float(self.cleaned_data["desired_retention"]) / 100

    def clean(self):
        """The seven weekdays' choices become `easy_days`, Monday first; a day the form
        did not send (a page from before they were asked) keeps the learner's choice."""
        cleaned = super().clean()
        kept = self.instance.easy_day_settings
        cleaned["easy_days"] = tuple(
            cleaned.pop(name, None) or kept[index] for index, name in enumerate(EASY_DAY_FIELDS)
        )
        return cleaned


class QuizTheseForm(forms.Form):
    """Card ids to quiz on, as the "Quiz me on these" buttons post them."""

    cards = forms.TypedMultipleChoiceField(coerce=int, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the service keeps only cards that exist.
        self.fields["cards"].valid_value = lambda value: True

    def clean_cards(self) -> list[int]:
        ids = []
        for value in self.cleaned_data["cards"]:
            if not 1 <= value <= LARGEST_DATABASE_INTEGER:
                raise forms.ValidationError("That is not a card.")
            if value not in ids:
                ids.append(value)
        if len(ids) > MAX_QUESTIONS:
            raise forms.ValidationError(f"A quiz asks at most {MAX_QUESTIONS} cards.")
        return ids


class SetDueForm(forms.Form):
    """Anki's Set Due Date: days from today, as its browser takes them ("0", "5", "3-7",
    "5!"); `clean_days` gives a scheduling.DueDateSpec."""

    days = forms.CharField(
        max_length=40,
        error_messages={
            "required": "Write how many days from today. " + scheduling.DUE_DATE_HELP,
            "max_length": "That is not a due date. " + scheduling.DUE_DATE_HELP,
        },
    )

    def clean_days(self) -> scheduling.DueDateSpec:
        try:
            return scheduling.parse_due_date(self.cleaned_data["days"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


# The cards one post may tick: a page of "Your cards" holds 100 (and Django refuses a post of
# over 1,000 fields anyway); "every card this filter shows" is worked out on the server.
MAX_TICKED_CARDS = 500


class CardsSetDueForm(SetDueForm):
    """Set Due Date from "Your cards": the cards ticked (`card`), or with `scope` "all"
    every card the page's filter (`flag`, none for every card asked) shows."""

    card = forms.TypedMultipleChoiceField(coerce=int, required=False)
    scope = forms.ChoiceField(
        choices=[("ticked", "the cards ticked"), ("all", "every card this filter shows")],
        required=False,
    )
    flag = forms.TypedChoiceField(
        choices=[("", "every card asked"), *CardFlag.Colour.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the service keeps only cards that exist.
        self.fields["card"].valid_value = lambda value: True
        self.fields["card"].error_messages["invalid_choice"] = "That is not a card."

    def clean_card(self) -> list[int]:
        ids = set(self.cleaned_data["card"])
        if any(not 1 <= value <= LARGEST_DATABASE_INTEGER for value in ids):
            raise forms.ValidationError("That is not a card.")
        if len(ids) > MAX_TICKED_CARDS:
            raise forms.ValidationError(
                f"Tick at most {MAX_TICKED_CARDS} cards, or choose every card this filter shows."
            )
        return sorted(ids)

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or "ticked"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "ticked" and "card" in cleaned and not cleaned["card"]:
            raise forms.ValidationError(
                "Tick the cards to set due first, or choose every card this filter shows."
            )
        return cleaned
