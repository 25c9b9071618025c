"""Sign up and log in (Django's auth views in the site's look). Both give the attempts a
guest just played to the account, so a quiz taken before signing up is not lost. A
forgotten password reset by email, to an address its owner confirmed. The account page:
the email, the learner's data to download, and the account to delete."""

import json
import math
import time

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from quizzes import throttling
from quizzes.forms import (
    AccountDeleteForm,
    AccountEmailForm,
    LimitedPasswordChangeForm,
    LimitedPasswordResetForm,
    LoginForm,
    SignupForm,
    look_alike_error,
)
from quizzes.services import accounts as account_services
from quizzes.services import reviews
from quizzes.views import guests
from quizzes.views.limits import too_many_requests
from quizzes.views.login import login_required


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = LimitedPasswordChangeForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="throttled"):
            response.status_code = 429
        return response

    def form_valid(self, form):
        # Read before login: the session key changes (and the session is flushed for
        # another user) there.
        guest_session_key = guests.guest_session_key(self.request.session)
        response = super().form_valid(form)
        claimed = guests.guest_attempts_claim(self.request, guest_session_key)
        _say_saved(self.request, claimed)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:  # the page it lands on says so (a shared computer's next user too)
            messages.info(request, "You are logged out.")
        return response


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    valid = form.is_valid()
    # Counted once the form is right: a typo sent back spends nothing.
    if valid and not throttling.signup_allowed(
        client_ip=get_client_ip_address(request), now=time.time()
    ):
        return _signup_refused(request, form)
    if valid and (user := _signup_save(form)) is not None:
        if time_zone := form.cleaned_data.get("time_zone"):
            reviews.time_zone_set(user=user, time_zone=time_zone)
        guest_session_key = guests.guest_session_key(request.session)
        login(request, user, backend="quizzes.auth.CachedModelBackend")
        claimed = guests.guest_attempts_claim(request, guest_session_key)
        messages.success(request, f"Welcome, {user.get_username()}! Your account is ready.")
        if (email := form.cleaned_data.get("email")) and not _email_confirmation_ask(
            request, user, email
        ):
            messages.warning(
                request,
                f"No link went to {email}: several were sent there lately. Add it later on "
                "your account page.",
            )
        _say_saved(request, claimed)
        return redirect(_next_url(request) or "home")
    return render(request, "registration/signup.html", {"form": form})


def _signup_refused(request, form: SignupForm) -> HttpResponse:
    """The form again, with a 429 that says when another account can be made."""
    wait = throttling.window_left(window_seconds=throttling.SIGNUP_WINDOW, now=time.time())
    form.add_error(
        None,
        "Several accounts were made from your address this hour: try again in "
        f"{math.ceil(wait / 60)} minutes.",
    )
    response = render(request, "registration/signup.html", {"form": form}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _signup_save(form: SignupForm):
    """The new account, or None when its name, or one that looks like it, was taken
    between the form's check and the save (two sign-ups of one name or look-alike names at
    once, or one sent twice by a double click): the form then says so, as it does for a
    name taken before."""
    username = form.cleaned_data["username"]
    taken_error = form.instance.unique_error_message(type(form.instance), ["username"])
    try:
        with transaction.atomic():
            taken = account_services.username_look_alike_taken(username=username, locked=True)
            if taken is None:
                return form.save()
    except IntegrityError:
        taken = username
    same = taken.casefold() == username.casefold()
    form.add_error("username", taken_error if same else look_alike_error(taken))
    return None


class PasswordResetAvailable:
    """The reset pages only where the site can send email (settings.QUIZSITE_PASSWORD_RESET);
    elsewhere a page that says whom to ask."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.QUIZSITE_PASSWORD_RESET:
            return render(request, "registration/password_reset_unavailable.html", status=404)
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(PasswordResetAvailable, auth_views.PasswordResetView):
    # Its form asks the worker to write the email (services.accounts).
    form_class = LimitedPasswordResetForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client_ip": get_client_ip_address(self.request)}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("email", code="throttled"):
            response.status_code = 429
        return response


class PasswordResetDoneView(PasswordResetAvailable, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(PasswordResetAvailable, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever reads the account's email may choose its password: a lock from wrong
        # passwords (django-axes, per name and client address) would only keep its owner
        # out for the rest of the hour. Lifted for the address the owner reset from (the
        # only one Redis's lock keys can be found by; locks elsewhere are not theirs).
        axes_reset(ip=get_client_ip_address(self.request), username=form.user.get_username())
        return response


class PasswordResetCompleteView(PasswordResetAvailable, auth_views.PasswordResetCompleteView):
    pass


def _say_saved(request, claimed: int) -> None:
    if claimed == 1:
        messages.success(request, "Your quiz from just now is saved to your account.")
    elif claimed:
        messages.success(
            request, f"Your {claimed} quizzes from just now are saved to your account."
        )


def _next_url(request) -> str | None:
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _account_page(
    request,
    *,
    delete_form: AccountDeleteForm | None = None,
    email_form: AccountEmailForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = {
        "email_waiting": account_services.email_waiting(user=user, now=timezone.now()),
        "figures": account_services.account_figures(user=user),
        "delete_form": delete_form or AccountDeleteForm(user),
        "email_form": email_form or AccountEmailForm(user, initial={"email": user.email}),
        "can_delete": account_services.account_deletable(user=user),
    }
    return render(request, "registration/account.html", context, status=status)


@login_required
@require_safe
def account(request):
    return _account_page(request)


@login_required
@require_POST
def account_email(request):
    form = AccountEmailForm(request.user, request.POST)
    if not form.is_valid():
        return _account_page(request, email_form=form)
    user, email = request.user, form.cleaned_data["email"]
    if not email:
        account_services.account_email_set(user=user, email="")
        messages.success(request, "Your email is removed: no reset link can be sent now.")
    elif account_services.normalized_email(email) == user.email:
        messages.info(request, f"{user.email} is your email already.")
    elif not settings.QUIZSITE_PASSWORD_RESET:
        form.add_error("email", "This site sends no email, so it cannot confirm an address.")
        return _account_page(request, email_form=form, status=400)
    elif not _email_confirmation_ask(request, user, email):
        form.add_error(
            "email",
            "Several confirmation links were sent lately, from here or to this address: open "
            "one of those (look in the spam folder too), or try again within the hour.",
        )
        return _account_page(request, email_form=form, status=429)
    return redirect("account")


def _email_confirmation_ask(request, user, email: str) -> bool:
    """Send `email` a link that keeps it as `user`'s address, and say so; False when the
    account, the address or the client had too many lately (throttling)."""
    if not throttling.email_confirmation_allowed(
        user_id=user.pk, email=email, client_ip=get_client_ip_address(request), now=time.time()
    ):
        return False
    account_services.email_confirmation_ask(
        user=user,
        email=email,
        domain=get_current_site(request).domain,
        use_https=request.is_secure(),
        now=timezone.now(),
    )
    messages.info(
        request,
        f"We sent a link to {email}: open it, signed in here, to keep this address for a "
        "forgotten password (it works for a day).",
    )
    return True


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@sensitive_variables("token")
def email_confirm(request, token):
    """The link sent to a new address: a page that asks to confirm it (an email scanner
    that opens links must not confirm anything), then keeps it. Only for the account's
    owner, signed in: the link proves its reader has the mailbox, which a stranger holding
    a mistyped address has too; elsewhere the page asks them to log in."""
    try:
        asked = account_services.email_confirmation_read(token)
    except account_services.EmailConfirmationInvalid as error:
        return render(
            request, "registration/email_confirm.html", {"problem": str(error)}, status=400
        )
    owner = request.user.is_authenticated and request.user.pk == asked.user.pk
    confirmed = asked.already
    if request.method == "POST" and owner and not confirmed:
        account_services.account_email_set(user=asked.user, email=asked.email)
        confirmed = True
    context = {"asked": asked, "confirmed": confirmed, "owner": owner, "token": token}
    status = 403 if request.method == "POST" and not owner and not confirmed else 200
    return render(request, "registration/email_confirm.html", context, status=status)


@login_required
@require_safe
@never_cache
def account_export(request):
    """Everything the site keeps of the learner, as one JSON file to save."""
    now = timezone.now()
    if not throttling.data_export_allowed(user_id=request.user.pk, now=now.timestamp()):
        wait = throttling.window_left(
            window_seconds=throttling.DATA_EXPORT_WINDOW, now=now.timestamp()
        )
        message = (
            f"Your data was downloaded {throttling.DATA_EXPORTS_PER_HOUR} times this hour: "
            f"try again in {wait // 60 + 1} minutes."
        )
        return too_many_requests(request, message, retry_after=wait)
    data = account_services.account_export(user=request.user, now=now)
    filename = f"quizsite-{request.user.get_username()}-{now:%Y-%m-%d}.json"
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@login_required
@require_POST
def account_delete(request):
    # A staff account is refused before its password is checked (the page says why).
    if not account_services.account_deletable(user=request.user):
        return _account_page(request, status=403)
    form = AccountDeleteForm(request.user, request.POST)
    if not form.is_valid():
        return _account_page(request, delete_form=form)
    username = request.user.get_username()
    account_services.account_delete(user=request.user)
    logout(request)
    messages.success(request, f"The account {username} and everything kept for it are deleted.")
    return redirect("home")
