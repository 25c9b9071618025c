from django import template

from quizzes.views.reports import ProblemReportForm

register = template.Library()


@register.simple_tag
def report_form_or_new(form=None):
    """The bound form when a page has one (to show its errors), else an empty one."""
    return form or ProblemReportForm()
