"""A learner's study settings, their progress charts, and "Quiz me on these"."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from quizzes import charts
from quizzes.forms_study import QuizTheseForm, StudySettingsForm
from quizzes.services import attempts as attempt_services
from quizzes.services import fsrs_fitting, reviews
from quizzes.services import study_progress as progress_services
from quizzes.views.limits import quiz_starts_limited
from quizzes.views.login import login_required


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def study_settings(request):
    settings = reviews.learner_settings(user=request.user)
    form = StudySettingsForm(request.POST if request.method == "POST" else None, instance=settings)
    if form.is_valid():
        rescheduled = reviews.settings_update(
            user=request.user, now=timezone.now(), **form.cleaned_data
        )
        messages.success(request, f"Your study settings are saved.{_rescheduled(rescheduled)}")
        return redirect("study_settings")
    status = 400 if form.is_bound else 200
    return render(
        request, "quizzes/study/settings.html", {"form": form, "settings": settings}, status=status
    )


def _rescheduled(cards: int) -> str:
    if not cards:
        return ""
    plural = "s" if cards != 1 else ""
    return f" {cards} review card{plural} rescheduled for your new settings."


@require_POST
@login_required
def study_parameters_fit(request):
    """Fit the learner's FSRS parameters in the background worker (a fit takes seconds of
    CPU), once their reviews are enough to fit; otherwise say how many more it needs."""
    readiness = fsrs_fitting.fit_readiness(user=request.user)
    settings = reviews.learner_settings(user=request.user)
    if not readiness.fitted:
        messages.info(request, readiness.not_yet)
    elif settings.parameters_fitted_at and settings.parameters_review_count == readiness.reviews:
        messages.info(request, "Your parameters are already fitted to all your reviews.")
    elif fsrs_fitting.parameters_fit_wanted(user=request.user):
        messages.success(
            request,
            f"Fitting your parameters to your {readiness.reviews} reviews: it takes a "
            "moment, then your reviews are scheduled with them.",
        )
    else:
        messages.info(
            request,
            "Your parameters are being fitted already: reload this page in a moment to see them.",
        )
    return redirect("study_settings")


@require_safe
@login_required
def study_progress(request):
    figures = progress_services.progress_figures(user=request.user, now=timezone.now())
    context = {
        "figures": figures,
        "forecast_chart": charts.bar_chart(figures.forecast),
        "heatmap": charts.heatmap(figures.reviews_per_day, end=figures.today),
        "retention_chart": charts.line_chart(figures.retention),
        "state_chart": charts.stacked_bar(figures.states),
    }
    return render(request, "quizzes/study/progress.html", context)


@require_POST
@login_required
@quiz_starts_limited
def quiz_these(request):
    """A multiple-choice quiz (20 s a question) on the cards posted, from "my cards"."""
    form = QuizTheseForm(request.POST)
    if not form.is_valid():
        context = {"message": "Choose the cards to quiz on."}
        return render(request, "quizzes/play/bad_request.html", context, status=400)
    try:
        attempt = attempt_services.attempt_start_cards(
            user=request.user, card_ids=form.cleaned_data["cards"], now=timezone.now()
        )
    except attempt_services.QuizUnavailable as error:
        messages.info(request, str(error))
        return redirect("my_cards")
    url = reverse("attempt_play", args=[attempt.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
