"""Problem reports: learners flag a card as wrong, unclear or broken; editors resolve them."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from quizzes.models import Card, ProblemReport


def report_create(
    *, card: Card, reporter: AbstractBaseUser, kind: str, message: str = ""
) -> ProblemReport:
    """File a report; the same report sent again while it is open (a double click, a
    replayed request) returns the first instead of adding a copy."""
    fields = {"card": card, "reporter": reporter, "kind": kind, "message": message.strip()}
    open_copy = ProblemReport.objects.filter(**fields, resolved_at__isnull=True).first()
    return open_copy or ProblemReport.objects.create(**fields)


def reports_resolve(*, reports: QuerySet[ProblemReport]) -> int:
    """Mark the open ones among `reports` resolved now; return how many that was."""
    return reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


def reports_reopen(*, reports: QuerySet[ProblemReport]) -> int:
    """Open again the resolved ones among `reports` (one resolved by mistake); return how
    many that was."""
    return reports.filter(resolved_at__isnull=False).update(resolved_at=None)
