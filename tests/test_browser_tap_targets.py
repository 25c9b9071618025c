"""Every link, button and form control a learner taps, measured on a 390x844 touch phone:
a square of at least 24 CSS px around its middle lands on it (WCAG 2.2, SC 2.5.8), and a
button is 44 px tall; bar a link inside a sentence (the criterion's inline exception)."""

import pytest
from playwright.sync_api import Page, expect

from quizzes.models import Deck
from tests.quizplay import finish, start_quick
from tests.test_browser_quiz import sign_up

pytestmark = pytest.mark.browser

SMALLEST = 24
BUTTON_HEIGHT = 44

# A target's area is its box, or the larger one an ::after lends it (the card titles and
# tags): every point of the square around its middle must land on it, or on its label. A
# link counts as inline in a paragraph with words of its own, or in a card's text (its
# author's, `div[dir=auto]`); the count line above the cards and the download link are
# controls, however they read.
UNDERSIZED = """
([smallest, buttonHeight]) => {
  const targets = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, label");
  const controlRows = ".result-count, .deck-package";
  const ownWords = (block) => {
    let text = "";
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) text += child.textContent;
        else if (child.nodeType === Node.ELEMENT_NODE && !child.matches("a, button, label")) {
          walk(child);
        }
      }
    };
    walk(block);
    return (text.match(/[^\\W\\d_]{2,}/gu) || []).length;
  };
  const inline = (target) => {
    if (!target.matches("a")) return false;
    if (target.closest("div[dir=auto]")) return true;
    const paragraph = target.closest("p");
    return paragraph && !paragraph.matches(controlRows) && ownWords(paragraph) >= 2;
  };
  const hits = (target, x, y) => {
    const hit = document.elementFromPoint(x, y);
    return hit && (target.contains(hit) || [...(target.labels || [])].some((l) => l.contains(hit)));
  };
  const tappable = (target) => {
    target.scrollIntoView({block: "center", inline: "center"});
    const box = target.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2, r = smallest / 2 - .5;
    return [[0, 0], [-r, -r], [r, -r], [-r, r], [r, r], [0, -r], [0, r], [-r, 0], [r, 0]]
      .every(([dx, dy]) => hits(target, x + dx, y + dy));
  };
  const small = [];
  for (const target of targets) {
    const box = target.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(target).visibility === "hidden") continue;
    // A radio or checkbox is tapped through its label, measured as a target of its own.
    if (target.matches("input[type=radio], input[type=checkbox]") && target.labels.length) continue;
    const text = (target.innerText || target.value || "").trim().slice(0, 40);
    const name = `${target.tagName} “${text}”`;
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    if (target.matches("button, .button") && box.height < buttonHeight - .5) {
      small.push(`${name} button ${size}`);
    } else if (Math.min(box.width, box.height) < smallest && !inline(target) && !tappable(target)) {
      small.push(`${name} ${size}`);
    }
  }
  return small;
}
"""

GUEST_PAGES = [
    "/",
    "/decks/fastai/",
    "/decks/fastai/?q=tensor",
    "/decks/fastai/?q=sofmax",
    "/decks/fastai/?q=tensor&answers=1",
    "/decks/fastai/cards/6/",
    "/decks/fastai/cards/6/?answer=1",
    "/quiz/",
    "/leaderboard/",
    "/accounts/login/",
    "/accounts/signup/",
]
LEARNER_PAGES = [
    "/",
    "/me/history/",
    "/me/cards/",
    "/leaderboard/",
    "/me/progress/",
    "/review/",
    "/me/account/",
    "/me/settings/",
    "/me/suspended/",
    "/quiz/",
    "/decks/fastai/cards/6/report/",
    "/decks/fastai/cards/6/study/",
]


def undersized(page: Page) -> list[str]:
    return page.evaluate(UNDERSIZED, [SMALLEST, BUTTON_HEIGHT])


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    yield context.new_page()
    context.close()


def test_a_guests_pages_have_nothing_too_small_to_tap(phone: Page, deck_site):
    found = {}
    for path in GUEST_PAGES:
        phone.goto(f"{deck_site}{path}")
        found[path] = undersized(phone)

    assert {path: small for path, small in found.items() if small} == {}


def test_a_learners_pages_have_nothing_too_small_to_tap(phone: Page, deck_site, django_user_model):
    sign_up(phone, deck_site, "phone")
    learner = django_user_model.objects.get(username="phone")
    finished = finish(start_quick(learner, Deck.objects.get()))
    playing = start_quick(learner, Deck.objects.get())
    found = {}
    for path in [*LEARNER_PAGES, f"/quiz/{finished.pk}/result/"]:
        phone.goto(f"{deck_site}{path}")
        found[path] = undersized(phone)

    phone.goto(f"{deck_site}/quiz/{playing.pk}/")
    found["question"] = undersized(phone)
    phone.locator("[data-choice], .choice").first.click()
    expect(phone.locator("[data-quiz-feedback]")).to_be_visible()
    found["feedback"] = undersized(phone)

    assert {path: small for path, small in found.items() if small} == {}
