"""Helpers for the editing tests: admin forms read back as POST data, answers recorded."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from quizzes.models import Attempt, AttemptQuestion
from tests.factories import image_bytes


def record_answer(card, outcome, *, chosen_card=None, seconds=None, user=None):
    """One finished one-question attempt on `card` with the given outcome."""
    attempt = Attempt.objects.create(
        user=user,
        deck=card.deck,
        mode=Attempt.Mode.MULTIPLE_CHOICE,
        question_count=1,
        time_limit_kind=Attempt.TimeLimitKind.NONE,
        seed=1,
        started_at=timezone.now(),
    )
    return AttemptQuestion.objects.create(
        attempt=attempt,
        position=1,
        card=card,
        outcome=outcome,
        chosen_card=chosen_card,
        elapsed=timedelta(seconds=seconds) if seconds is not None else None,
    )


def png_upload(name="shot.png", size=(40, 30)):
    return SimpleUploadedFile(name, image_bytes("PNG", size), content_type="image/png")


def admin_form_data(response, **changes) -> dict:
    context = response.context
    data = _form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    data.update(changes)
    return data


def _form_data(form) -> dict:
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or bound.field.disabled:
            continue
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(item) for item in value]
            continue
        data[bound.html_name] = value if not hasattr(value, "pk") else value.pk
    return data
