import time
import unicodedata

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    UserCreationForm,
)
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from quizzes import engine, scheduling, throttling
from quizzes.models import Attempt, Deck, ProblemReport, Tag
from quizzes.services.accounts import username_look_alike_taken
from quizzes.services.attempts import MAX_QUESTIONS
from quizzes.typed_answers import TYPED_ANSWER_MAX_LENGTH

# The widest integer SQLite stores: a larger id in `pk__in` raises OverflowError there.
LARGEST_DATABASE_INTEGER = 2**63 - 1


def database_id(raw: str) -> int | None:
    """`raw` (from a query string or a form) as a row id, or None when it cannot be one.
    isdigit() alone takes "²", which int() refuses, as it refuses more than 4,300 digits."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(LARGEST_DATABASE_INTEGER)):
        return None
    number = int(raw)
    return number if 1 <= number <= LARGEST_DATABASE_INTEGER else None


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids too large for the database as invalid choices. Django guards `pk=` lookups
    against out-of-range integers, but not the `pk__in` this field queries with."""

    def _check_values(self, value):
        for pk in value:
            try:
                too_large = abs(int(pk)) > LARGEST_DATABASE_INTEGER
            except (TypeError, ValueError):
                continue  # Not a number at all: the parent reports it.
            if too_large:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def _attrs_html(attrs: dict) -> str:
    """HTML attributes as django/forms/widgets/attrs.html writes them: False left out, True
    bare, anything else as text."""
    return mark_safe(  # each part escaped by format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
            for name, value in attrs.items()
            if value is not False
        )
    )


class LongSelect(forms.Select):
    """A select written out in Python, with the HTML Django's templates give it. Django
    renders two templates an option (the option's, its attributes'): the study settings' 600
    time zones took 1,250 of them, most of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs_html(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    str(option["value"]),
                    _attrs_html(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # each part escaped by format_html


class FocusOnFirstError:
    """A form shown again with errors has the focus on the first field to mend (autofocus).
    The page came back at its top: on a phone the error sat out of sight (the account's
    deletion, at the page's foot, seemed to do nothing), and a screen reader started from
    the navigation with no word of it."""

    def full_clean(self):
        super().full_clean()
        first_wrong = next(
            (
                name
                for name, field in self.fields.items()
                if name in self.errors and not field.widget.is_hidden
            ),
            None,
        )
        if first_wrong is not None:
            for field in self.fields.values():
                field.widget.attrs.pop("autofocus", None)
            self.fields[first_wrong].widget.attrs["autofocus"] = True


class QuizSetupForm(FocusOnFirstError, forms.Form):
    deck = forms.ModelChoiceField(queryset=Deck.objects.all(), empty_label=None)
    tags = BoundedModelMultipleChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only cards with one of these tags (none ticked: the whole deck).",
    )
    question_count = forms.IntegerField(
        label="Number of questions",
        min_value=1,
        max_value=MAX_QUESTIONS,
        initial=10,
        help_text="At most the number of cards available.",
    )
    mode = forms.ChoiceField(
        choices=Attempt.Mode.choices, initial=Attempt.Mode.MULTIPLE_CHOICE, widget=forms.RadioSelect
    )
    time_limit_kind = forms.ChoiceField(
        label="Time limit",
        choices=[
            (Attempt.TimeLimitKind.NONE, "None"),
            (Attempt.TimeLimitKind.FOR_LENGTH, "Time for length"),
            (Attempt.TimeLimitKind.PER_QUESTION, "Fixed seconds per question"),
            (Attempt.TimeLimitKind.WHOLE_QUIZ, "For the whole quiz"),
        ],
        initial=Attempt.TimeLimitKind.FOR_LENGTH,
        widget=forms.RadioSelect,
    )
    seconds_per_question = forms.IntegerField(
        min_value=3, max_value=600, initial=20, required=False
    )
    quiz_minutes = forms.IntegerField(
        label="Minutes for the whole quiz", min_value=1, max_value=180, initial=5, required=False
    )
    smart = forms.BooleanField(
        label="Smart quiz: your due and weakest cards first",
        required=False,
        help_text="Picks the cards your memory model says need practice, instead of random ones.",
    )

    def clean(self):
        """Adds `time_limit`, an engine.TimeLimit, from the kind and its number."""
        cleaned = super().clean()
        kind = cleaned.get("time_limit_kind")
        # The page hides the number of the other limit, so an error in it could not be seen.
        for other_kind, name in (
            (Attempt.TimeLimitKind.PER_QUESTION, "seconds_per_question"),
            (Attempt.TimeLimitKind.WHOLE_QUIZ, "quiz_minutes"),
        ):
            if kind and kind != other_kind:
                self.errors.pop(name, None)
        if kind == Attempt.TimeLimitKind.PER_QUESTION:
            if cleaned.get("seconds_per_question") is None:
                self.add_error("seconds_per_question", "How many seconds per question?")
            else:
                cleaned["time_limit"] = engine.TimeLimit(
                    kind=kind, seconds=cleaned["seconds_per_question"]
                )
        elif kind == Attempt.TimeLimitKind.WHOLE_QUIZ:
            if cleaned.get("quiz_minutes") is None:
                self.add_error("quiz_minutes", "How many minutes for the whole quiz?")
            else:
                cleaned["time_limit"] = engine.TimeLimit(
                    kind=kind, seconds=cleaned["quiz_minutes"] * 60
                )
        elif kind:
            cleaned["time_limit"] = engine.TimeLimit(kind=kind)
        return cleaned


class FieldsSharedByInstances(dict):
    """A form's declared fields, which each instance shares instead of deep-copying them:
    for a form that is only read, never rendered, so that no instance changes a field.
    Django copies every field, its widget and its choices for each form made: for the quiz
    answer's form, in every answer, 300 of its 480 Python calls and over half its CPU
    (0.16-0.23 ms against 0.08-0.09, bench/HISTORY.md round 17)."""

    def __deepcopy__(self, memo):
        return self


class AnswerForm(forms.Form):
    """One answer: the question's position and a choice id, a flashcard self-grade, or the
    text typed in a "Type the answer" quiz (None when no box was sent; "" when empty)."""

    position = forms.IntegerField(min_value=1, max_value=MAX_QUESTIONS)
    choice = forms.CharField(max_length=32, required=False)
    grade = forms.ChoiceField(
        choices=[("knew", "I knew it"), ("didnt_know", "I didn't know")], required=False
    )
    typed = forms.CharField(max_length=TYPED_ANSWER_MAX_LENGTH, required=False)

    def clean_typed(self):
        return self.cleaned_data["typed"] if self.add_prefix("typed") in self.data else None

    def clean_grade(self):
        """True for "knew it", False for "didn't know", None when not sent."""
        grade = self.cleaned_data["grade"]
        return {"knew": True, "didnt_know": False}.get(grade)

    def clean(self):
        cleaned = super().clean()
        answered = cleaned.get("choice") or cleaned.get("typed") is not None
        if not answered and cleaned.get("grade") is None and not self.errors:
            raise forms.ValidationError("Choose an answer.")
        return cleaned


AnswerForm.base_fields = FieldsSharedByInstances(AnswerForm.base_fields)


class ProblemReportForm(forms.ModelForm):
    # Declared, not generated: a model field's form field offers a blank "---------" choice.
    kind = forms.ChoiceField(
        choices=ProblemReport.Kind.choices, widget=forms.RadioSelect, label="What is wrong?"
    )

    class Meta:
        model = ProblemReport
        fields = ["kind", "message"]
        labels = {"message": "Details (optional)"}
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}


# Alphabets with letters that look alike (Cyrillic "a" and Latin "a", Greek omicron and "o"):
# a name mixing them can pass for another learner's on the leaderboard.
LOOK_ALIKE_SCRIPTS = {"LATIN", "CYRILLIC", "GREEK"}


EMAIL_HELP = (
    "Optional, and used for one thing only: a link to reset a forgotten password. "
    "It is kept once you open the link we send to it."
)


class NameLooksItsOwn:
    """A user form (sign-up, the admin's add and change forms) whose username is written in
    one alphabet and cannot pass for another user's."""

    def clean_username(self):
        clean = getattr(super(), "clean_username", None)
        username = clean() if clean else self.cleaned_data.get("username")
        if not username:  # taken already: Django said so
            return username
        if self.instance.pk and "username" not in self.changed_data:
            # An account kept its name: staff may edit it (deactivate an impersonator
            # whose name came before these rules) without renaming it.
            return username
        scripts = {
            unicodedata.name(letter, "").split(" ", 1)[0] for letter in username if letter.isalpha()
        }
        if len(scripts & LOOK_ALIKE_SCRIPTS) > 1:
            raise ValidationError(
                "Use the letters of one alphabet: a name mixing Latin, Cyrillic or Greek "
                "letters can look like someone else's."
            )
        # Locked: the admin checks and saves its forms in one transaction (sign-up checks
        # again in its own, views/accounts._signup_save).
        taken = username_look_alike_taken(
            username=username, other_than=self.instance.pk, locked=True
        )
        if taken is not None:
            raise look_alike_error(taken)
        return username


def look_alike_error(taken: str) -> ValidationError:
    return ValidationError(
        "This name looks like “%(taken)s”, another learner's: choose one that cannot pass "
        "for theirs.",
        params={"taken": taken},
    )


class SignupForm(FocusOnFirstError, NameLooksItsOwn, UserCreationForm):
    # The browser's time zone (site.js fills it in), so that the learner's study day starts
    # at 4 am on their own clock from the first review, not on UTC's; the study settings
    # change it. Hidden, so never an error: a zone Python does not know is left out.
    time_zone = forms.CharField(
        required=False,
        widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")
        labels = {"email": "Email"}
        help_texts = {"email": EMAIL_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.QUIZSITE_PASSWORD_RESET:  # no email to confirm it with, nor use
            del self.fields["email"]

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"]
        return value if value in scheduling.time_zone_names() else ""

    def save(self, commit=True):
        # The address waits for its owner to open the link sent to it (views.accounts).
        self.instance.email = ""
        return super().save(commit)

    def validate_password_for_user(self, user, password_field_name="password1"):
        # Under the password that is too short or too common, not under its confirmation
        # (Django's choice), which the learner typed only to repeat it.
        super().validate_password_for_user(user, password_field_name)


class BoundedUsernameMixin:
    """AuthenticationForm sets max_length without its validator, so an overlong username
    reached authenticate() and django-axes, whose 255-character column refuses it on
    PostgreSQL (a 500). Refuse it as a form error instead."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginTriesLimited:
    """A log-in form that checks passwords for a client address at most
    QUIZSITE_LOGINS_PER_15_MINUTES times a quarter of an hour (quizzes.throttling), counted
    before the check: each takes half a second of CPU (the hasher is slow on purpose, and
    runs for a name nobody has too), and django-axes locks a name at an address, not the
    address, so a script trying a new name each time took the server's cores."""

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        client_ip = get_client_ip_address(self.request) if self.request else None
        if (
            username
            and password
            and not throttling.login_allowed(client_ip=client_ip, now=time.time())
        ):
            raise ValidationError(
                "Many log-ins were tried from your address lately: try again in a quarter of "
                "an hour.",
                code="throttled",
            )
        return super().clean()


# The id of the error of a whole form, above its fields (registration/_form_fields.html).
FORM_ERROR_ID = "form-error"


class LoginForm(LoginTriesLimited, BoundedUsernameMixin, AuthenticationForm):
    """A wrong name or password is an error of the pair, not of one field, and Django ties a
    field only to its own errors: both fields are marked invalid and described by it."""

    def full_clean(self):
        super().full_clean()
        if not self.non_field_errors():
            return
        for name in ("username", "password"):
            own = self[name].aria_describedby  # its own error's and help text's ids, if any
            attrs = self.fields[name].widget.attrs
            attrs["aria-describedby"] = " ".join(filter(None, [FORM_ERROR_ID, own]))
            attrs["aria-invalid"] = "true"


class AdminLoginForm(LoginTriesLimited, BoundedUsernameMixin, AdminAuthenticationForm):
    pass


class PasswordTriesLimited:
    """A password-change form that checks the current password at most
    PASSWORD_CHANGE_TRIES times per account in each window (quizzes.throttling): someone at a
    learner's open session must not try passwords there without end, and django-axes
    watches only the login. Each try counts before the password is checked, in one atomic
    step, so tries sent at once cannot all pass before any is counted."""

    def clean_old_password(self):
        _password_try_count(self.user)
        return super().clean_old_password()


def _password_try_count(user) -> None:
    """Count a check of `user`'s password at an open session, or refuse it once the tries
    are used up (quizzes.throttling)."""
    if not throttling.password_try_allowed(user_id=user.pk, now=time.time()):
        raise ValidationError(
            "Too many tries of your password: try again in a quarter of an hour.",
            code="throttled",
        )


class LimitedPasswordChangeForm(FocusOnFirstError, PasswordTriesLimited, PasswordChangeForm):
    pass


class LimitedAdminPasswordChangeForm(PasswordTriesLimited, AdminPasswordChangeForm):
    pass


class PasswordConfirmedForm(FocusOnFirstError, forms.Form):
    """A change to the account behind its password, asked again: a session left open on a
    shared computer must not be enough. The tries count with the password change's."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        _password_try_count(self.user)
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password.", code="password_incorrect")
        return password


class AccountDeleteForm(PasswordConfirmedForm):
    pass


class AccountEmailForm(PasswordConfirmedForm):
    """The address for a forgotten password: whoever sets it can take the account over, so
    a new one is kept once its owner opens the link sent to it."""

    # Its fields' names and ids apart from the deletion form's on the same page.
    prefix = "email"
    field_order = ["email", "password"]
    email = forms.EmailField(
        label="Email",
        required=False,
        max_length=254,  # the column's length (Django's User.email)
        help_text=f"{EMAIL_HELP} Leave it empty to remove it.",
    )


class LimitedPasswordResetForm(PasswordResetForm):
    """Django's reset form, which tells nobody whether an address has an account, with a
    limit on the links asked for per address and per client (quizzes.throttling). The
    email is written and sent by the worker (services.accounts.password_reset_email_send),
    asked for in the same way whether or not an account has the address: sending it in the
    request took 45 ms more for an address with an account than for one without."""

    def __init__(self, *args, client_ip: str | None = None, **kwargs):
        self.client_ip = client_ip
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"]
        if not throttling.password_reset_allowed(
            email=email, client_ip=self.client_ip, now=time.time()
        ):
            raise ValidationError(
                "Reset links were asked for several times lately: look for those sent (in "
                "the spam folder too; each works for a day), or try again in a quarter of an "
                "hour.",
                code="throttled",
            )
        return email

    def save(self, *, request, use_https=False, **kwargs):
        from quizzes.tasks import password_reset_email_task

        password_reset_email_task.enqueue(
            email=self.cleaned_data["email"],
            domain=get_current_site(request).domain,
            use_https=use_https,
        )
