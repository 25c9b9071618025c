"""The admin site, with its password change limited as the site's own is
(quizzes.forms.PasswordTriesLimited): Django's admin builds its form from a class it names
itself, so only a site of our own can change it; and a malformed request refused with a 400
instead of a 500."""

import logging
from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.db import DataError
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.urls import reverse

logger = logging.getLogger(__name__)

# What Django's admin raises reading a request its own pages never send: an action on ids
# that are not ids (or too large for the column), a date filter's year no date has, a NUL
# in a filter (PostgreSQL).
MALFORMED_REQUEST_ERRORS = (ValueError, OverflowError, ValidationError, DataError)


class QuizsiteAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        checked_view = super().admin_view(view, cacheable)

        @wraps(checked_view)
        def view_refusing_malformed(request, *args, **kwargs):
            try:
                response = checked_view(request, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse):
                    response.render()  # a change list runs its query as it renders
                return response
            except MALFORMED_REQUEST_ERRORS as error:
                logger.warning(
                    "Refused a malformed admin request %s %s",
                    request.method,
                    request.get_full_path()[:300],
                    exc_info=True,
                )
                reason = f"The admin could not read it: {str(error)[:200]}"
                return render(request, "400.html", {"reason": reason}, status=400)

        return view_refusing_malformed

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
