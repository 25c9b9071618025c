"""A learner reports a problem with a card: from a form on the card's page (htmx swaps in
the thanks), or on a page of its own when JavaScript is off or the form needs fixing."""

import time

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from quizzes import throttling
from quizzes.forms import ProblemReportForm
from quizzes.models import Card
from quizzes.services import cards as card_services
from quizzes.services.reports import report_create
from quizzes.views.login import login_required


def _get_card(slug: str, number: int) -> Card:
    return get_object_or_404(Card.objects.select_related("deck"), deck__slug=slug, number=number)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def card_report(request, slug, number):
    card = _get_card(slug, number)
    form = ProblemReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _report_allowed(request, form):
        report_create(card=card, reporter=request.user, **form.cleaned_data)
        if request.htmx:
            return render(request, "quizzes/reports/report.html#thanks", {"card": card})
        messages.success(request, "Thank you: an editor will look at your report.")
        return redirect(card)
    context = {"card": card, "report_form": form}
    if request.htmx:
        # 200, as for the page: a form shown again with its errors, not a failed request.
        return render(request, "quizzes/reports/report.html#form", context)
    status = 429 if form.has_error(NON_FIELD_ERRORS, code="throttled") else 200
    context["named_alike"] = card_services.tree_scopes_kept().named_alike  # the breadcrumb
    return render(request, "quizzes/reports/report.html", context, status=status)


def _report_allowed(request, form: ProblemReportForm) -> bool:
    """Count one more report of the learner's (quizzes.throttling); past the hour's limit,
    the form says so."""
    if throttling.report_allowed(user_id=request.user.pk, now=time.time()):
        return True
    error = ValidationError(
        "You sent many reports this hour: thank you. Try again in an hour.", code="throttled"
    )
    form.add_error(None, error)
    return False
