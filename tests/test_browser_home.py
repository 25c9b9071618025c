"""The home page of a site with an Anki collection's tree of decks, in a real browser on a
390x844 touch phone: folded branches that open on a tap, the filter as one types and without
JavaScript, nothing too small to tap, nothing wider than the screen, and no serious problem
axe-core finds."""

import pytest
from playwright.sync_api import Page, expect

from tests import test_browser_tap_targets as tap_targets
from tests.factories import make_deck
from tests.test_browser_play import serious_problems_in_either_scheme
from tests.test_browser_tap_targets import undersized

pytestmark = pytest.mark.browser

# A 390x844 touch phone, as the tap targets are measured on.
phone = tap_targets.phone

NAMES = [
    "Medicine::Cardiology",
    "Medicine::Cardiology::Drugs",
    "Medicine::Cardiology::ECG",
    "Medicine::Neurology::Drugs",
    "Medicine::Microbiology",
    "Languages::Spanish::Verbs",
    "Languages::Spanish::Nouns",
    "Languages::Japanese::Kanji",
    "Default",
]


@pytest.fixture
def tree_site(deck_site):
    for number, name in enumerate(NAMES):
        deck = make_deck(3 + number, slug=f"deck-{number}")
        deck.name = name
        deck.save()
    return deck_site


def test_a_branch_opens_on_a_tap_and_shows_its_decks(phone: Page, tree_site):
    phone.goto(tree_site)
    drugs = phone.get_by_role("link", name="Drugs (Medicine::Cardiology::Drugs)")
    expect(drugs).to_be_hidden()

    phone.locator("summary", has_text="Cardiology").tap()

    expect(drugs).to_be_visible()
    drugs.tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Drugs")
    expect(phone).to_have_title("Medicine::Cardiology::Drugs · quizsite")


def test_the_filter_narrows_the_tree_as_one_types(phone: Page, tree_site):
    phone.goto(tree_site)

    phone.get_by_label("Find a deck").fill("drugs")

    expect(phone.locator(".result-count")).to_contain_text("2 decks named with")
    expect(phone.get_by_role("heading", name="Languages")).to_have_count(0)
    expect(phone.get_by_role("link", name="Drugs (Medicine::Neurology::Drugs)")).to_be_visible()
    expect(phone).to_have_url(f"{tree_site}/?q=drugs")


def test_the_filter_works_without_javascript(browser, tree_site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(tree_site)

    page.get_by_label("Find a deck").fill("kanji")
    page.get_by_role("button", name="Find").click()

    expect(page).to_have_url(f"{tree_site}/?q=kanji")
    expect(page.get_by_role("link", name="Kanji (Languages::Japanese::Kanji)")).to_be_visible()
    expect(page.get_by_role("heading", name="Medicine")).to_have_count(0)
    context.close()


def test_the_tree_has_nothing_too_small_to_tap_nor_wider_than_a_phone(phone: Page, tree_site):
    found = {}
    for path in ["/", "/?q=a"]:  # folded, then every branch open
        phone.goto(f"{tree_site}{path}")
        found[path] = undersized(phone)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
    assert {path: small for path, small in found.items() if small} == {}


def test_axe_finds_nothing_serious_on_the_tree(phone: Page, tree_site):
    found = {}
    for path in ["/", "/?q=a", "/?q=nothing-named-so"]:
        phone.goto(f"{tree_site}{path}")
        found[path] = serious_problems_in_either_scheme(phone)
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_a_learner_sees_each_decks_counts_and_studies_one_deck(
    phone: Page, tree_site, django_user_model
):
    from tests.test_browser_review import log_in

    log_in(phone, tree_site, django_user_model)
    phone.goto(tree_site)
    cardiology = phone.locator("summary", has_text="Cardiology")
    # Counts swapped in by htmx: Cardiology's 3 cards, Drugs' 4 and ECG's 5 new.
    expect(cardiology.locator(".deck-study-counts")).to_have_text("12 new, 0 learning, 0 to review")
    expect(phone.locator("#deck-study-legend")).to_contain_text("new, learning, to review")
    found = {"home": undersized(phone), "home axe": serious_problems_in_either_scheme(phone)}
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    places = phone.evaluate(STUDY_BUTTONS_AS_COUNTS_GROW)
    assert places["shown"]
    assert places["shown"] == places["wide"] == places["waiting"]
    # With text twice as large (a phone's accessibility setting), a branch's figures wrap
    # within the phone: its counts stuck out 49 px.
    phone.evaluate("document.documentElement.style.fontSize = '200%'")
    assert phone.evaluate(COUNTS_PAST_THE_SCREEN) == []
    phone.evaluate("document.documentElement.style.fontSize = ''")

    cardiology.tap()
    phone.get_by_role("link", name="Study (Medicine::Cardiology::Drugs)").tap()

    expect(phone.locator("[data-review-scope] strong")).to_have_text("Medicine::Cardiology::Drugs")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(
        "Card 1 of Medicine::Cardiology::Drugs"
    )
    found["review"] = undersized(phone)
    found["review axe"] = serious_problems_in_either_scheme(phone)
    for number in range(1, 5):  # Drugs' four cards, Good each, by keyboard, through htmx
        expect(phone.get_by_role("heading", level=1)).to_contain_text(f"Card {number} of Medicine")
        phone.keyboard.press("Space")
        phone.keyboard.press("3")
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Medicine::Cardiology::Drugs: done for now"
    )
    expect(phone.locator("[data-review-all]")).to_be_visible()
    found["done"] = undersized(phone)
    found["done axe"] = serious_problems_in_either_scheme(phone)
    assert {where: problems for where, problems in found.items() if problems} == {}


# The learner's counts whose box reaches past the right edge of the screen.
COUNTS_PAST_THE_SCREEN = """() => [...document.querySelectorAll('.deck-study-counts')]
  .filter(box => box.offsetParent && box.getBoundingClientRect().right > innerWidth)
  .map(box => box.closest('.deck-study-row, summary, .deck-row').textContent.trim())"""


# Where each Study button after counts stands, before the counts come, as they came, and
# at five digits each: they pushed it aside as they came, and again at two digits.
STUDY_BUTTONS_AS_COUNTS_GROW = """() => {
  const rows = [...document.querySelectorAll('.deck-study-row')]
    .filter(row => row.querySelector('.deck-study-counts'));
  const places = () => rows.map(row => Math.round(row.querySelector('a.deck-study')
    .getBoundingClientRect().left));
  const shown = places();
  const counts = rows.map(row => row.querySelector('.deck-study-counts'));
  const kept = counts.map(box => box.innerHTML);
  counts.forEach(box => box.querySelectorAll(':scope > span')
    .forEach(count => { count.firstChild.textContent = '88888'; count.classList.remove('zero'); }));
  const wide = places();
  counts.forEach(box => { box.innerHTML = ''; });
  const waiting = places();
  counts.forEach((box, index) => { box.innerHTML = kept[index]; });
  return {shown, wide, waiting};
}"""


LONG_BRANCH = "Languages::Irregular verbs of the subjunctive mood in everyday speech"

# Each row's figures (its decks and cards, and the learner's counts) as boxes: the counts on
# the line of the deck count, never on a line of their own.
FIGURES_BOXES = """() => [...document.querySelectorAll('.deck-study-counts:not(:empty)')]
  .filter(counts => counts.offsetParent && counts.closest('summary, .deck-row'))
  .map(counts => {
    const top = element => element.getBoundingClientRect().top;
    const row = counts.closest('summary, .deck-row');
    const name = row.querySelector('.deck-branch-name, .deck-row-name');
    return {
      row: name.textContent.trim(),
      count: top(row.querySelector('.deck-count')),
      counts: top(counts),
      name: top(name),
    };
  })"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_a_rows_counts_stay_beside_its_deck_count_on_a_phone_and_a_laptop(
    browser, tree_site, django_user_model, width, height
):
    from tests.test_browser_review import log_in

    for number, name in enumerate([LONG_BRANCH, f"{LONG_BRANCH}::Present", "Languages::Latin"]):
        deck = make_deck(2, slug=f"long-{number}")
        deck.name = name
        deck.save()
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log_in(page, tree_site, django_user_model)
    page.goto(f"{tree_site}/?q=a")  # every branch open
    expect(page.locator(".deck-study-counts:not(:empty)").first).to_be_visible()
    rows = page.evaluate(FIGURES_BOXES)
    assert len(rows) > 10
    apart = [row["row"] for row in rows if abs(row["counts"] - row["count"]) > 4]
    assert apart == []
    if width >= 1280:
        # Room enough: a long name wraps beside its figures rather than push them below it.
        below = [row["row"] for row in rows if row["counts"] - row["name"] > 8]
        assert below == []
    context.close()
