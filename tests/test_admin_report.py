"""Editors read what learners reported, go to the card in one click, fix it and resolve
the report with the same save."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes.models import ProblemReport
from tests.editing_helpers import admin_form_data

pytestmark = pytest.mark.django_db

REPORTS = reverse("admin:quizzes_problemreport_changelist")


@pytest.fixture
def card(make_deck):
    return make_deck(3).cards.get(number=2)


@pytest.fixture
def report(card, alice):
    return ProblemReport.objects.create(
        card=card, reporter=alice, kind="wrong_answer", message="Layer 2, surely?"
    )


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def card_url(card):
    return reverse("admin:quizzes_card_change", args=[card.pk])


def test_the_report_list_leads_to_the_card_in_one_click(editor_client, report, card):
    page = BeautifulSoup(editor_client.get(REPORTS).text, "html.parser")

    links = [a["href"] for a in page.select("#result_list td.field-card_in_list a")]

    assert links == [card_url(card)]


def test_the_card_page_shows_its_open_reports_and_not_the_resolved_ones(
    editor_client, report, card, alice
):
    ProblemReport.objects.create(
        card=card, reporter=alice, kind="unclear", message="Old", resolved_at="2026-01-01T00:00Z"
    )

    page = BeautifulSoup(editor_client.get(card_url(card)).text, "html.parser")

    reports = page.select_one("#reports-group")
    messages = [div.get_text(strip=True) for div in reports.select(".field-message .readonly")]
    assert messages == ["Layer 2, surely?"]
    # Who reported it, by name: an editor may not open accounts.
    assert reports.select_one(".field-reported_by .readonly").get_text(strip=True) == "alice"
    assert not reports.select("a[href*='/auth/user/']")


def test_an_editor_fixes_the_card_and_resolves_the_report_in_one_save(editor_client, report, card):
    form = admin_form_data(
        editor_client.get(card_url(card)),
        answer_html="<p>Layer 2.</p>",
        **{"reports-0-resolved": "on"},
    )

    assert editor_client.post(card_url(card), form).status_code == 302

    report.refresh_from_db()
    card.refresh_from_db()
    assert report.resolved_at is not None
    assert card.answer_html == "<p>Layer 2.</p>"


def test_a_report_left_unticked_stays_open(editor_client, report, card):
    form = admin_form_data(editor_client.get(card_url(card)), answer_html="<p>Layer 2.</p>")

    editor_client.post(card_url(card), form)

    report.refresh_from_db()
    assert report.resolved_at is None


@pytest.fixture
def resolved_report(card, alice):
    return ProblemReport.objects.create(
        card=card, reporter=alice, kind="unclear", message="Old", resolved_at="2026-01-01T00:00Z"
    )


def listed_messages(response) -> list[str]:
    return [report.message for report in response.context["cl"].result_list]


def test_the_report_list_shows_the_open_reports_alone_by_default(
    editor_client, report, resolved_report
):
    response = editor_client.get(REPORTS)

    assert listed_messages(response) == ["Layer 2, surely?"]
    page = BeautifulSoup(response.text, "html.parser")
    state = page.select_one("#changelist-filter details[data-filter-title='state']")
    assert [a.get_text(strip=True) for a in state.select("li a")] == ["Open", "Resolved", "All"]
    assert state.select_one("li.selected").get_text(strip=True) == "Open"


@pytest.mark.parametrize(
    ("state", "shown"),
    [("open", ["Layer 2, surely?"]), ("resolved", ["Old"]), ("all", ["Layer 2, surely?", "Old"])],
)
def test_the_state_filter_shows_the_resolved_reports_on_request(
    editor_client, report, resolved_report, state, shown
):
    response = editor_client.get(REPORTS, {"resolved": state})

    assert sorted(listed_messages(response)) == sorted(shown)


def test_a_report_resolved_by_mistake_is_reopened(editor_client, report, resolved_report):
    response = editor_client.post(
        f"{REPORTS}?resolved=resolved",
        {"action": "reopen", "_selected_action": [resolved_report.pk, report.pk]},
        follow=True,
    )

    resolved_report.refresh_from_db()
    assert resolved_report.resolved_at is None
    assert [str(m) for m in response.context["messages"]] == ["1 report open again."]
    assert sorted(listed_messages(editor_client.get(REPORTS))) == ["Layer 2, surely?", "Old"]


def test_resolving_says_how_many_and_how_to_take_it_back(editor_client, report):
    response = editor_client.post(
        REPORTS, {"action": "mark_resolved", "_selected_action": [report.pk]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "1 report marked resolved (Reopen, under State: Resolved, takes it back)."
    ]
    assert listed_messages(response) == []
