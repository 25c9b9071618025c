"""Setting up and playing a quiz. With htmx the page swaps fragments into #quiz-stage;
without JavaScript the same URLs serve full pages and plain form posts play the quiz."""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.validators import slug_re
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url, reswap, retarget

from quizzes import engine
from quizzes.forms import AnswerForm, QuizSetupForm
from quizzes.models import Attempt, Deck
from quizzes.services import attempts as attempt_services
from quizzes.services import cards as card_services
from quizzes.services import challenges as challenge_services
from quizzes.services import reviews as review_services
from quizzes.typed_answers import TYPED_SCORING_RULE
from quizzes.views import guests
from quizzes.views.limits import quiz_starts_limited
from quizzes.views.login import login_again

# How long after a question's deadline (and the grace) the countdown asks the server about it.
ASK_MARGIN = timedelta(milliseconds=300)
# For the second of two tabs (or a double submit) answering the same question.
ALREADY_ANSWERED = (
    "This question had already been answered (in another tab or window?): "
    "below is the answer that was recorded."
)
# For an answer that made its card a leech (the leech rule counts a quiz's lapses too), as
# the review page says it; the feedback links to the suspended cards.
LEECH_SUSPENDED = (
    "This card is a leech now: you keep forgetting it, so it leaves your reviews for now. "
    "Your suspended cards bring it back."
)
# For an answer that came after the clock closed its question (or the quiz).
TIME_RAN_OUT = "Time ran out for this question before your answer arrived: it was not recorded."


def _not_recorded(question) -> str:
    """What an answer that was not recorded is told, above the feedback."""
    return TIME_RAN_OUT if question.closed_by_clock else ALREADY_ANSWERED


def _owner(request) -> dict:
    """Who owns the attempts this request may play, as the services take it."""
    return {
        "user": request.user,
        "guest_session_key": guests.guest_session_key(request.session),
    }


def _get_attempt_for_user(request, pk) -> Attempt:
    """The attempt if the request's user (or guest session) owns it; 404 for anyone else."""
    attempt = attempt_services.attempt_get_owned(**_owner(request), attempt_id=pk)
    if attempt is None:
        raise Http404("No such quiz.")
    return attempt


def _get_open_attempt_for_user(request, pk) -> tuple[Attempt, list]:
    """The same, with its unanswered questions, usually in one query (see attempt_open)."""
    attempt, unanswered = attempt_services.attempt_open(**_owner(request), attempt_id=pk)
    if attempt is None:
        raise Http404("No such quiz.")
    return attempt, unanswered


def _signed_out_learner_logs_in(view):
    """A learner's quiz asked with no one signed in (their session ended: logged out in
    another tab, or after a while away) is theirs to go on with once logged in again, not
    "No such quiz". Asked only when the quiz was not found: a guest's play pays nothing."""

    @wraps(view)
    def wrapper(request, pk, **kwargs):
        try:
            return view(request, pk, **kwargs)
        except Http404:
            if request.user.is_authenticated:
                raise
            if not Attempt.objects.filter(pk=pk, user__isnull=False).exists():
                raise
            return login_again(request, back_to=reverse("attempt_play", args=[pk]))

    return wrapper


def _start_for(request, start, **kwargs) -> Attempt:
    """Run an `attempt_services.attempt_start*` function for this user or guest."""
    if request.user.is_authenticated:
        return start(user=request.user, session_key="", now=timezone.now(), **kwargs)
    session_key = guests.guest_session_key(request.session, create=True)
    return start(user=request.user, session_key=session_key, now=timezone.now(), **kwargs)


def _swaps(request) -> bool:
    """An htmx request that swaps a part of the page. A history restore (htmx's Back to an
    address it pushed, its own copy of the page gone) puts what it gets in place of the
    whole body, so it gets the whole page, as a plain request does."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _bad_request(request, message: str) -> HttpResponse:
    """400 with a readable message: a page, or for htmx the message alone, which takes the
    place of the error slot above the question (htmx-config in base.html swaps a 4xx)."""
    context = {"message": message}
    if not _swaps(request):
        return render(request, "quizzes/play/bad_request.html", context, status=400)
    response = render(request, "quizzes/play/bad_request.html#error", context, status=400)
    return retarget(reswap(response, "outerHTML"), "#quiz-error")


def _redirect(request, url: str) -> HttpResponse:
    """To `url`, an address. Not through `redirect`, which first tries it as a view's name
    (a failed reversal, ~45 Python calls of every quiz start)."""
    return HttpResponseClientRedirect(url) if _swaps(request) else HttpResponseRedirect(url)


def _say_if_fewer_fit(request, attempt: Attempt, *, asked: int) -> None:
    if attempt.question_count < asked:
        messages.info(
            request,
            f"Only {attempt.question_count} cards fit these settings: "
            f"the quiz has {attempt.question_count} questions.",
        )


def _default_deck(request, decks) -> Deck | None:
    """The deck named by ?deck=, else the one this learner last played, else the largest."""
    chosen = next((deck for deck in decks if deck.slug == request.GET.get("deck")), None)
    return chosen or attempt_services.default_deck(
        user=request.user, guest_session_key=guests.guest_session_key(request.session), decks=decks
    )


@require_http_methods(["GET", "HEAD", "POST"])
@quiz_starts_limited
def quiz_setup(request):
    decks = attempt_services.quiz_decks()
    initial = {"deck": _default_deck(request, decks)}
    form = QuizSetupForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        smart = data["smart"] and request.user.is_authenticated
        config = attempt_services.QuizConfig(
            deck=data["deck"],
            question_count=data["question_count"],
            mode=engine.QuizMode(data["mode"]),
            time_limit=data["time_limit"],
            tags=tuple(data["tags"]),
            card_ids=tuple(
                review_services.smart_quiz_card_ids(
                    user=request.user, deck_id=data["deck"].pk, now=timezone.now()
                )
            )
            if smart
            else (),
        )
        try:
            attempt = _start_for(request, attempt_services.attempt_start, config=config)
        except attempt_services.QuizUnavailable as error:
            form.add_error(None, str(error))
        else:
            _say_if_fewer_fit(request, attempt, asked=config.question_count)
            return _redirect(request, reverse("attempt_play", args=[attempt.pk]))
    deck = (form.cleaned_data.get("deck") if form.is_bound else None) or initial["deck"]
    pools = {}
    if deck is not None:
        summary = attempt_services.quiz_pool_summary(deck=deck)
        pools = {mode.label: summary[mode.value] for mode in Attempt.Mode}
    context = {
        "form": form,
        "deck": deck,
        "decks": decks,
        # Two decks "Biology" are named by their slugs too, as the home page's tree names them.
        "named_alike": card_services.tree_scopes_kept().named_alike,
        "pools": pools,
        "time_for_length_rule": engine.TIME_FOR_LENGTH_RULE,
        "typing_rule": engine.TYPING_RULE,
    }
    return render(request, "quizzes/play/setup.html", context)


@require_POST
@quiz_starts_limited
def quiz_quick(request):
    """Start a Quick quiz on the deck posted (by slug), or on the learner's default deck."""
    if slug := request.POST.get("deck"):
        # Only a slug is looked up: PostgreSQL refuses a NUL byte in any query.
        deck = attempt_services.quiz_deck(slug=slug) if slug_re.fullmatch(slug) else None
        if deck is None:
            return _bad_request(request, "There is no such deck.")
    else:
        deck = _default_deck(request, attempt_services.quiz_decks())
    if deck is None:
        messages.error(request, "No deck is loaded yet, so there is no quiz to take.")
        return _redirect(request, reverse("home"))
    try:
        attempt = _start_for(request, attempt_services.attempt_start_quick, deck=deck)
    except attempt_services.QuizUnavailable as error:
        return _bad_request(request, str(error))
    _say_if_fewer_fit(request, attempt, asked=attempt_services.QUICK_QUIZ_QUESTIONS)
    return _redirect(request, reverse("attempt_play", args=[attempt.pk]))


PAGE = "quizzes/play/play.html"


def _milliseconds(span: timedelta) -> int:
    return int(span.total_seconds() * 1000)


def _question_response(request, attempt: Attempt, question, *, now) -> HttpResponse:
    remaining = engine.time_left(deadline=question.deadline_at, now=now)
    context = {
        "attempt": attempt,
        "question": question,
        "remaining_ms": None if remaining is None else _milliseconds(remaining),
        "whole_quiz": attempt.time_limit_kind == Attempt.TimeLimitKind.WHOLE_QUIZ,
    }
    if remaining is not None:
        # When the countdown asks how the question went: after the grace for answers still on
        # their way, and a moment more so the server's clock has passed the deadline too.
        context["ask_after_ms"] = _milliseconds(remaining + engine.ANSWER_GRACE + ASK_MARGIN)
    # A fragment brings the page's title along; a whole page has its own.
    context["fragment"] = fragment = _swaps(request)
    return render(request, f"{PAGE}#question" if fragment else PAGE, context)


def _feedback_response(
    request,
    attempt: Attempt,
    question,
    *,
    now,
    notice: str = "",
    counts_moved: bool = False,
    became_leech: bool = False,
) -> HttpResponse:
    """`counts_moved`: the answer changed the navigation's "Review (N)", which the fragment
    then brings along (counted only then: most answers leave it as it was). `became_leech`:
    it made the card a leech, suspended from the reviews, which the feedback says."""
    context = {"attempt": attempt, "question": question, "notice": notice}
    context["review_counts_moved"] = counts_moved
    context["became_leech"] = became_leech
    # A whole-quiz clock runs on while the learner reads the feedback: it stays in view.
    remaining = engine.time_left(deadline=attempt.deadline_at, now=now)
    if remaining is not None and not attempt.is_finished:
        context.update(
            remaining_ms=_milliseconds(remaining),
            whole_quiz=True,
            ask_after_ms=_milliseconds(remaining + engine.ANSWER_GRACE + ASK_MARGIN),
        )
    # A fragment brings the page's title along; a whole page has its own.
    context["fragment"] = fragment = _swaps(request)
    return render(request, f"{PAGE}#feedback" if fragment else PAGE, context)


def _to_question(request, attempt: Attempt, position: int) -> HttpResponse:
    return _redirect(request, attempt.question_url(position))


@require_safe
@never_cache
@vary_on_headers("HX-Request")
@_signed_out_learner_logs_in
def attempt_play(request, pk):
    """Where the quiz stands: the current question's address, or the result. An htmx caller
    (the whole-quiz clock on a feedback screen, a script) gets the current question in place,
    its address pushed to the address bar."""
    attempt, unanswered = _get_open_attempt_for_user(request, pk)
    now = timezone.now()
    question = attempt_services.question_current(attempt=attempt, now=now, unanswered=unanswered)
    if question is None:
        return _redirect(request, reverse("attempt_result", args=[attempt.pk]))
    if _swaps(request):
        response = _question_response(request, attempt, question, now=now)
        return push_url(response, question.url)
    return _to_question(request, attempt, question.position)


# Never from a cache, not even for Back: the browser asks, and the page shows where the quiz
# stands now (a question answered since it was last shown comes back as its feedback).
@require_safe
@never_cache
@vary_on_headers("HX-Request")
@_signed_out_learner_logs_in
def attempt_question(request, pk, position):
    """A question's own address: the question while it is the one asked, its feedback once
    answered (Back from the next question lands here), and for a question not reached yet,
    the one the quiz stands at. The countdown asks here when time runs out."""
    attempt, unanswered = _get_open_attempt_for_user(request, pk)
    now = timezone.now()
    if not 1 <= position <= attempt.question_count:
        raise Http404("This quiz has no such question.")
    question = attempt_services.question_at(
        attempt=attempt, position=position, now=now, unanswered=unanswered
    )
    if question is None:
        return _redirect(request, reverse("attempt_result", args=[attempt.pk]))
    if question.is_answered:
        # Asked by the countdown, the clock has just closed the question, most often: its
        # timeout fed the learner's memory of the card (kept counts when it did not).
        signed_in = request.user.is_authenticated
        return _feedback_response(
            request,
            attempt,
            question,
            now=now,
            counts_moved=_swaps(request) and signed_in,
            became_leech=signed_in
            and review_services.timeout_made_leech(user=request.user, question=question),
        )
    if question.position != position:
        return _to_question(request, attempt, question.position)
    return _question_response(request, attempt, question, now=now)


@require_POST
@_signed_out_learner_logs_in
def attempt_answer(request, pk):
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _get_attempt_for_user(request, pk)  # someone else's quiz: 404 first
        return _bad_request(request, "That answer could not be read: choose one of the answers.")
    # The attempt and the question in one query; when there is none, the reason.
    question = attempt_services.question_get_owned(
        **_owner(request), attempt_id=pk, position=form.cleaned_data["position"]
    )
    if question is None:
        _get_attempt_for_user(request, pk)
        return _bad_request(request, "This quiz has no such question.")
    attempt = question.attempt
    now = timezone.now()
    try:
        receipt = attempt_services.answer_submit(
            attempt=attempt,
            question=question,
            choice_id=form.cleaned_data["choice"] or None,
            knew=form.cleaned_data["grade"],
            typed=form.cleaned_data["typed"],
            now=now,
        )
    except attempt_services.AnswerRejected as error:
        return _bad_request(request, str(error))
    if request.htmx:
        return _feedback_response(
            request,
            attempt,
            question,
            now=now,
            notice="" if receipt.recorded else _not_recorded(question),
            counts_moved=receipt.review_counts_moved,
            became_leech=receipt.became_leech,
        )
    if not receipt.recorded:
        messages.warning(request, _not_recorded(question))
    if receipt.became_leech:
        messages.info(request, LEECH_SUSPENDED)
    return redirect(attempt.question_url(question.position))


@require_safe
@_signed_out_learner_logs_in
def attempt_result(request, pk):
    attempt = _get_attempt_for_user(request, pk)
    attempt_services.attempt_refresh(attempt=attempt, now=timezone.now())
    if not attempt.is_finished:
        return redirect("attempt_play", attempt.pk)
    questions = attempt_services.attempt_questions_for_result(attempt=attempt)
    summary = attempt_services.questions_summary(questions)
    context = {
        "attempt": attempt,
        "questions": questions,
        "summary": summary,
        "scoring_rule": engine.SCORING_RULE,
        "typed_scoring_rule": TYPED_SCORING_RULE,
        "ranked_per_day_rule": engine.RANKED_PER_DAY_RULE,
        "played_as_guest_rule": engine.PLAYED_AS_GUEST_RULE,
        "original": attempt.challenge_of,
        "comparison": challenge_services.challenge_comparison(attempt=attempt, questions=questions),
        "challenges": challenge_services.challenge_results(attempt=attempt),
        "challenge_url": request.build_absolute_uri(reverse("challenge", args=[attempt.pk])),
        "can_retry": summary.correct < summary.question_count,
    }
    return render(request, "quizzes/play/result.html", context)


@require_POST
@quiz_starts_limited
@_signed_out_learner_logs_in
def attempt_retry(request, pk):
    attempt = _get_attempt_for_user(request, pk)
    if not attempt.is_finished:
        return _bad_request(request, "Finish this quiz before retrying it.")
    try:
        retry = _start_for(request, attempt_services.attempt_start_retry, attempt=attempt)
    except attempt_services.QuizUnavailable as error:
        messages.info(request, str(error))
        return _redirect(request, reverse("attempt_result", args=[attempt.pk]))
    return _redirect(request, reverse("attempt_play", args=[retry.pk]))


def _get_challengeable(pk) -> Attempt:
    return get_object_or_404(Attempt.objects.finished().select_related("deck", "user"), pk=pk)


# HEAD too: a chat app's link preview or a link checker asks so before showing the link.
@require_safe
def challenge(request, pk):
    """The page a challenge link opens: what the quiz is and how its owner did."""
    original = _get_challengeable(pk)
    is_owner = request.user.is_authenticated and original.user_id == request.user.pk
    return render(
        request,
        "quizzes/play/challenge.html",
        {
            "original": original,
            "is_owner": is_owner,
            "challenges": challenge_services.challenge_results(attempt=original),
            "named_alike": card_services.tree_scopes_kept().named_alike,
        },
    )


@require_POST
@quiz_starts_limited
def challenge_accept(request, pk):
    original = _get_challengeable(pk)
    attempt = _start_for(request, attempt_services.attempt_start_challenge, original=original)
    return _redirect(request, reverse("attempt_play", args=[attempt.pk]))
