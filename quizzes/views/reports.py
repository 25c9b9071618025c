"""A learner reports a problem with a card: from a form on the card's page (htmx swaps in
the thanks), or on a page of its own when JavaScript is off or the form needs fixing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from quizzes.forms import ProblemReportForm
from quizzes.models import Card
from quizzes.services.reports import report_create


def _get_card(slug: str, number: int) -> Card:
    return get_object_or_404(Card.objects.select_related("deck"), deck__slug=slug, number=number)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def card_report(request, slug, number):
    card = _get_card(slug, number)
    form = ProblemReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_create(card=card, reporter=request.user, **form.cleaned_data)
        if request.htmx:
            return render(request, "quizzes/reports/report.html#thanks", {"card": card})
        messages.success(request, "Thank you: an editor will look at your report.")
        return redirect(card)
    context = {"card": card, "report_form": form}
    if request.htmx:
        # 200, as for the page: a form shown again with its errors, not a failed request.
        return render(request, "quizzes/reports/report.html#form", context)
    return render(request, "quizzes/reports/report.html", context)
