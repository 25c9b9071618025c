"""Keyboard only, where htmx swaps part of a study page: focus lands on what was just
swapped in (the flag chosen, the notice of what was done), not on the page's top, so Tab
carries on from there and a screen reader reads the change."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_review import log_in, serious_violations
from tests.test_browser_set_due import PHONE

pytestmark = pytest.mark.browser


def phone_learner(page: Page, deck_site, django_user_model):
    """A learner logged in on a phone's screen."""
    page.set_viewport_size(PHONE)
    log_in(page, deck_site, django_user_model)
    return django_user_model.objects.get(username="reviewer")


def test_choosing_a_flag_by_keyboard_keeps_focus_on_the_flag(
    page: Page, deck_site, console_errors, django_user_model
):
    phone_learner(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    summary = page.locator("[data-card-flag] summary")
    summary.focus()
    page.keyboard.press("Enter")
    page.locator("[data-card-flag]").get_by_role("button", name="Red").focus()
    page.keyboard.press("Enter")
    expect(summary).to_contain_text("Red flag")
    expect(summary).to_be_focused()
    # Tab once htmx has settled the swap (it focuses the control then, 20 ms on).
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Bury")).to_be_focused()
    assert console_errors == []


def test_set_due_date_by_keyboard_in_a_cards_study_box_focuses_what_it_did(
    page: Page, deck_site, console_errors, django_user_model
):
    from quizzes.models import Card

    card = Card.objects.select_related("deck").order_by("deck__name", "number").first()
    phone_learner(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/decks/{card.deck.slug}/cards/{card.number}/study/")
    box = page.locator("#card-study")
    box.locator("[data-set-due] summary").focus()
    page.keyboard.press("Enter")
    box.get_by_label("Days from today").focus()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    notice = page.locator("#card-study [role=status]")
    expect(notice).to_have_text(f"{card.named} is set due in 3 days.")
    expect(notice).to_be_focused()
    assert serious_violations(page) == []
    # Bury from the same box, by keyboard: the focus follows its notice too.
    page.locator("#card-study").get_by_role("button", name="Bury").focus()
    page.keyboard.press("Enter")
    expect(notice).to_contain_text("buried")
    expect(notice).to_be_focused()
    assert console_errors == []


def test_unsuspending_by_keyboard_on_the_suspended_cards_page_focuses_its_notice(
    page: Page, deck_site, console_errors, django_user_model
):
    from django.utils import timezone

    from quizzes.models import Card
    from quizzes.services import card_holds

    user = phone_learner(page, deck_site, django_user_model)
    cards = list(Card.objects.select_related("deck").order_by("deck__name", "number")[:2])
    for card in cards:
        card_holds.card_suspend(user=user, card=card, now=timezone.now())
    page.goto(f"{deck_site}/me/suspended/")
    page.get_by_role("button", name="Unsuspend").first.focus()
    page.keyboard.press("Enter")
    notice = page.locator("#held-cards [role=status]")
    expect(notice).to_have_text(f"{cards[0].named} is back in your reviews.")
    expect(notice).to_be_focused()
    # Tab goes on to the next card's button, not from the top of the page.
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Unsuspend")).to_be_focused()
    assert serious_violations(page) == []
    assert console_errors == []


def test_set_due_date_by_keyboard_on_your_cards_focuses_its_notice_or_the_days_refused(
    page: Page, deck_site, console_errors, django_user_model
):
    from django.utils import timezone

    from quizzes.models import Card, CardFlag

    user = phone_learner(page, deck_site, django_user_model)
    card = Card.objects.order_by("number").first()
    CardFlag.objects.create(user=user, card=card, flag=1, flagged_at=timezone.now())
    page.goto(f"{deck_site}/me/cards/?flag=1")
    control = page.locator("#set-due-form")
    days = control.get_by_label("Days from today")
    days.fill("2-1")
    control.get_by_role("button", name="Set for the ticked cards").focus()
    page.keyboard.press("Enter")
    expect(control.get_by_role("alert")).to_contain_text("smaller number first")
    # Back in the field refused, which names the reason to a screen reader.
    expect(days).to_be_focused()
    expect(days).to_have_accessible_description(re.compile("^.*smaller number first"))
    days.fill("2")
    page.get_by_label(f"Tick card {card.number} of ").check()
    control.get_by_role("button", name="Set for the ticked cards").focus()
    page.keyboard.press("Enter")
    notice = control.get_by_role("status")
    expect(notice).to_have_text("1 card set due in 2 days.")
    expect(notice).to_be_focused()
    assert serious_violations(page) == []
    assert console_errors == []
