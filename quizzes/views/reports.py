"""A learner reports a problem with a card: from a form on the card's page (htmx swaps in
the thanks), or on a page of its own when JavaScript is off or the form needs fixing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from quizzes.models import Card, ProblemReport
from quizzes.services.reports import report_create


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
            return render(request, "quizzes/reports/_report_thanks.html", {"card": card})
        messages.success(request, "Thank you: an editor will look at your report.")
        return redirect(card)
    context = {"card": card, "report_form": form}
    if request.htmx:
        # 200, not 400: htmx 2 swaps only successful responses, and the errors must show.
        return render(request, "quizzes/reports/_report_form.html", context)
    return render(request, "quizzes/reports/report.html", context)
