"""An Anki `{{hint:}}` field in headless Chromium: a closed toggle on the card's page, the
review and a flashcard quiz, opened from the keyboard without showing the answer."""

import pytest
from playwright.sync_api import Page, expect

from quizzes.models import Deck
from quizzes.services.anki_io import anki_import_apply
from tests.factories import anki_note_type_package
from tests.test_browser_quiz import sign_up, start_two_flashcards

pytestmark = pytest.mark.browser

BACK = "{{FrontSide}}<hr id=answer>{{Back}}"


@pytest.fixture
def hint_site(live_server, transactional_db, tmp_path):
    path = anki_note_type_package(
        tmp_path,
        fields=["Front", "Back", "Mnemonic"],
        templates=[("Recall", "{{Front}}<br>{{hint:Mnemonic}}", BACK)],
        notes=[
            {"fields": ["der Hund", "the dog", "a hound"]},
            {"fields": ["die Katze", "the cat", "a kitten"]},
        ],
    )
    deck = Deck.objects.create(name="German", slug="german")
    anki_import_apply(deck=deck, data=path.read_bytes(), source=path.name)
    return live_server.url


def open_hint_by_keyboard(page: Page, key: str):
    hint = page.locator("details:has(> summary:text-is('Mnemonic'))")
    expect(hint).not_to_have_attribute("open", "")
    summary = hint.locator("summary")
    assert summary.evaluate("summary => summary.tabIndex") == 0  # in the Tab order
    summary.focus()
    page.keyboard.press(key)
    expect(hint).to_have_attribute("open", "")
    expect(hint).to_contain_text("a ")


def test_a_hint_opens_from_the_keyboard_on_the_cards_page_without_the_answer(
    page: Page, hint_site, console_errors
):
    page.goto(f"{hint_site}/decks/german/cards/1/")
    page.wait_for_load_state("load")

    # Space elsewhere on the page shows the answer: on the summary it opens the hint.
    open_hint_by_keyboard(page, "Space")

    expect(page.locator("#answer .answer")).to_have_count(0)
    page.screenshot(path="/tmp/card-hint.png")
    assert console_errors == []


def test_a_hint_opens_from_the_keyboard_in_the_review_without_grading(
    page: Page, hint_site, console_errors
):
    sign_up(page, hint_site, "learner")
    page.goto(f"{hint_site}/review/")
    page.wait_for_load_state("load")

    # Space elsewhere shows the answer, then answers Good: on the summary it opens the hint.
    open_hint_by_keyboard(page, "Space")

    expect(page.locator("[data-review-answer] .answer")).to_be_hidden()
    expect(page.locator("[data-review-counts]")).to_contain_text("2 new")
    assert console_errors == []


def test_a_hint_opens_from_the_keyboard_in_a_flashcard_quiz_without_the_answer(
    page: Page, hint_site, console_errors
):
    sign_up(page, hint_site, "player")
    start_two_flashcards(page, hint_site)

    open_hint_by_keyboard(page, "Enter")

    expect(page.get_by_role("button", name="I knew it")).to_be_hidden()
    assert console_errors == []
