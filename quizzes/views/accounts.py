"""Sign up and log in (Django's auth views in the site's look). Both give the attempts a
guest just played to the account, so a quiz taken before signing up is not lost."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from quizzes.forms import LimitedPasswordChangeForm, LoginForm, SignupForm
from quizzes.views import guests


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = LimitedPasswordChangeForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def form_valid(self, form):
        # Read before login: the session is rotated (and flushed for another user) there.
        attempt_ids = guests.guest_attempt_ids(self.request.session)
        response = super().form_valid(form)
        claimed = guests.guest_attempts_claim(self.request, attempt_ids)
        _say_saved(self.request, claimed)
        return response


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        attempt_ids = guests.guest_attempt_ids(request.session)
        user = form.save()
        login(request, user, backend="quizzes.auth.CachedModelBackend")
        claimed = guests.guest_attempts_claim(request, attempt_ids)
        messages.success(request, f"Welcome, {user.get_username()}! Your account is ready.")
        _say_saved(request, claimed)
        return redirect(_next_url(request) or "home")
    return render(request, "registration/signup.html", {"form": form})


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
