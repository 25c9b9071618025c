"""Set due date in headless Chromium on a phone: for cards ticked on "Your cards" (their
boxes belong to the control's form through form=, which htmx must send) and from a card's
study box, each answer swapped in place, and no serious accessibility violation."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_review import log_in, serious_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_learner_sets_due_the_cards_they_tick_and_one_from_its_study_box(
    page: Page, deck_site, console_errors, django_user_model
):
    from django.utils import timezone

    from quizzes.models import Card, CardFlag, CardMemory, ReviewLog

    page.set_viewport_size(PHONE)
    log_in(page, deck_site, django_user_model)
    user = django_user_model.objects.get(username="reviewer")
    cards = list(Card.objects.order_by("number")[:3])
    CardFlag.objects.bulk_create(
        CardFlag(user=user, card=card, flag=4, flagged_at=timezone.now()) for card in cards
    )
    nav = page.locator("#nav-review")
    expect(nav).to_have_text(re.compile(r"^Review \(20\):"))

    page.goto(f"{deck_site}/me/cards/?flag=4")
    control = page.locator("#set-due-form")
    expect(control).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []
    page.get_by_label(f"Tick card {cards[0].number} of ").check()
    page.get_by_label(f"Tick card {cards[2].number} of ").check()
    control.get_by_label("Days from today").fill("7-3")
    control.get_by_role("button", name="Set for the ticked cards").click()
    expect(control.get_by_role("alert")).to_contain_text("smaller number first")
    assert not ReviewLog.objects.exists()
    control.get_by_label("Days from today").fill(" 0 ")
    control.get_by_role("button", name="Set for the ticked cards").click()
    expect(control.get_by_role("status")).to_have_text("2 cards set due today.")
    # Two new cards now due as review cards: the day's new cards are as many as before.
    expect(nav).to_have_text(re.compile(r"^Review \(22\):"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/set-due-my-cards-phone.png", full_page=True)
    assert set(CardMemory.objects.values_list("card_id", flat=True)) == {
        cards[0].pk,
        cards[2].pk,
    }

    page.goto(f"{deck_site}/decks/{cards[1].deck.slug}/cards/{cards[1].number}/study/")
    box = page.locator("#card-study")
    expect(box).to_contain_text("New to you")
    box.locator("[data-set-due] summary").click()
    box.get_by_label("Days from today").fill("10!")
    box.get_by_role("button", name="Set due date").click()
    expect(box.locator("[role=status]")).to_have_text(
        f"{cards[1].named} is set due in 10 days. Its interval is now the days until then."
    )
    expect(box).to_contain_text("Not answered yet. Next review: in 10 days")
    box.locator("[data-card-memory] summary").click()
    expect(box.locator("[data-card-memory]")).to_contain_text("10.0 days: how long until")
    assert serious_violations(page) == []
    page.screenshot(path="/tmp/set-due-study-phone.png", full_page=True)


def test_a_cards_tick_on_your_cards_is_a_thumbs_size_on_a_touch_phone(
    browser, deck_site, django_user_model
):
    """The tick sits against its card's link: a thumb a little off the 24 px box ticks
    the card rather than opening it, over a square of 44 px around the box's middle."""
    from django.utils import timezone

    from quizzes.models import Card, CardFlag

    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = phone.new_page()
    log_in(page, deck_site, django_user_model)
    user = django_user_model.objects.get(username="reviewer")
    card = Card.objects.order_by("number").first()
    CardFlag.objects.create(user=user, card=card, flag=1, flagged_at=timezone.now())
    page.goto(f"{deck_site}/me/cards/?flag=1")
    tick = page.get_by_label(f"Tick card {card.number} of ")
    box = tick.bounding_box()
    middle_x, middle_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Each tap toggles the tick: on, off, on...
    for taps, (dx, dy) in enumerate([(-21, 0), (21, 0), (0, -21), (0, 21), (-21, -21), (21, 21)]):
        page.mouse.click(middle_x + dx, middle_y + dy)
        expect(tick).to_be_checked(checked=taps % 2 == 0)
    assert page.url.endswith("/me/cards/?flag=1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()


@pytest.mark.parametrize("width", [360, 390])
def test_your_cards_filter_shows_its_choice_whole_on_a_phone(
    page: Page, deck_site, django_user_model, width
):
    """The filter's select is as wide as its longest choice ("All cards you were asked"),
    the Show button going under it, rather than cut to fit the row."""
    page.set_viewport_size({"width": width, "height": 740})
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/me/cards/")
    select = page.get_by_label("Show")
    expect(select).to_have_value("")
    natural = select.evaluate(
        """(select) => {
          const copy = select.cloneNode(true);
          copy.style.cssText = "position: absolute; width: auto; flex: none";
          document.body.append(copy);
          const width = copy.getBoundingClientRect().width;
          copy.remove();
          return width;
        }"""
    )
    assert select.bounding_box()["width"] >= natural - 0.5
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_undo_of_a_set_due_date_across_decks_reads_its_decks_below_it_on_a_phone(
    page: Page, deck_site, console_errors, django_user_model
):
    import random

    from django.utils import timezone

    from quizzes import scheduling
    from quizzes.models import Card
    from quizzes.services import reviews
    from tests.studyhelpers import anki_decks

    decks = anki_decks({"Languages::Spanish::Verbs": 3, "History::Ancient::Rome": 2})
    page.set_viewport_size(PHONE)
    log_in(page, deck_site, django_user_model)
    reviews.cards_set_due(
        user=django_user_model.objects.get(username="reviewer"),
        cards=Card.objects.filter(deck__in=decks.values()),
        spec=scheduling.parse_due_date("5"),
        now=timezone.now(),
        rng=random.Random(1),
    )
    page.goto(f"{deck_site}/review/?deck=languages-spanish-verbs")
    undo = page.locator("[data-undo-key]")
    expect(undo).to_have_text(
        "Undo Set due date on 5 cards: 3 in Languages::Spanish::Verbs and 2 in "
        "History::Ancient::Rome"
    )
    # The decks read below the button's words, from its left edge, as one text.
    words, decks_said = undo.bounding_box(), undo.locator(".review-undo-decks").bounding_box()
    assert abs(decks_said["x"] - words["x"]) <= 1
    assert decks_said["y"] > words["y"] + 10
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []
