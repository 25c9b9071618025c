"""The admin site, with its password change limited as the site's own is
(quizzes.forms.PasswordTriesLimited): Django's admin builds its form from a class it names
itself, so only a site of our own can change it."""

from django.contrib import admin
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse


class QuizsiteAdminSite(admin.AdminSite):
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
