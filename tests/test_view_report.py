"""Reporting a problem with a card: the form on the card page, its htmx and plain posts,
and the reports in the admin."""

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from quizzes import throttling
from quizzes.models import ProblemReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(make_deck):
    return make_deck(3).cards.get(number=2)


def report_url(card):
    return reverse("card_report", args=[card.deck.slug, card.number])


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_the_card_page_offers_the_form_to_a_signed_in_user(alice_client, card):
    response = alice_client.get(card.get_absolute_url())

    assert "Report a problem with this card" in response.text
    assert f'action="{report_url(card)}"' in response.text
    assert f'hx-post="{report_url(card)}"' in response.text
    assert 'value="broken_image"' in response.text


def test_the_form_offers_the_four_kinds_as_required_radios_without_a_blank_choice(
    alice_client, card
):
    response = alice_client.get(card.get_absolute_url())

    assert "---------" not in response.text
    assert response.text.count('type="radio" name="kind"') == 4
    assert 'value=""' not in response.text
    assert response.text.count('name="kind" value="') == 4
    assert response.text.count("required") >= 4


def test_the_form_is_folded_on_the_card_page_and_unfolded_on_its_own_page(alice_client, card):
    card_page = alice_client.get(card.get_absolute_url())
    report_page = alice_client.get(report_url(card))

    assert "<details>" in card_page.text
    # Its own page's heading says what the form is for: no fold repeats it.
    assert "<details" not in report_page.text
    assert "Report a problem with this card" not in report_page.text
    assert f'action="{report_url(card)}"' in report_page.text
    assert f'hx-post="{report_url(card)}"' not in report_page.text
    assert report_page.text.count('type="radio" name="kind"') == 4


def test_the_card_page_asks_a_guest_to_log_in(client, card):
    response = client.get(card.get_absolute_url())

    assert "Log in to report a problem" in response.text
    assert f"{reverse('login')}?next=" in response.text
    assert "Send report" not in response.text


def test_an_htmx_report_is_saved_and_swaps_in_a_thank_you(alice_client, alice, card):
    response = alice_client.post(
        report_url(card),
        {"kind": "wrong_answer", "message": "The answer says 3, it is 4."},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Thank you" in response.text
    assert "<html" not in response.text
    report = ProblemReport.objects.get()
    assert (report.card, report.reporter, report.kind) == (card, alice, "wrong_answer")
    assert report.message == "The answer says 3, it is 4."
    assert report.resolved_at is None


def test_a_plain_post_redirects_to_the_card_with_a_message(alice_client, card):
    response = alice_client.post(report_url(card), {"kind": "unclear"}, follow=True)

    assert response.redirect_chain[0] == (card.get_absolute_url(), 302)
    assert "Thank you" in response.text
    assert ProblemReport.objects.get().message == ""


def test_a_bad_htmx_post_shows_the_form_again_with_errors(alice_client, card):
    response = alice_client.post(
        report_url(card), {"kind": "nonsense"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert 'id="report"' in response.text
    assert not ProblemReport.objects.exists()


def test_a_bad_plain_post_shows_a_page_with_the_form(alice_client, card):
    response = alice_client.post(report_url(card), {"message": "no kind"})

    assert response.status_code == 200
    assert "<html" in response.text
    assert "This field is required" in response.text
    assert "no kind" in response.text
    assert not ProblemReport.objects.exists()


def test_a_message_longer_than_the_limit_is_refused(alice_client, card):
    response = alice_client.post(
        report_url(card), {"kind": "other", "message": "x" * 1001}, headers={"HX-Request": "true"}
    )

    assert "at most 1000 characters" in response.text
    assert not ProblemReport.objects.exists()


def test_get_shows_the_form_on_its_own_page(alice_client, card):
    response = alice_client.get(report_url(card))

    assert response.status_code == 200
    assert "Report a problem with card 2" in response.text
    assert "Question 2 about tensor2?" in response.text


def test_a_guest_is_sent_to_the_login_page(client, card):
    response = client.post(report_url(card), {"kind": "other"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not ProblemReport.objects.exists()


def test_an_unknown_card_is_not_found(alice_client, card):
    response = alice_client.post(
        reverse("card_report", args=[card.deck.slug, 999]), {"kind": "other"}
    )

    assert response.status_code == 404


def test_other_methods_are_refused(alice_client, card):
    assert alice_client.put(report_url(card)).status_code == 405


def test_the_post_needs_the_csrf_token(alice, card):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(report_url(card), {"kind": "other"})

    assert response.status_code == 403
    assert not ProblemReport.objects.exists()


# --- in the admin ---


@pytest.fixture
def reports(card, alice):
    return [
        ProblemReport.objects.create(card=card, reporter=alice, kind="unclear", message="Hm?"),
        ProblemReport.objects.create(card=card, reporter=alice, kind="broken_image"),
    ]


def test_the_admin_lists_reports_with_card_kind_and_reporter(client, staff, reports):
    client.force_login(staff)

    response = client.get(reverse("admin:quizzes_problemreport_changelist"))

    assert "synthetic #2" in response.text
    assert "An image is missing or broken" in response.text
    assert "alice" in response.text


def test_the_admin_marks_reports_resolved(client, staff, reports):
    client.force_login(staff)

    client.post(
        reverse("admin:quizzes_problemreport_changelist"),
        {"action": "mark_resolved", "_selected_action": [reports[0].pk]},
    )

    reports[0].refresh_from_db()
    reports[1].refresh_from_db()
    assert reports[0].resolved_at is not None
    assert reports[1].resolved_at is None


def test_the_admin_filters_open_reports(client, staff, reports):
    client.force_login(staff)
    client.post(
        reverse("admin:quizzes_problemreport_changelist"),
        {"action": "mark_resolved", "_selected_action": [reports[0].pk]},
    )

    response = client.get(reverse("admin:quizzes_problemreport_changelist"), {"resolved": "open"})

    assert list(response.context["cl"].result_list) == [reports[1]]


def test_the_card_list_counts_open_reports(client, staff, card, reports):
    client.force_login(staff)

    response = client.get(reverse("admin:quizzes_card_changelist"))

    listed = next(row for row in response.context["cl"].result_list if row.pk == card.pk)
    assert listed.open_report_count == 2


def test_staff_cannot_add_a_report_in_the_admin(client, staff, db):
    client.force_login(staff)

    assert client.get(reverse("admin:quizzes_problemreport_add")).status_code == 403


def test_the_same_report_sent_twice_is_kept_once(alice_client, card):
    for _ in range(2):
        alice_client.post(report_url(card), {"kind": "unclear", "message": "Which?"})

    assert ProblemReport.objects.count() == 1


def test_a_learner_sending_reports_in_a_loop_is_told_to_wait(alice_client, bob, card):
    # Each report waits for an editor: a script sending them with a new message each time
    # would bury the real ones (and fill the table).
    bobs = Client()
    bobs.force_login(bob)
    with time_machine.travel("2025-03-05 12:00:00Z", tick=False) as traveller:
        for number in range(throttling.REPORTS_PER_HOUR):
            alice_client.post(report_url(card), {"kind": "unclear", "message": f"Spam {number}"})
        refused = alice_client.post(report_url(card), {"kind": "unclear", "message": "More"})
        htmx = alice_client.post(
            report_url(card), {"kind": "unclear", "message": "More"}, headers={"HX-Request": "true"}
        )
        by_bob = bobs.post(report_url(card), {"kind": "unclear", "message": "Real one"})
        traveller.shift(3600)
        next_hour = alice_client.post(report_url(card), {"kind": "unclear", "message": "Later"})

    assert refused.status_code == 429
    assert "You sent many reports this hour" in refused.text
    # htmx swaps a 4xx into the whole page: the form comes back in place, with the reason.
    assert htmx.status_code == 200 and "You sent many reports this hour" in htmx.text
    assert (by_bob.status_code, next_hour.status_code) == (302, 302)
    assert ProblemReport.objects.count() == throttling.REPORTS_PER_HOUR + 2


def test_its_breadcrumb_names_the_deck_apart_from_another_of_its_name(
    alice_client, card, make_deck, django_assert_num_queries
):
    make_deck(1, slug="synthetic-b", name="synthetic SYNTHETIC")
    alice_client.get(report_url(card))
    # As many queries as with one deck of the name: the decks' tree is kept.
    with django_assert_num_queries(2):
        response = alice_client.get(report_url(card))
    crumb = BeautifulSoup(response.text, "html.parser").select_one(".breadcrumbs a")
    assert crumb.get_text() == "Synthetic synthetic (synthetic)"
