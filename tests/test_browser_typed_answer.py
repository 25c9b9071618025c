"""Typing the answer in headless Chromium on a phone-sized page: the card page's box and the
review's, Enter showing the comparison the server made, readable at 390 px, and no serious
accessibility violation (axe-core)."""

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_review import log_in, serious_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def typed_card(typed_answer: str):
    from quizzes.models import Card

    card = Card.objects.filter(question_needs_missing_image=False).order_by("number").first()
    Card.objects.filter(pk=card.pk).update(typed_answer=typed_answer)
    return card


def test_a_learner_types_an_answer_on_the_card_page_and_sees_where_it_differs(
    page: Page, deck_site, console_errors
):
    card = typed_card("learning rate finder")
    page.set_viewport_size(PHONE)
    page.goto(f"{deck_site}/decks/fastai/cards/{card.number}/")
    page.wait_for_load_state()
    assert "learning rate finder" not in page.content()

    box = page.get_by_label("Type the answer")
    box.fill("learnig rate fnder")
    box.press("Enter")

    comparison = page.locator("[data-typed-comparison]")
    expect(comparison).to_be_visible()
    expect(comparison).to_contain_text("Not quite: 2 missing.")
    expect(comparison.locator(".typed-line").nth(1)).to_have_text(
        "learni [not typed: n] g rate f [not typed: i] nder"
    )
    expect(page.locator(".answer .card-body")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/typed-card-page.png", full_page=True)
    assert serious_violations(page) == []
    assert console_errors == []


def test_a_reviewer_types_the_answer_then_grades_as_in_anki(
    page: Page, deck_site, console_errors, django_user_model
):
    card = typed_card("Adam")
    page.set_viewport_size(PHONE)
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    page.wait_for_load_state()
    expect(page.locator("#review-card-title")).to_contain_text(f"Card {card.number} of")

    # The box has the focus, as Anki's: typing starts at once.
    page.keyboard.type("adam")
    page.keyboard.press("Enter")

    comparison = page.locator("[data-typed-comparison]")
    expect(comparison).to_contain_text("Not quite: 1 character wrong, 1 missing.")
    expect(comparison.locator("del")).to_have_text(" [wrong: a] ")
    expect(page.locator("[data-review-answer] .answer")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/typed-review.png", full_page=True)
    assert serious_violations(page) == []

    page.keyboard.press("3")
    expect(page.locator("#review-card-title")).not_to_contain_text(f"Card {card.number} of")
    assert console_errors == []


def test_a_guest_takes_a_type_the_answer_quiz_scored_by_the_server(
    page: Page, deck_site, console_errors
):
    from quizzes.models import Card
    from tests.factories import give_typed_answers

    askable = list(Card.objects.filter(question_needs_missing_image=False).order_by("number")[:2])
    deck = askable[0].deck
    Card.objects.update(quiz_typed_answer="")  # only the two given below are asked
    give_typed_answers(deck, {askable[0].number: "overfitting", askable[1].number: "ReLU"})
    page.set_viewport_size(PHONE)
    page.goto(f"{deck_site}/quiz/")
    expect(page.get_by_text("Type the answer: 2 cards available")).to_be_visible()
    page.get_by_role("radio", name="Type the answer").check()
    page.get_by_role("radio", name="None").check()
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_load_state()

    answered = []
    for _ in range(2):
        box = page.get_by_label("Type the answer")
        expect(box).to_be_focused()
        first = askable[0].question_text[:30] in page.locator(".quiz-prompt").inner_text()
        answer = "Overfiting" if first else "relu"  # one typo in a long word; case
        page.keyboard.type(answer)
        page.keyboard.press("Enter")
        feedback = page.locator("[data-quiz-feedback]")
        expect(feedback.locator("h1")).to_contain_text("Right!")
        answered.append(feedback.locator("[data-typed-comparison]").inner_text())
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=f"/tmp/typed-quiz-{len(answered)}.png", full_page=True)
        assert serious_violations(page) == []
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    expect(page.locator(".result-summary")).to_contain_text("2 / 2 (100%)")
    assert console_errors == []
