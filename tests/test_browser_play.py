"""Playing on a phone and moving about a quiz in a real browser: the clock stays in view,
the choices show their key numbers only where there are keys, Back goes to the previous
question's feedback, the challenge link can be copied, and axe-core finds no serious or
critical accessibility problem on the quiz pages."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from quizzes.models import Attempt, Card, Deck
from quizzes.services.card_pages import keywords_insert
from tests.factories import rendered

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
QUESTION_URL = re.compile(r"/quiz/[0-9a-f-]+/questions/(\d+)/$")


@pytest.fixture
def wordy_site(live_server, transactional_db):
    """A deck whose answers run to several lines: four of them do not fit on a phone."""
    deck = Deck.objects.create(name="Wordy", slug="wordy")
    filler = "which the learner has to read to the end before choosing, line after line, "
    cards = Card.objects.bulk_create(
        rendered(
            Card(
                deck=deck,
                number=number,
                question_html=f"<p>What does layer {number} of the network do?</p>",
                answer_html=f"<p>Layer {number} transforms its input {filler * 3}and so on.</p>",
                question_text=f"What does layer {number} of the network do?",
                answer_text=f"Layer {number} transforms its input {filler * 3}and so on.",
            )
        )
        for number in range(1, 13)
    )
    keywords_insert(cards)
    return live_server.url


def start_quick_quiz(page: Page, site: str, deck: str):
    page.goto(site)
    page.locator(f"form:has(input[value='{deck}']) button").click()
    page.wait_for_url(QUESTION_URL, wait_until="load")


def in_view(page: Page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_the_clock_stays_in_view_while_the_last_choice_is_on_a_phone(page: Page, wordy_site):
    page.set_viewport_size(PHONE)
    start_quick_quiz(page, wordy_site, "wordy")
    last_choice = page.locator(".choice").last

    last_choice.scroll_into_view_if_needed()

    assert page.evaluate("window.scrollY") > 200, "the choices are taller than the screen"
    assert in_view(page, last_choice)
    assert in_view(page, page.locator("[role=timer]"))
    assert in_view(page, page.locator(".quiz-count"))
    page.screenshot(path="/tmp/quiz-last-choice-phone.png")


def test_next_question_stays_on_screen_while_a_long_feedback_runs_below_on_a_phone(
    page: Page, wordy_site
):
    page.set_viewport_size(PHONE)
    start_quick_quiz(page, wordy_site, "wordy")
    page.locator(".choice").first.click()
    next_question = page.get_by_role("link", name="Next question")
    expect(next_question).to_be_visible()

    height = page.viewport_size["height"]
    assert page.evaluate("document.documentElement.scrollHeight") > height + 200
    assert in_view(page, next_question), "at the top of the feedback"
    page.locator(".feedback-choice").last.scroll_into_view_if_needed()
    assert in_view(page, next_question), "beside the last choice"
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert in_view(page, next_question), "at the foot of the page"
    assert in_view(page, page.get_by_role("link", name="Open the card"))
    page.screenshot(path="/tmp/quiz-feedback-phone.png")


def test_a_phone_shows_the_quick_quiz_button_on_its_first_screen(browser, deck_site):
    # The time for length rule, spelled out above it, pushed it 80 px below.
    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = phone.new_page()
    page.goto(deck_site)

    assert in_view(page, page.get_by_role("button", name=re.compile("^Start a quick quiz")))
    expect(page.get_by_text("Time for length gives each question 8")).to_be_visible()
    phone.close()


def test_a_touch_phone_shows_no_key_numbers_on_the_choices(browser, deck_site):
    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = phone.new_page()
    start_quick_quiz(page, deck_site, "fastai")

    expect(page.locator(".choice").first).to_be_visible()
    expect(page.locator(".choice kbd").first).to_be_hidden()
    phone.close()


def test_a_laptop_shows_the_key_number_of_each_choice(page: Page, deck_site):
    start_quick_quiz(page, deck_site, "fastai")

    expect(page.locator(".choice kbd").first).to_be_visible()
    expect(page.locator(".choice kbd").first).to_have_text("1")


def test_the_clock_stays_on_screen_with_text_twice_as_large_on_a_phone(browser, deck_site):
    # The phone's text size doubled (an accessibility setting), as a style: CSP allows none.
    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, bypass_csp=True)
    page = phone.new_page()
    start_quick_quiz(page, deck_site, "fastai")
    page.add_style_tag(content="html { font-size: 200%; }")

    timer = page.locator("[role=timer]").bounding_box()
    assert timer["x"] + timer["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator(".quiz-count")).to_have_text("Question 1 / 10")
    phone.close()


def test_the_quizs_bars_leave_most_of_a_phone_to_the_question_with_text_twice_as_large(
    browser, wordy_site
):
    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = phone.new_page()
    # The phone's own text size doubled, as its accessibility setting does: media queries
    # in em follow it, as they do not a style added to the page.
    settings = phone.new_cdp_session(page)
    settings.send("Page.enable")
    settings.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    covered = """() => [...document.querySelectorAll('.quiz-progress, .feedback-actions')]
        .map(bar => bar.getBoundingClientRect())
        .filter(box => box.bottom > 0 && box.top < innerHeight)
        .reduce((sum, box) => sum + Math.min(box.bottom, innerHeight) - Math.max(box.top, 0), 0)"""
    start_quick_quiz(page, wordy_site, "wordy")

    page.locator(".choice").last.scroll_into_view_if_needed()
    assert in_view(page, page.locator("[role=timer]"))
    assert page.evaluate(covered) < PHONE["height"] / 8
    page.locator(".choice").first.tap()
    expect(page.get_by_role("link", name="Next question")).to_be_attached()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    assert page.evaluate(covered) < PHONE["height"] / 8
    expect(page.locator(".quiz-count")).to_have_text("Question 1 / 10")
    phone.close()


def test_the_feedback_lines_up_every_choice_with_the_learners_own(page: Page, deck_site):
    start_quick_quiz(page, deck_site, "fastai")
    page.keyboard.press("1")
    expect(page.locator(".feedback-choice.your-answer")).to_have_count(1)

    lefts = page.locator(".feedback-choice .choice-text").evaluate_all(
        "texts => texts.map(text => text.getBoundingClientRect().left)"
    )
    assert len(lefts) == 4
    assert len(set(lefts)) == 1, lefts


def test_back_goes_to_the_previous_questions_feedback(page: Page, deck_site, console_errors):
    start_quick_quiz(page, deck_site, "fastai")
    page.keyboard.press("1")
    expect(page.locator("[data-quiz-feedback]")).to_be_visible()
    verdict = page.locator("[data-quiz-feedback] h1").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator(".quiz-count")).to_have_text("Question 2 / 10")
    expect(page).to_have_url(re.compile(r"/questions/2/$"))

    page.go_back()

    expect(page).to_have_url(re.compile(r"/questions/1/$"))
    expect(page.locator("[data-quiz-feedback] h1")).to_have_text(verdict)
    expect(page.locator("button.choice")).to_have_count(0)
    page.wait_for_load_state("load")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/questions/2/$"))
    expect(page.locator(".quiz-count")).to_have_text("Question 2 / 10", timeout=10_000)
    expect(page.locator("[data-quiz-question]")).to_be_visible()
    page.reload()
    expect(page.locator(".quiz-count")).to_have_text("Question 2 / 10")
    assert console_errors == []


def test_after_next_question_tab_goes_to_the_first_choice(page: Page, wordy_site):
    # A deck without images: a question with one not cached offers its "Open the original"
    # link before the choices.
    start_quick_quiz(page, wordy_site, "wordy")
    page.keyboard.press("1")
    expect(page.locator("[data-quiz-feedback] h1")).to_be_focused()
    page.locator("[data-continue]").click()  # a page load, not a swap
    expect(page.locator(".quiz-count")).to_have_text("Question 2 / 10")
    expect(page.locator("[data-quiz-question] h1")).to_be_focused()

    page.keyboard.press("Tab")

    expect(page.locator(".choice").first).to_be_focused()


def test_a_guest_copies_the_challenge_link(browser, deck_site):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=deck_site)
    page = context.new_page()
    start_quick_quiz(page, deck_site, "fastai")
    for _ in range(10):
        page.locator(".choice").first.click()
        page.locator("[data-continue]").click()
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()

    page.get_by_role("button", name="Copy link").click()

    expect(page.locator("[data-copy-status]")).to_have_text("Link copied.")
    link = page.locator("#challenge-link").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert re.search(r"/challenge/[0-9a-f-]+/$", link)
    share = page.get_by_role("button", name="Share…")
    assert share.is_visible() == page.evaluate("typeof navigator.share === 'function'")
    context.close()


@pytest.mark.parametrize("width", [768, 1280])
def test_the_copy_button_lines_up_with_the_results_right_edge(browser, tables_site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in_as_tables(page, tables_site)
    page.goto(tables_site + Attempt.objects.filter(user__username="tables")[0].get_absolute_url())

    copy = page.get_by_role("button", name="Copy link").bounding_box()
    summary = page.locator(".result-summary").bounding_box()
    assert copy["x"] + copy["width"] == pytest.approx(summary["x"] + summary["width"], abs=1)
    context.close()


def serious_problems(page: Page, rules: list[str] | None = None) -> list[tuple[str, str, list]]:
    results = Axe().run(page, options={"runOnly": rules} if rules else None)
    return [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


# The rules of axe-core that read the page's colours: the others find the same in either scheme.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def serious_problems_in_either_scheme(page: Page) -> list[tuple[str, str, list]]:
    """Every rule in the light scheme, and those that read colours in the dark."""
    page.emulate_media(color_scheme="light")
    found = serious_problems(page)
    page.emulate_media(color_scheme="dark")
    return found + serious_problems(page, COLOUR_RULES)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_the_quiz_pages(page: Page, deck_site, scheme):
    page.emulate_media(color_scheme=scheme)
    found = {}
    page.goto(deck_site)
    found["home"] = serious_problems(page)
    page.goto(f"{deck_site}/quiz/")
    found["setup"] = serious_problems(page)

    # More questions than the tag has cards: the quiz page opens with a message saying so.
    page.get_by_label("Number of questions").fill("10")
    page.get_by_text("Tags (optional)").click()
    page.get_by_label("architecture").check()
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(QUESTION_URL, wait_until="load")
    expect(page.locator(".message")).to_contain_text("cards fit these settings")
    found["question, with a message"] = serious_problems(page)

    # A second tab on the same question, answered after the first: it is told so.
    other_tab = page.context.new_page()
    other_tab.emulate_media(color_scheme=scheme)
    other_tab.goto(page.url, wait_until="load")
    page.locator(".choice").first.click()
    expect(page.locator("[data-quiz-feedback]")).to_be_visible()
    found["feedback"] = serious_problems(page)
    other_tab.locator(".choice").last.click()
    expect(other_tab.locator(".quiz-notice")).to_contain_text("already been answered")
    found["feedback, answered in another tab"] = serious_problems(other_tab)

    while page.get_by_role("link", name="Next question").count():
        page.keyboard.press("Enter")
        expect(page.locator("[data-quiz-question]")).to_be_visible()
        page.locator(".choice").first.click()
        expect(page.locator("[data-quiz-feedback]")).to_be_visible()
    page.get_by_role("link", name="See your result").click()
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    found["result"] = serious_problems(page)
    page.goto(f"{deck_site}/leaderboard/")
    found["leaderboard"] = serious_problems(page)

    assert {name: problems for name, problems in found.items() if problems} == {}


@pytest.fixture
def tables_site(deck_site, django_user_model):
    """A learner with finished quizzes in the history and on the leaderboard, beside a
    learner of a long name."""
    from tests.quizplay import finish, start_quick

    deck = Deck.objects.get(slug="fastai")
    for username in ["tables", "Maximilian-Alexander_Longname"]:
        user = django_user_model.objects.create_user(username, password="a long passphrase")
        for right in [range(3), range(6)]:
            finish(start_quick(user, deck), right=right)
    return deck_site


TABLE_PAGES = ["/me/history/", "/leaderboard/?deck=fastai", "/me/cards/"]

# Each table's cells, where they are, how they are laid out, and the name each shows of its
# column (a stacked row's ::before).
TABLE_LAYOUT = """() => [...document.querySelectorAll(".table-scroll")].map(box => ({
  sideways: box.scrollWidth - box.clientWidth,
  display: getComputedStyle(box.querySelector("table")).display,
  cells: [...box.querySelectorAll("tbody td")].filter(cell => cell.offsetParent).map(cell => {
    const place = cell.getBoundingClientRect();
    return {left: place.left, right: place.right, label: cell.dataset.label || null,
            shown: getComputedStyle(cell, "::before").content};
  }),
}))"""


def log_in_as_tables(page: Page, site: str):
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill("tables")
    page.get_by_label("Password").fill("a long passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="tables", exact=True)).to_be_visible()


@pytest.mark.parametrize("width", [320, 360, 390])
@pytest.mark.parametrize("setting", ["phone", "page"])
def test_history_and_leaderboard_rows_fit_a_phone_with_text_twice_as_large(
    browser, tables_site, width, setting
):
    phone = browser.new_context(
        viewport={"width": width, "height": 740}, has_touch=True, is_mobile=True, bypass_csp=True
    )
    page = phone.new_page()
    if setting == "phone":  # the phone's own text size doubled, as its accessibility setting
        settings = phone.new_cdp_session(page)
        settings.send("Page.enable")
        settings.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    log_in_as_tables(page, tables_site)

    for path in TABLE_PAGES:
        page.goto(f"{tables_site}{path}")
        if setting == "page":
            page.add_style_tag(content="html { font-size: 200%; }")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        tables = page.evaluate(TABLE_LAYOUT)
        assert tables, path
        for table in tables:
            # Each row a block of lines, each figure after its column's name.
            assert table["sideways"] <= 0, path
            assert table["display"] == "block", path
            for cell in table["cells"]:
                assert cell["left"] >= 0 and cell["right"] <= width, (path, cell)
                if cell["label"]:
                    assert cell["shown"] == f'"{cell["label"]}" / ""', (path, cell)
    phone.close()


@pytest.mark.parametrize("width", [360, 390])
def test_the_history_fits_the_commonest_phones_at_their_own_text_size(browser, tables_site, width):
    """Its five columns need a little more than these phones' width: the table scrolled
    sideways, the time out of sight, until it listed each quiz as a block of lines there."""
    phone = browser.new_context(
        viewport={"width": width, "height": 740}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    log_in_as_tables(page, tables_site)
    page.goto(f"{tables_site}/me/history/")

    [table] = page.evaluate(TABLE_LAYOUT)
    assert table["sideways"] <= 0
    for cell in table["cells"]:
        assert cell["left"] >= 0 and cell["right"] <= width, cell
    phone.close()


@pytest.mark.parametrize("width", [768, 1024, 1280])
def test_history_and_leaderboard_stay_tables_on_a_tablet_and_a_laptop(
    page: Page, tables_site, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in_as_tables(page, tables_site)

    for path in TABLE_PAGES:
        page.goto(f"{tables_site}{path}")
        for table in page.evaluate(TABLE_LAYOUT):
            assert table["sideways"] <= 0, (path, width)
            assert table["display"] == "table", path
            assert {cell["shown"] for cell in table["cells"]} == {"none"}, path


@pytest.mark.parametrize("width", [1024, 1280])
def test_two_leaderboards_side_by_side_keep_a_long_name_in_their_width(
    page: Page, tables_site, django_user_model, width
):
    # The names kept whole there: one of 42 letters made each leaderboard scroll sideways.
    from tests.quizplay import finish, start_quick

    learner = django_user_model.objects.create_user(
        "Wolfeschlegelsteinhausenbergerdorff_Hubert", password="x"
    )
    finish(start_quick(learner, Deck.objects.get(slug="fastai")), right=range(4))
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{tables_site}/leaderboard/?deck=fastai")

    tables = page.evaluate(TABLE_LAYOUT)
    assert len(tables) == 2
    boxes = [page.locator(".table-scroll").nth(index).bounding_box() for index in (0, 1)]
    assert boxes[0]["y"] == boxes[1]["y"]  # side by side
    assert [table["sideways"] for table in tables] == [0, 0]
    assert serious_problems(page) == []


# For each learner's name on the leaderboard, on how many lines each part of it (the text
# between its line-break chances) was laid out.
NAME_PART_LINES = """() => [...document.querySelectorAll(".leaderboard td.col-learner")].map(cell =>
  [...cell.childNodes].filter(node => node.nodeType === Node.TEXT_NODE).map(text => {
    const range = document.createRange();
    range.selectNodeContents(text);
    return new Set([...range.getClientRects()].map(box => Math.round(box.bottom))).size;
  }))"""
# Where each figure of a leaderboard's rows sits against its column's header.
FIGURES_UNDER_HEADERS = """table => [...table.querySelectorAll("tbody tr")].flatMap(row =>
  ["Points", "Right", "Time"].map(label => {
    const header = [...table.querySelectorAll("th")].find(th => th.textContent === label);
    const cell = row.querySelector(`td[data-label="${label}"]`);
    return cell.getBoundingClientRect().left - header.getBoundingClientRect().left;
  }))"""


@pytest.mark.parametrize("width", [360, 390])
def test_a_long_name_on_the_leaderboard_breaks_only_between_its_parts_on_a_phone(
    browser, tables_site, django_user_model, width
):
    # Beside the figures a name had ~90 px, and "Maximilian-Alexander_Longname" went on
    # five lines cut mid-word ("Maximilia", "n-Alexande"...).
    from tests.quizplay import finish, start_quick

    user = django_user_model.objects.create_user("christina.papadopoulou", password="x")
    finish(start_quick(user, Deck.objects.get(slug="fastai")), right=range(4))
    phone = browser.new_context(
        viewport={"width": width, "height": 740}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{tables_site}/leaderboard/?deck=fastai")

    names = page.evaluate(NAME_PART_LINES)
    assert len(names) == 6  # three learners, this week and all time
    assert all(lines == 1 for name in names for lines in name), names
    # Read as written: no space where it may break.
    expect(page.get_by_role("cell", name="christina.papadopoulou", exact=True)).to_have_count(2)
    for table in page.locator(".leaderboard").all():
        assert all(abs(offset) < 1 for offset in table.evaluate(FIGURES_UNDER_HEADERS))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_problems(page) == []
    phone.close()


@pytest.mark.parametrize("width", [320, 360])
def test_a_challengers_long_name_keeps_the_challenge_and_its_result_in_a_phones_width(
    browser, tables_site, django_user_model, width
):
    # Heading the comparison's column, a 42-letter name made the result page 521 px wide.
    from django.utils import timezone

    from quizzes.services import attempts as services
    from tests.quizplay import finish, start_quick

    challenger = django_user_model.objects.create_user(
        "Wolfeschlegelsteinhausenbergerdorff_Hubert", password="x"
    )
    original = finish(start_quick(challenger, Deck.objects.get(slug="fastai")), right=range(5))
    taken = services.attempt_start_challenge(
        original=original,
        user=django_user_model.objects.get(username="tables"),
        session_key="",
        now=timezone.now(),
    )
    finish(taken, right=range(3))
    phone = browser.new_context(
        viewport={"width": width, "height": 740}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    log_in_as_tables(page, tables_site)

    for path in [reverse("challenge", args=[original.pk]), taken.get_absolute_url()]:
        page.goto(f"{tables_site}{path}")
        expect(page.get_by_text("Wolfeschlegelsteinhausenbergerdorff_Hubert").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    expect(
        page.get_by_role("columnheader", name="Wolfeschlegelsteinhausenbergerdorff_Hubert")
    ).to_be_visible()
    phone.close()


# Each number of seconds, minutes, hours or days written on the page whose number and unit
# the browser laid out on two lines ("40.0" at a line's end, "s" at the next one's start).
UNITS_BROKEN_OFF = r"""() => {
  const broken = [];
  const pattern = /\d+(?:\.\d+)?[ \u00a0](?:s|min|h|d|seconds|minutes|hours|days)\b/g;
  const texts = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let text; (text = texts.nextNode());) {
    if (text.parentElement.getBoundingClientRect().width < 2) continue;  // visually hidden
    for (const match of text.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const boxes = [...range.getClientRects()].filter(box => box.width);
      const lines = new Set(boxes.map(box => Math.round(box.bottom)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("width", [320, 360, 390])
@pytest.mark.parametrize("text", ["normal", "twice as large"])
def test_a_number_of_seconds_keeps_its_unit_on_its_line(browser, tables_site, width, text):
    phone = browser.new_context(
        viewport={"width": width, "height": 740}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    if text == "twice as large":
        settings = phone.new_cdp_session(page)
        settings.send("Page.enable")
        settings.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    log_in_as_tables(page, tables_site)
    result = Attempt.objects.filter(user__username="tables").first().get_absolute_url()
    challenge = reverse("challenge", args=[Attempt.objects.filter(user__username="tables")[0].pk])

    for path in ["/", "/quiz/", *TABLE_PAGES, result, challenge]:
        page.goto(f"{tables_site}{path}")
        if path == "/quiz/":
            page.get_by_role("radio", name="Time for length").check()
        assert page.evaluate(UNITS_BROKEN_OFF) == [], path
    phone.close()


def test_axe_finds_nothing_serious_on_a_learners_other_pages_on_a_phone(
    browser, deck_site, django_user_model
):
    from tests.quizplay import finish, start_quick
    from tests.test_browser_quiz import sign_up, start_two_flashcards

    other = django_user_model.objects.create_user("challenger", password="x")
    challenge = finish(start_quick(other, Deck.objects.get(slug="fastai")), right=range(4))
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    found = {}
    page.goto(f"{deck_site}/no-such-page/")
    found["404"] = serious_problems_in_either_scheme(page)
    page.goto(f"{deck_site}/decks/fastai/?" + "&".join(["a=1"] * 1001))
    expect(page.get_by_role("heading", name="That request could not be understood")).to_be_visible()
    found["400"] = serious_problems_in_either_scheme(page)
    page.goto(f"{deck_site}/")
    page.locator("input[name=deck]").first.evaluate("input => { input.value = 'no-such' }")
    page.get_by_role("button", name=re.compile("^Start a quick quiz")).first.tap()
    expect(page.get_by_text("There is no such deck.")).to_be_visible()
    found["a quiz refused"] = serious_problems_in_either_scheme(page)
    page.goto(f"{deck_site}/accounts/signup/")
    page.get_by_label("Username").fill("challenger")  # taken
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password confirmation").fill("another passphrase")
    page.get_by_role("button", name="Sign up").tap()
    expect(page.locator(".field-errors").first).to_be_visible()
    found["sign up, refused"] = serious_problems_in_either_scheme(page)

    sign_up(page, deck_site, "learner")
    start_two_flashcards(page, deck_site)
    page.get_by_text("Show answer").tap()
    found["flashcard, its answer"] = serious_problems_in_either_scheme(page)
    page.goto(f"{deck_site}{reverse('challenge', args=[challenge.pk])}")
    found["challenge"] = serious_problems_in_either_scheme(page)
    for name, path in [
        ("history", "/me/history/"),
        ("your cards", "/me/cards/"),
        ("suspended cards", "/me/suspended/"),
    ]:
        page.goto(f"{deck_site}{path}")
        found[name] = serious_problems_in_either_scheme(page)
    assert {name: problems for name, problems in found.items() if problems} == {}
    phone.close()
