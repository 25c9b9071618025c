"""A whole timed quiz in headless Chromium, played with the keyboard, one question let to
time out. Time passes on Playwright's clock in the browser and, for the quiz, on the server's
(`quiz_time_passes`): a countdown runs out without the test waiting for it."""

import re
import time

import pytest
from django.db.models.functions import Length
from django.utils import timezone
from playwright.sync_api import Page, expect

from quizzes.models import Attempt, Card, Deck
from quizzes.services import attempts as services
from quizzes.views import play as play_views
from tests.quizplay import finish, start_quick, time_passes
from tests.test_browser_play import serious_problems

pytestmark = pytest.mark.browser

SCREEN_SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
SECONDS_PER_QUESTION = 3
PLAY_URL = re.compile(r"/quiz/[0-9a-f-]+/questions/1/$")
QUIZ_URL = re.compile(r"/quiz/([0-9a-f-]+)/")


def quiz_time_passes(page: Page, seconds: float):
    """`seconds` pass for the quiz the page plays, on the server's clock (for this quiz
    alone) and then on the browser's, where `page.clock.install()` ran before the quiz's
    first page: the countdown's timers fire as they would have, its ask finds the server past
    the deadline too. Both clocks run on between the jumps."""
    attempt = Attempt.objects.get(pk=QUIZ_URL.search(page.url)[1])
    time_passes(attempt, seconds)
    page.clock.run_for(round(seconds * 1000))


def remaining_seconds(page: Page) -> float:
    """The time the server counted as left when it rendered the stage's clock."""
    return int(page.locator("[data-remaining-ms]").get_attribute("data-remaining-ms")) / 1000


def sign_up(page: Page, site: str, username: str):
    page.goto(f"{site}/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password confirmation").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name=username)).to_be_visible()


def start_the_quiz(page: Page):
    """Start the quiz set up on the page and wait until the question page has loaded. The
    keys work once quiz.js has run: a key pressed before is lost (or, while the old page is
    still up, presses its focused Start button again)."""
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url(PLAY_URL, wait_until="load")


def start_two_flashcards(page: Page, site: str):
    page.goto(f"{site}/quiz/")
    page.get_by_label("Number of questions").fill("2")
    page.get_by_role("radio", name="Flashcard").check()
    page.get_by_role("radio", name="None").check()
    start_the_quiz(page)


def answer_with_key(page: Page, key: str):
    expect(page.locator("[data-quiz-question]")).to_be_visible()
    page.keyboard.press(key)
    expect(page.locator("[data-quiz-feedback] h1")).to_have_text(
        re.compile(r"^\s*(Right!|Not quite)"), timeout=5000
    )


@pytest.mark.parametrize("screen", SCREEN_SIZES)
def test_a_learner_signs_up_and_plays_a_timed_quiz_with_the_keyboard(
    page: Page, deck_site, console_errors, screen
):
    width, height = SCREEN_SIZES[screen]
    page.set_viewport_size({"width": width, "height": height})
    page.clock.install()
    sign_up(page, deck_site, f"learner-{screen}")

    page.goto(f"{deck_site}/quiz/")
    page.screenshot(path=f"/tmp/quiz-setup-{screen}.png", full_page=True)
    page.get_by_label("Number of questions").fill("3")
    page.get_by_role("radio", name="Multiple choice").check()
    page.get_by_role("radio", name="Fixed seconds per question").check()
    page.get_by_label("Seconds per question", exact=True).fill(str(SECONDS_PER_QUESTION))
    start_the_quiz(page)

    # Question 1: a number key answers, the feedback swaps in, Enter continues.
    expect(page.locator(".quiz-count")).to_have_text("Question 1 / 3")
    expect(page.locator("[data-choice], .choice")).to_have_count(4)
    expect(page.locator("[role=timer]")).to_have_text(re.compile(r"0:0[0-3]"))
    page.screenshot(path=f"/tmp/quiz-question-{screen}.png", full_page=True)
    answer_with_key(page, "1")
    page.screenshot(path=f"/tmp/quiz-feedback-{screen}.png", full_page=True)
    page.keyboard.press("Enter")

    # Question 2: left alone, the countdown runs out and the server records the timeout.
    expect(page.locator(".quiz-count")).to_have_text("Question 2 / 3")
    expect(page.locator("[data-quiz-feedback]")).to_have_count(0)
    quiz_time_passes(page, SECONDS_PER_QUESTION + 2)  # the grace, then the countdown asks
    expect(page.locator("[data-quiz-feedback] h1")).to_contain_text("Time's up")
    expect(page.locator("[aria-live=polite]")).to_have_count(0)  # gone with the question
    page.screenshot(path=f"/tmp/quiz-timeout-{screen}.png", full_page=True)
    page.keyboard.press("Enter")

    # Question 3, then the result.
    expect(page.locator(".quiz-count")).to_have_text("Question 3 / 3")
    answer_with_key(page, "2")
    expect(page.get_by_role("link", name="See your result")).to_be_visible()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/quiz/[0-9a-f-]+/result/$"))
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    expect(page.locator(".result-question")).to_have_count(3)
    expect(page.locator(".result-question.outcome-timed_out")).to_have_count(1)
    expect(page.get_by_text("round(1000 * (1 - t / (2 * T)))")).to_be_visible()
    page.screenshot(path=f"/tmp/quiz-result-{screen}.png", full_page=True)
    result_url = page.url

    page.get_by_role("link", name="History").click()
    expect(page.locator(".history-table tbody tr")).to_have_count(1)
    expect(page.locator(".history-table")).to_contain_text("Multiple choice")
    page.screenshot(path=f"/tmp/quiz-history-{screen}.png", full_page=True)
    page.locator(".history-table tbody a").click()
    expect(page).to_have_url(result_url)

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for name, path in (("home", "/"), ("leaderboard", "/leaderboard/"), ("cards", "/me/cards/")):
        page.goto(f"{deck_site}{path}")
        page.screenshot(path=f"/tmp/quiz-{name}-{screen}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    assert console_errors == []


def seconds_shown(page: Page) -> int:
    minutes, seconds = page.locator("[data-countdown-text]").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def seconds_counted(page: Page) -> int:
    """The countdown's seconds once its script counts them: the page arrives with the
    server's count, which the script corrects by the time the page took to arrive (read
    before the script ran, it was a second too many once in CI)."""
    expect(page.locator("[data-remaining-ms][data-counting]")).to_be_attached()
    return seconds_shown(page)


def test_the_countdown_leaves_out_the_time_a_slow_page_took_to_arrive(
    page: Page, deck_site, monkeypatch
):
    """The server counts a question's seconds from when it answers; a page that takes
    seconds to arrive (a phone on a poor connection) has spent them. Here each question page
    arrives `slow` seconds after the server counted what is left."""
    slow, allowed = 2, 30
    monkeypatch.setattr(
        play_views, "_question_response", arriving_late(play_views._question_response, slow)
    )
    page.goto(f"{deck_site}/quiz/")
    page.get_by_label("Number of questions").fill("2")
    page.get_by_role("radio", name="Multiple choice").check()
    page.get_by_role("radio", name="Fixed seconds per question").check()
    page.get_by_label("Seconds per question", exact=True).fill(str(allowed))
    start_the_quiz(page)

    assert seconds_counted(page) <= allowed - slow + 1
    answer_with_key(page, "1")
    page.keyboard.press("Enter")  # the next question's page
    expect(page.locator(".quiz-count")).to_have_text("Question 2 / 2", timeout=(slow + 5) * 1000)
    assert seconds_counted(page) <= allowed - slow + 1


def test_the_quizs_clock_on_the_feedback_leaves_out_the_time_it_took_to_arrive(
    page: Page, deck_site
):
    """The answer's feedback (an htmx swap) shows the whole quiz's clock, counted by the
    server as it answered: the `slow` seconds the feedback took to arrive are gone. The
    answer's response is held back `slow` seconds on the browser's clock."""
    slow = 4

    def arriving_late(route):
        response = route.fetch()
        page.clock.fast_forward(slow * 1000)
        route.fulfill(response=response)

    page.clock.install()
    page.goto(f"{deck_site}/quiz/")
    page.get_by_label("Number of questions").fill("2")
    page.get_by_role("radio", name="Multiple choice").check()
    page.get_by_role("radio", name="For the whole quiz").check()
    page.get_by_label("Minutes for the whole quiz").fill("1")
    start_the_quiz(page)
    before = seconds_counted(page)
    page.route(re.compile(r"/quiz/[0-9a-f-]+/answer/$"), arriving_late)

    page.keyboard.press("1")
    expect(page.locator("[data-quiz-feedback] h1")).to_be_visible()

    assert seconds_counted(page) <= before - slow + 1


def arriving_late(respond, seconds: float):
    """`respond` (a view's response maker), whose response leaves `seconds` late."""

    def late(*args, **kwargs):
        response = respond(*args, **kwargs)
        time.sleep(seconds)
        return response

    return late


def test_a_guest_plays_without_javascript_and_keeps_the_quiz_on_sign_up(browser, deck_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(deck_site)
    page.get_by_role("button", name=re.compile("Start a quick quiz")).click()
    for number in range(1, 11):
        expect(page.locator(".quiz-count")).to_have_text(f"Question {number} / 10")
        page.locator(".choice").first.click()
        expect(page.locator("[data-quiz-feedback]")).to_be_visible()
        page.locator("[data-continue]").click()
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()

    sign_up(page, deck_site, "late-joiner")
    page.goto(f"{deck_site}/me/history/")
    expect(page.locator(".history-table tbody tr")).to_have_count(1)
    expect(page.locator(".history-table")).to_contain_text("(quick)")
    context.close()


def test_flashcards_open_with_enter_and_grade_with_number_keys(
    page: Page, deck_site, console_errors
):
    sign_up(page, deck_site, "flashcarder")
    start_two_flashcards(page, deck_site)

    expect(page.locator("[role=timer]")).to_have_count(0)
    expect(page.get_by_role("button", name="I knew it")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="I knew it")).to_be_visible()
    page.keyboard.press("1")
    expect(page.locator("[data-quiz-feedback] h1")).to_contain_text("You knew it")
    page.keyboard.press("Enter")

    expect(page.locator(".quiz-count")).to_have_text("Question 2 / 2")
    page.get_by_text("Show answer").click()
    page.keyboard.press("2")
    expect(page.locator("[data-quiz-feedback] h1")).to_contain_text("Now you know")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    expect(page.locator(".result-summary")).to_contain_text("1 / 2 (50%)")
    assert console_errors == []


def test_showing_a_flashcards_answer_leaves_the_focus_on_the_first_grade(
    page: Page, deck_site, console_errors
):
    start_two_flashcards(page, deck_site)

    # Tabbed to and pressed: the summary hides once open, the focus must not fall to the page.
    show = page.locator("summary", has_text="Show answer")
    show.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="I knew it")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[data-quiz-feedback] h1")).to_contain_text("You knew it")
    page.keyboard.press("Enter")

    expect(page.locator(".quiz-count")).to_have_text("Question 2 / 2")
    page.get_by_text("Show answer").click()
    expect(page.get_by_role("button", name="I knew it")).to_be_focused()
    assert console_errors == []


def test_the_setup_page_shows_only_the_time_field_of_the_chosen_limit(
    page: Page, deck_site, console_errors
):
    page.goto(f"{deck_site}/quiz/")
    seconds = page.get_by_label("Seconds per question", exact=True)
    minutes = page.get_by_label("Minutes for the whole quiz")
    rule = page.get_by_text("Time for length gives each question")
    expect(page.get_by_role("radio", name="Time for length")).to_be_checked()
    expect(rule).to_be_visible()
    expect(seconds).to_be_hidden()
    expect(minutes).to_be_hidden()

    page.get_by_role("radio", name="Fixed seconds per question").check()
    expect(seconds).to_be_visible()
    expect(minutes).to_be_hidden()
    expect(rule).to_be_hidden()

    page.get_by_role("radio", name="For the whole quiz").check()
    expect(minutes).to_be_visible()
    expect(seconds).to_be_hidden()
    expect(rule).to_be_hidden()

    page.get_by_role("radio", name="None").check()
    expect(minutes).to_be_hidden()
    expect(seconds).to_be_hidden()
    expect(rule).to_be_hidden()
    assert console_errors == []


def test_the_setup_pages_tags_open_at_a_thumbs_height_on_a_phone(browser, deck_site):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{deck_site}/quiz/")

    assert page.get_by_text("Tags (optional)").bounding_box()["height"] >= 44
    phone.close()


LONG_DECK_NAME = "Practical Deep Learning for Coders: Lesson Seven, Collaborative Filtering"


@pytest.mark.parametrize("path", ["/quiz/", "/leaderboard/"])
def test_a_decks_long_name_shows_whole_in_the_deck_menu_on_a_phone(browser, deck_site, path):
    # The menu, closed, showed "Practical Deep Learning for Coders: Less" and cut the rest.
    from quizzes.services.anki_io import anki_import_apply

    deck = Deck.objects.create(name=LONG_DECK_NAME, slug="lesson-seven")
    notes = "".join(f"Question {number}?\tAnswer {number}\n" for number in range(12))
    anki_import_apply(deck=deck, data="#separator:tab\n" + notes, source="seven.txt")
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    page.goto(f"{deck_site}{path}?deck=lesson-seven")

    menu = page.get_by_role("combobox", name="Deck")
    closed = menu.bounding_box()
    text_size = menu.evaluate("menu => parseFloat(getComputedStyle(menu).fontSize)")
    assert closed["height"] >= 3 * text_size  # the name wraps to a second line
    assert closed["x"] + closed["width"] <= 360
    menu.tap()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    for option in options.all():
        box = option.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, option.text_content()
        assert box["height"] >= 44, option.text_content()
    assert serious_problems(page) == []

    options.filter(has_text="fast.ai").tap()
    expect(page).to_have_url(re.compile(r"\?deck=fastai$"))
    expect(menu).to_be_focused()
    phone.close()


def test_the_leaderboard_fits_a_narrow_phone(page: Page, deck_site, django_user_model):
    deck = Deck.objects.get(slug="fastai")
    for username in ("alice", "a-learner-with-a-long-name"):
        user = django_user_model.objects.create_user(username, password="x")
        attempt = services.attempt_start_quick(
            user=user, session_key="", deck=deck, now=timezone.now()
        )
        finish(attempt)
    page.set_viewport_size({"width": 360, "height": 800})

    page.goto(f"{deck_site}/leaderboard/")

    expect(page.locator(".leaderboard tbody tr")).to_have_count(4)
    page.screenshot(path="/tmp/quiz-leaderboard-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    fits = "table => table.scrollWidth <= table.parentElement.clientWidth"
    tables = page.locator(".leaderboard")
    for index in range(tables.count()):
        assert tables.nth(index).evaluate(fits)


def test_your_cards_fit_a_narrow_phone_with_a_long_identifier_in_a_question(
    page: Page, deck_site, django_user_model
):
    page.set_viewport_size({"width": 360, "height": 800})
    sign_up(page, deck_site, "phone")
    attempt = start_quick(django_user_model.objects.get(username="phone"), Deck.objects.get())
    finish(attempt)
    # First, as the card's name shows the start of its question.
    long_name = "binary_cross_entropy_with_logits: what does it take?"
    # The lowest number of the ten, all missed: among the five weakest too, so in both lists.
    missed = Card.objects.filter(pk__in=attempt.questions.values("card_id")).order_by("number")
    missed.filter(pk=missed.first().pk).update(question_text=long_name)

    page.goto(f"{deck_site}/me/cards/")

    expect(page.get_by_role("link", name=re.compile("binary_cross_entropy"))).to_have_count(2)
    table = page.locator(".data-table")
    assert table.evaluate("table => table.scrollWidth <= table.parentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


# Whether a link's words take one line: their boxes' tops, one a line; the words the eyes
# read, not its deck's name kept for screen readers in a box of 1 px.
ONE_LINE = """link => {
    const tops = new Set();
    const texts = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
        if (texts.currentNode.parentElement.closest(".visually-hidden")) continue;
        const words = document.createRange();
        words.selectNodeContents(texts.currentNode);
        [...words.getClientRects()].forEach((box) => tops.add(Math.round(box.top)));
    }
    return tops.size === 1;
}"""


@pytest.mark.parametrize("width", [360, 390])
def test_the_card_links_on_your_cards_are_a_thumbs_height_on_a_phone(
    browser, deck_site, django_user_model, width
):
    # A link on two lines had glyphs 43 px tall, and on one line 19 px, with the list or the
    # table's cell around it. A weakest card's link is its text's height, its tap area lent
    # by an ::after (a link grown to it stood in a gap): measured where a finger lands, the
    # top and the bottom of a band 44 px tall around its middle. The cards of the shortest
    # questions, all missed: their links take one line, where the ::after is all there is.
    phone = browser.new_context(
        viewport={"width": width, "height": 740}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    sign_up(page, deck_site, "phone")
    deck = Deck.objects.get()
    # A short deck name, so that the shortest questions' names take one line.
    deck.name = "ML"
    deck.save()
    askable = deck.cards.filter(question_needs_missing_image=False).exclude(choice_html="")
    shortest = askable.order_by(Length("question_text"), "number")[:10]
    config = services.QuizConfig(
        deck=deck, question_count=10, card_ids=tuple(c.pk for c in shortest)
    )
    user = django_user_model.objects.get(username="phone")
    finish(services.attempt_start(user=user, session_key="", config=config, now=timezone.now()))

    page.goto(f"{deck_site}/me/cards/")

    links = page.get_by_role("link", name=re.compile(r"^Card \d+ of "))
    expect(links).to_have_count(15)  # the five weakest, then the ten asked
    one_line = 0
    for link in links.all():
        link.scroll_into_view_if_needed()
        box = link.bounding_box()
        one_line += link.evaluate(ONE_LINE)
        x, middle = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        landed = [
            page.evaluate(
                "([x, y]) => document.elementFromPoint(x, y)?.closest('a')?.textContent",
                [x, y],
            )
            for y in (middle - 21.5, middle + 21.5)
        ]
        assert landed == [link.text_content()] * 2, link.text_content()
    assert one_line >= 2  # one-line links met: where the tap area is all the link lends
    phone.close()


def start_a_quick_quiz_as_guest(page: Page, site: str):
    page.goto(site)
    page.get_by_role("button", name=re.compile("Start a quick quiz")).click()
    page.wait_for_url(PLAY_URL, wait_until="load")
    expect(page.locator(".quiz-count")).to_have_text("Question 1 / 10")


def test_a_refused_answer_shows_the_reason_above_the_question(page: Page, deck_site):
    start_a_quick_quiz_as_guest(page, deck_site)
    position = page.locator("input[name=position]")
    position.evaluate("input => { input.value = '99' }")  # a page out of step with the quiz

    page.keyboard.press("1")
    error = page.get_by_role("alert")
    expect(error).to_have_text("This quiz has no such question.")
    expect(page.locator(".quiz-count")).to_have_text("Question 1 / 10")
    page.screenshot(path="/tmp/quiz-refused.png", full_page=True)
    with page.expect_response("**/answer/"):
        page.keyboard.press("2")
    expect(page.locator(".quiz-error")).to_have_count(1)
    # Taken again once the refusal is in: a key pressed while an answer is on its way is not.
    expect(page.locator("button.choice").first).to_be_enabled()

    position.evaluate("input => { input.value = '1' }")
    answer_with_key(page, "1")
    expect(page.locator(".quiz-error")).to_have_count(0)


def test_an_answer_on_its_way_shows_which_choice_was_taken_and_takes_no_other(
    page: Page, deck_site
):
    # On a slow phone connection the answer takes seconds: a second tap on another choice
    # went nowhere (htmx drops it) while it looked like the one taken.
    start_a_quick_quiz_as_guest(page, deck_site)
    held = []
    page.route("**/answer/", lambda route: held.append(route))
    choices = page.locator("[data-quiz-question] button.choice")
    first = choices.nth(0).locator(".choice-text").inner_text()

    with page.expect_request("**/answer/"):
        choices.nth(0).click()
    for index in range(choices.count()):
        expect(choices.nth(index)).to_be_disabled()
    expect(choices.nth(0)).to_have_class(re.compile(r"\bis-sending\b"))
    expect(page.locator(".choice.is-sending")).to_have_count(1)
    page.keyboard.press("2")
    page.screenshot(path="/tmp/quiz-answer-on-its-way.png")
    held[0].continue_()

    taken = page.locator("[data-quiz-feedback] .your-answer .choice-text")
    expect(taken).to_be_visible()
    # Compared without whitespace: a choice holding a list reads "rate\nmore" on its
    # button and "ratemore" in the feedback's text content, which to_have_text compares.
    assert "".join(taken.inner_text().split()) == "".join(first.split())
    assert len(held) == 1


def test_an_answer_that_does_not_get_through_says_so_and_can_be_sent_again(page: Page, deck_site):
    start_a_quick_quiz_as_guest(page, deck_site)
    page.context.set_offline(True)

    page.keyboard.press("1")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("did not get through")
    expect(alert).to_be_in_viewport()
    expect(page.locator("[data-quiz-question] button.choice").nth(1)).to_be_enabled()
    page.keyboard.press("2")  # once more: said again, in one alert
    expect(page.get_by_role("alert")).to_have_count(1)
    page.screenshot(path="/tmp/quiz-answer-offline.png")
    page.context.set_offline(False)
    answer_with_key(page, "2")
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_server_error_shows_the_error_page(page: Page, deck_site, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the database went away")

    start_a_quick_quiz_as_guest(page, deck_site)
    monkeypatch.setattr(services, "answer_submit", fail)

    page.keyboard.press("1")

    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    expect(page).to_have_title("Something went wrong · quizsite")
    page.screenshot(path="/tmp/quiz-server-error.png", full_page=True)
    expect(page.locator("[data-quiz-question]")).to_have_count(0)


def test_the_whole_quizs_clock_is_read_out_on_a_feedback_screen_too(
    page: Page, deck_site, django_user_model
):
    # The clock runs on under a feedback screen, where its marks were never read out: a
    # learner reading the card's answer was taken to the result without a word.
    from quizzes import engine
    from tests.quizplay import start

    learner = django_user_model.objects.create_user("clock", password="a long enough passphrase")
    whole_quiz = engine.TimeLimit(kind=engine.TimeLimitKind.WHOLE_QUIZ, seconds=14)
    attempt = start(learner, Deck.objects.get(), count=3, limit=whole_quiz)
    page.clock.install()
    page.goto(f"{deck_site}/accounts/login/?next={attempt.get_absolute_url()}")
    page.get_by_label("Username").fill("clock")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(PLAY_URL, wait_until="load")

    answer_with_key(page, "1")
    announced = page.locator("[data-quiz-feedback] [aria-live=polite]")
    left = remaining_seconds(page)
    expect(announced).to_be_empty()
    quiz_time_passes(page, left - 9.5)
    expect(announced).to_have_text("10 seconds left")
    quiz_time_passes(page, 9.6)  # the server is asked a grace second later
    expect(announced).to_have_text("Time is up.")
    quiz_time_passes(page, 2)
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()


# Each button's count of cards, and whether it is drawn where one can read it.
SHOWN_COUNTS = """buttons => buttons.map(button => {
  const text = [...button.querySelectorAll("*"), button].flatMap(node => [...node.childNodes])
    .find(node => node.nodeType === Node.TEXT_NODE && /\\(\\d+ cards?\\)/.test(node.data));
  const count = text.data.match(/\\(\\d+ cards?\\)/)[0];
  return [count, text.parentElement.getBoundingClientRect().width > 20];  // not a 1 px box
})"""


def test_the_two_quiz_me_buttons_on_your_cards_show_which_cards_they_quiz(
    page: Page, deck_site, django_user_model
):
    # Both read "Quiz me on these", one under the five weakest cards, one under every card.
    sign_up(page, deck_site, "twice")
    finish(start_quick(django_user_model.objects.get(username="twice"), Deck.objects.get()))

    page.goto(f"{deck_site}/me/cards/")

    buttons = page.get_by_role("button", name=re.compile("^Quiz me on these"))
    expect(buttons).to_have_count(2)
    counts = buttons.evaluate_all(SHOWN_COUNTS)
    assert counts == [["(5 cards)", True], ["(10 cards)", True]]
