"""Forms of the study loop: a review's grade, an undo, the study settings, and "Quiz me on
these". Each `clean_<field>` returns a domain value (a Grade, a datetime, a list of ids)."""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import available_timezones

from django import forms
from django.core import signing

from quizzes import scheduling
from quizzes.forms import LARGEST_DATABASE_INTEGER
from quizzes.models import LearnerSettings
from quizzes.services.attempts import MAX_QUESTIONS

_SHOWN_SALT = "quizzes.review.shown"


def shown_token(*, card_id: int, now: datetime) -> str:
    """A signed note of which card the page showed and when: the answer's time is measured
    by the server's clock, and the browser cannot claim another card or moment."""
    return signing.dumps({"card": card_id, "shown": now.timestamp()}, salt=_SHOWN_SALT)


class ReviewAnswerForm(forms.Form):
    card = forms.IntegerField(min_value=1, max_value=LARGEST_DATABASE_INTEGER)
    grade = forms.TypedChoiceField(
        choices=[(int(grade), grade.label) for grade in scheduling.Grade],
        coerce=lambda value: scheduling.Grade(int(value)),
    )
    shown = forms.CharField(max_length=200)

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
            raise forms.ValidationError("This grade is for another card than the one shown.")
        cleaned["shown_at"] = shown_at
        return cleaned


class ReviewUndoForm(forms.Form):
    review = forms.IntegerField(min_value=1, max_value=LARGEST_DATABASE_INTEGER)


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


class StudySettingsForm(forms.ModelForm):
    desired_retention = forms.DecimalField(
        label="Desired retention (%)",
        min_value=round(scheduling.MIN_DESIRED_RETENTION * 100),
        max_value=round(scheduling.MAX_DESIRED_RETENTION * 100),
        decimal_places=1,
        help_text="The share of reviews you want to get right, 70 to 97. Higher means "
        "shorter intervals and more reviews; 90 suits most learners.",
    )
    time_zone = forms.ChoiceField(choices=_time_zone_choices)

    class Meta:
        model = LearnerSettings
        fields = ["desired_retention", "new_cards_per_day", "day_start_hour", "time_zone"]
        labels = {"new_cards_per_day": "New cards per day", "day_start_hour": "Day starts at"}
        help_texts = {
            "new_cards_per_day": "How many cards you have never studied the review adds each "
            "day (0 to 1000).",
        }
        widgets = {
            "day_start_hour": forms.Select(choices=[(h, f"{h:02d}:00") for h in range(24)]),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["desired_retention"] = self.instance.desired_retention_percent

    def clean_desired_retention(self) -> float:
        """A percentage on the page, a fraction in the database."""
        return float(self.cleaned_data["desired_retention"]) / 100


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
