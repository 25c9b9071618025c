"""The admin site, with its password change limited as the site's own is
(quizzes.forms.PasswordTriesLimited): Django's admin builds its form from a class it names
itself, so only a site of our own can change it; and a change list's malformed request
refused with a 400 instead of a 500."""

import re
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import FieldDoesNotExist, TooManyFieldsSent, ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

# The ranges of the date parts a change list's date hierarchy filters on: up to 9998, as
# the admin works out the first day after the year, month or day asked for.
DATE_PARTS = {"__year": (1, 9998), "__iso_year": (1, 9998), "__month": (1, 12), "__day": (1, 31)}


def malformed_change_list_request(request, model_admin) -> str:
    """Why a request to a change list is one its pages never send ("" when it is not):
    Django's admin raises a 500 reading an action on ids that are not ids (or too large for
    the column), a year no date has, (PostgreSQL) a NUL in a filter, or (SQLite) a number
    past 64 bits in a filter of several (`id__in=`), which SQLite cannot take, a range
    (`__range=`, which it reads as a range of the value's characters) or a regular
    expression that is not one."""
    for name, values in request.GET.lists():
        if any("\x00" in value for value in values):
            return f"The filter {name[:60]!r} holds a NUL character."
        if name.endswith("__range"):
            return (
                f"The filter {name[:60]!r} is a range, which the list cannot read: "
                "use __gte= and __lte=."
            )
        if name.endswith(("__regex", "__iregex")) and not all(map(_compiles, values)):
            return f"The filter {name[:60]!r} is not a regular expression."
        column = _integer_column_filtered(model_admin.model, name)
        if column is not None and not all(
            _fits(column, number.strip()) for value in values for number in value.split(",")
        ):
            return f"The filter {name[:60]!r} holds a number no id or count can be."
        for suffix, (lowest, highest) in DATE_PARTS.items():
            if name.endswith(suffix) and not all(
                value.isascii() and value.isdigit() and lowest <= int(value) <= highest
                for value in values
            ):
                return f"The filter {name[:60]!r} is not a {suffix[2:]} a date can have."
    pk = model_admin.model._meta.pk
    for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
        try:
            key = pk.to_python(value)
        except ValidationError:
            key = None
        if key is None or (isinstance(key, int) and not _in_column(pk, key)):
            return f"{value[:40]!r} is not the id of a {model_admin.model._meta.verbose_name}."
    return ""


_WHOLE_NUMBER = re.compile(r"[-+]?0*([0-9]+)")


def _integer_column_filtered(model, name: str):
    """The integer column a change list's filter compares with (`id__in`, `deck__id`,
    `deck__exact`: the deck's id), None for any other column or for no column."""
    field = None
    for part in name.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break  # a lookup (`in`, `exact`), or no field at all
        model = field.related_model
        if model is None:
            break
    if field is not None and field.is_relation:
        # A foreign key compares with the column it points to; a relation from the other
        # side or many-to-many, with the related rows' ids.
        forward = field.concrete and (field.many_to_one or field.one_to_one)
        field = field.target_field if forward else field.related_model._meta.pk
    if field is None or field.get_internal_type() not in connection.ops.integer_field_ranges:
        return None
    return field


def _fits(column, text: str) -> bool:
    """Whether `text`, if a whole number, is one `column` can hold (anything else is left
    to the admin, which refuses it readably)."""
    number = _WHOLE_NUMBER.fullmatch(text)
    if number is None:
        return True
    # More digits than any column holds; int() refuses more than 4,300.
    return len(number[1]) <= 20 and _in_column(column, int(text))


def _compiles(pattern: str) -> bool:
    """Whether the database reads `pattern` as a regular expression: SQLite through
    Python's `re`, PostgreSQL by its own rules (it refuses Python's `(?P<name>...)`)."""
    if connection.vendor != "postgresql":
        try:
            re.compile(pattern)
        except re.error:
            return False
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT '' ~ %s", [pattern])
    except DatabaseError:
        return False
    return True


def _in_column(field, number: int) -> bool:
    lowest, highest = connection.ops.integer_field_range(field.get_internal_type())
    return (lowest is None or lowest <= number) and (highest is None or number <= highest)


def _refusing_malformed(change_list_view, model_admin):
    @wraps(change_list_view)
    def change_list(request, *args, **kwargs):
        try:
            reason = malformed_change_list_request(request, model_admin)
        except TooManyFieldsSent:
            # A page of the list ticks 100 rows at most: more is no form of ours.
            reason = (
                f"It sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields. To act "
                'on every row a filter matches, tick the box above the list, then "Select all".'
            )
        if reason:
            return render(request, "400.html", {"reason": reason}, status=400)
        return change_list_view(request, *args, **kwargs)

    return change_list


class QuizsiteAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if getattr(view, "__name__", "") == "changelist_view" and model_admin is not None:
            view = _refusing_malformed(view, model_admin)
        # Checked inside: a visitor not logged in is sent to log in first, whatever they ask.
        return super().admin_view(view, cacheable)

    def password_change(self, request, extra_context=None):
        from quizzes.forms import LimitedAdminPasswordChangeForm

        view = PasswordChangeView.as_view(
            form_class=LimitedAdminPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
            **(
                {"template_name": self.password_change_template}
                if self.password_change_template
                else {}
            ),
        )
        request.current_app = self.name
        return view(request)

    def autocomplete_view(self, request):
        # A select box's search for a name holding a NUL: none does, and PostgreSQL refuses
        # one in a query (a 500).
        if "\x00" in request.GET.get("term", ""):
            return JsonResponse({"results": [], "pagination": {"more": False}})
        return super().autocomplete_view(request)
