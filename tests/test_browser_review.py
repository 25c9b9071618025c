"""The review page in headless Chromium: five cards by keyboard, the due count dropping,
undo, and no serious accessibility violation (axe-core, bundled by axe-playwright-python)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def log_in(page: Page, site: str, django_user_model):
    django_user_model.objects.create_user("reviewer", password="a long enough passphrase")
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="reviewer")).to_be_visible()


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}) at {node['target']}: {node['failureSummary']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def test_a_learner_reviews_five_cards_by_keyboard_and_sees_the_count_drop(
    page: Page, deck_site, console_errors, django_user_model
):
    from quizzes.models import Card

    # The deck's images are not cached here: new cards whose question needs one wait.
    served = Card.objects.filter(question_needs_missing_image=False).order_by("number")
    numbers = list(served.values_list("number", flat=True)[:5])
    log_in(page, deck_site, django_user_model)
    nav = page.locator("#nav-review")
    expect(nav).to_have_text(re.compile(r"^Review \(20\):"))
    nav.click()
    page.wait_for_load_state()  # the keyboard works once the deferred scripts ran
    expect(page.locator("[data-review-counts]")).to_contain_text("20 new")

    answer = page.locator("[data-review-answer] .answer")
    for done in range(1, 6):
        heading = page.locator("#review-card-title")
        expect(heading).to_contain_text(f"Card {numbers[done - 1]} of")
        expect(answer).to_be_hidden()
        page.keyboard.press("Space")
        expect(answer).to_be_visible()
        expect(page.locator(".grade-interval").nth(3)).to_have_text(re.compile(r"\d+ d$"))
        page.screenshot(path=f"/tmp/review-card-{done}.png", full_page=True)
        page.keyboard.press("4" if done % 2 else "3")
        expect(nav).to_have_text(re.compile(rf"^Review \({20 - done}\):"))
        expect(page.locator("[data-review-counts]")).to_contain_text(f"{20 - done} new")

    # In a narrow window the Undo link takes two lines: its key stays beside the first, not
    # on a line of its own below the link.
    page.set_viewport_size({"width": 460, "height": 720})
    undo = page.locator("[data-undo-key]")
    lines = undo.evaluate(
        """button => {
            const text = document.createRange();
            text.selectNodeContents(button);
            return new Set([...text.getClientRects()].map(line => Math.round(line.top))).size;
        }"""
    )
    link, key = undo.bounding_box(), page.locator(".review-undo .key-hint").bounding_box()
    assert lines == 2
    assert key["x"] >= link["x"] + link["width"]
    assert key["y"] < link["y"] + link["height"] / 2
    page.set_viewport_size({"width": 1280, "height": 720})

    # U takes the last grade back: the card and the count return.
    page.keyboard.press("u")
    expect(page.locator("#review-card-title")).to_contain_text(f"Card {numbers[-1]} of")
    expect(nav).to_have_text(re.compile(r"^Review \(16\):"))
    assert serious_violations(page) == []
    assert console_errors == []


@pytest.mark.parametrize("keys", ["Control+z", "Meta+z"])
def test_ctrl_z_undoes_the_last_grade_as_in_anki(
    page: Page, deck_site, console_errors, django_user_model, keys
):
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    page.wait_for_load_state()
    first = page.locator("#review-card-title").text_content()
    page.keyboard.press("Space")
    page.keyboard.press("3")
    expect(page.locator("[data-undo-key]")).to_be_visible()
    expect(page.locator("#review-card-title")).not_to_have_text(first)

    page.keyboard.press(keys)
    expect(page.locator("#review-card-title")).to_have_text(first)
    expect(page.locator(".review-notice")).to_contain_text("Grade undone")
    assert console_errors == []


def test_a_touch_phone_shows_no_key_hints_on_the_review(browser, deck_site, django_user_model):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    page.locator("summary", has_text="Show answer").tap()
    page.get_by_role("button", name=re.compile(r"^Good")).tap()

    expect(page.locator("[data-undo-key]")).to_be_visible()
    expect(page.locator(".review-undo .hint")).to_be_hidden()
    page.locator("summary", has_text="Show answer").tap()
    expect(page.locator(".grade kbd").first).to_be_hidden()
    expect(page.locator(".grade-form legend .hint")).to_be_hidden()
    # With text twice as large (an accessibility setting), the counts wrap within the phone.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    counts = page.locator("[data-review-counts]").evaluate(
        "counts => [...counts.children].map(count => count.getBoundingClientRect().right)"
    )
    assert max(counts) <= 390, counts
    phone.close()


@pytest.mark.parametrize("touch", [False, True])
def test_show_answer_sits_in_the_middle_of_its_button(browser, deck_site, django_user_model, touch):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=touch, is_mobile=touch
    )
    page = context.new_page()
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")

    button = page.locator("summary", has_text="Show answer")
    above, below = button.evaluate(
        """summary => {
            const text = document.createRange();
            text.selectNodeContents(summary.firstChild);
            const line = text.getBoundingClientRect(), box = summary.getBoundingClientRect();
            return [line.top - box.top, box.bottom - line.bottom];
        }"""
    )
    assert abs(above - below) <= 2
    context.close()


def test_the_review_works_without_javascript(browser, deck_site, django_user_model):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    page.get_by_text("Show answer").click()
    page.get_by_role("button", name=re.compile("^Again")).click()
    expect(page.locator("#nav-review")).to_have_text(re.compile(r"^Review \(19\):"))
    undo = re.compile(r"Undo “Again” on card 1\b")
    expect(page.get_by_role("button", name=undo)).to_be_visible()
    context.close()


def test_at_the_end_a_learner_asks_for_more_new_cards(
    page: Page, deck_site, console_errors, django_user_model
):
    from quizzes.services import reviews

    log_in(page, deck_site, django_user_model)
    reviews.settings_update(
        user=django_user_model.objects.get(username="reviewer"),
        desired_retention=0.9,
        new_cards_per_day=1,
        day_start_hour=4,
        time_zone="UTC",
    )
    page.goto(f"{deck_site}/review/")
    page.wait_for_load_state()
    page.keyboard.press("Space")
    page.keyboard.press("3")
    expect(page.get_by_role("heading", name="Done for now")).to_be_visible()
    page.screenshot(path="/tmp/review-done.png", full_page=True)
    assert serious_violations(page) == []
    page.get_by_label("Learn").fill("2")
    page.get_by_role("button", name="more new cards today").click()
    expect(page.locator("#review-card-title")).to_contain_text("New · Card")
    expect(page.locator("#nav-review")).to_have_text(re.compile(r"^Review \(2\):"))
    assert console_errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_done_pages_buttons_sit_in_the_middle_as_its_text_does(
    page: Page, deck_site, django_user_model, width
):
    from quizzes.services import reviews

    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, deck_site, django_user_model)
    reviews.settings_update(
        user=django_user_model.objects.get(username="reviewer"),
        desired_retention=0.9,
        new_cards_per_day=1,
        day_start_hour=4,
        time_zone="UTC",
    )
    page.goto(f"{deck_site}/review/")
    page.keyboard.press("Space")
    page.keyboard.press("3")
    heading = page.get_by_role("heading", name="Done for now").bounding_box()

    first = page.get_by_role("link", name="See your progress").bounding_box()
    last = page.get_by_role("link", name="Take a quiz").bounding_box()
    middle = (first["x"] + last["x"] + last["width"]) / 2
    assert middle == pytest.approx(heading["x"] + heading["width"] / 2, abs=1)


@pytest.mark.parametrize("dark", [False, True])
def test_the_progress_page_has_no_serious_accessibility_violation(
    page: Page, deck_site, console_errors, django_user_model, dark
):
    page.emulate_media(color_scheme="dark" if dark else "light")
    if dark:  # and on a phone
        page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    page.wait_for_load_state()
    answer = page.locator("[data-review-answer] .answer")
    for grade in ("3", "1"):
        page.keyboard.press("Space")
        expect(answer).to_be_visible()
        page.keyboard.press(grade)
        expect(answer).to_be_hidden()  # the next card's
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.goto(f"{deck_site}/me/progress/")
    expect(page.locator("svg[role=img]")).to_have_count(4)
    page.screenshot(path=f"/tmp/progress-{'dark' if dark else 'light'}.png", full_page=True)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []
    from django.urls import reverse
    from django.utils import timezone

    from quizzes.models import LearnerSettings, ReviewLog

    # The first card's study box, its reviews listed in a table.
    review = ReviewLog.objects.order_by("pk").select_related("card__deck", "user").first()
    first = review.card
    # Answered in a quiz: "(in a flashcard quiz)" beside its kind widened the table past a
    # phone again.
    ReviewLog.objects.filter(pk=review.pk).update(source=ReviewLog.Source.FLASHCARD)
    page.goto(f"{deck_site}{reverse('card_study', args=[first.deck.slug, first.number])}")
    page.get_by_text(re.compile(r"^Your reviews of it")).click()
    expect(page.locator("[data-card-history] tbody tr")).to_have_count(1)
    assert serious_violations(page) == []
    # Its five columns in view on a phone (the time taken was out of it, the table scrolled).
    rows = page.locator(".card-history-rows")
    assert rows.evaluate("box => box.scrollWidth <= box.clientWidth"), rows.inner_text()
    # The settings, with how well a fit predicts the reviews.
    LearnerSettings.objects.update_or_create(
        user=review.user,
        defaults={
            "parameters_fitted_at": timezone.now(),
            "parameters_review_count": 2,
            "parameters_log_loss": 0.3412,
            "parameters_rmse": 0.0421,
        },
    )
    page.goto(f"{deck_site}/me/settings/")
    expect(page.locator("[data-fit-evaluation]")).to_be_visible()
    assert serious_violations(page) == []
    assert console_errors == []


# The time axis labels of each chart on the page that overlap the next one's (of those shown:
# the heatmap hides a month's name that has no room, progress.js).
AXIS_LABELS_RUNNING_INTO_THE_NEXT = """() => [...document.querySelectorAll("svg.chart")].flatMap(
  chart => {
    const labels = [...chart.querySelectorAll("text.axis")]
      .filter(label => getComputedStyle(label).visibility !== "hidden")
      .map(label => [label.textContent, label.getBoundingClientRect()])
      .filter(([, box]) => box.width);
    const time = labels.filter(([, box]) => box.top === labels.at(-1)[1].top);
    return time.slice(1).filter(([, box], index) => box.left < time[index][1].right)
      .map(([text], index) => `${time[index][0]}|${text}`);
  })"""


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_the_forecasts_first_label_before_the_study_day_starts_runs_into_no_other(
    browser, deck_site, django_user_model, width
):
    # At 1:xx am, before the 4 am start of the study day, the first day is "Until 4:00": on
    # a phone it ran into the "+5" beside it ("Until 4:00+5").
    from django.utils import timezone

    from quizzes.services import reviews

    learner = django_user_model.objects.create_user("night", password="a long enough passphrase")
    hour = timezone.now().hour
    offset = 1 - hour if 1 - hour >= -12 else 25 - hour  # where it is 1:xx am now
    reviews.time_zone_set(user=learner, time_zone=f"Etc/GMT{-offset:+d}")
    phone = browser.new_context(
        viewport={"width": width, "height": 844}, has_touch=width < 400, is_mobile=width < 400
    )
    page = phone.new_page()
    page.goto(f"{deck_site}/accounts/login/?next=/me/progress/")
    page.get_by_label("Username").fill("night")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()

    expect(page.locator(".bar-chart text.axis", has_text="Until 4:00")).to_be_visible()
    assert page.evaluate(AXIS_LABELS_RUNNING_INTO_THE_NEXT) == []
    phone.close()


def test_a_learner_signing_up_in_tokyo_studies_on_tokyo_time(browser, deck_site, django_user_model):
    """site.js sends the browser's time zone with the sign-up: the study day starts at 4 am
    on the learner's clock, not at 4 am UTC (1 pm in Tokyo)."""
    from quizzes.services import reviews

    tokyo = browser.new_context(
        viewport={"width": 390, "height": 844}, timezone_id="Asia/Tokyo", is_mobile=True
    )
    page = tokyo.new_page()
    page.goto(f"{deck_site}/accounts/signup/")
    page.get_by_label("Username").fill("tokyo")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password confirmation").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name="tokyo")).to_be_visible()
    user = django_user_model.objects.get(username="tokyo")
    assert reviews.learner_settings(user=user).time_zone == "Asia/Tokyo"
    page.goto(f"{deck_site}/me/settings/")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")


def test_a_learner_travelling_is_offered_the_devices_time_zone(
    browser, deck_site, django_user_model
):
    from quizzes.services import reviews

    user = django_user_model.objects.create_user("traveller", password="a long enough passphrase")
    reviews.time_zone_set(user=user, time_zone="Europe/Berlin")
    tokyo = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Tokyo")
    page = tokyo.new_page()
    page.goto(f"{deck_site}/accounts/login/?next=/me/settings/")
    page.get_by_label("Username").fill("traveller")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    note = page.locator("[data-device-time-zone]")
    expect(note).to_contain_text("This device is on Asia/Tokyo time.")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    page.screenshot(path="/tmp/h-study-shots/test-travelling.png", full_page=True)
    note.get_by_role("button", name="Use it").click()
    expect(note).to_be_hidden()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your study settings are saved.")).to_be_visible()
    assert reviews.learner_settings(user=user).time_zone == "Asia/Tokyo"
    expect(note).to_be_hidden()  # the device's zone now


@pytest.mark.parametrize(
    ("saved", "device"),
    [("Asia/Kolkata", "Asia/Kolkata"), ("Europe/Kyiv", "Europe/Kyiv"), ("Asia/Calcutta", "UTC")],
)
def test_a_device_on_the_same_clock_under_another_name_is_not_travelling(
    browser, deck_site, django_user_model, saved, device
):
    """Chromium names Kolkata "Asia/Calcutta" and Kyiv "Europe/Kiev" (ICU's names): the
    notice compares the two zones' clocks over the year, not their names."""
    from quizzes.services import reviews

    user = django_user_model.objects.create_user("traveller", password="a long enough passphrase")
    reviews.time_zone_set(user=user, time_zone=saved)
    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id=device)
    page = context.new_page()
    page.goto(f"{deck_site}/accounts/login/?next=/me/settings/")
    page.get_by_label("Username").fill("traveller")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Time zone")).to_have_value(saved)
    reported = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    note = page.locator("[data-device-time-zone]")
    if device == "UTC":  # another clock: the notice shows
        expect(note).to_contain_text(f"This device is on {reported} time.")
    else:
        page.wait_for_load_state("load")
        expect(note).to_be_hidden()
    context.close()


def test_a_new_learners_forecast_says_where_the_cards_to_study_are(
    page: Page, deck_site, django_user_model
):
    # It listed thirty days, each with 0 cards due, and nothing else.
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/me/progress/")

    forecast = page.get_by_role("region", name="Cards due per day")
    expect(forecast.get_by_role("row")).to_have_count(0)
    expect(forecast).to_contain_text("Nothing is due in the next 30 days")
    forecast.get_by_role("link", name="Learn 20 new cards").click()
    expect(page.get_by_role("heading", name=re.compile("^New · Card"))).to_be_visible()


def test_minus_buries_at_suspends_and_u_takes_each_back(
    page: Page, deck_site, console_errors, django_user_model
):
    """Anki's keys: - buries the card, @ suspends it (typed with Shift here, AltGr or Option
    on other keyboards), U and Ctrl+Z undo either. (The deck has more new cards than the
    day's 20: the next one takes the held card's place in the count.)"""
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    page.wait_for_load_state()
    heading = page.locator("#review-card-title")
    first = heading.text_content()
    page.screenshot(path="/tmp/review-card-actions.png", full_page=True)

    page.keyboard.press("-")
    expect(page.locator(".review-notice")).to_contain_text("is buried")
    expect(heading).not_to_have_text(first)
    expect(page.locator("[data-undo-key]")).to_contain_text("Undo Bury of")
    page.keyboard.press("u")
    expect(heading).to_have_text(first)
    expect(page.locator(".review-notice")).to_contain_text("Bury undone")

    page.keyboard.press("@")
    expect(page.locator(".review-notice")).to_contain_text("is suspended")
    expect(heading).not_to_have_text(first)
    page.keyboard.press("Control+z")
    expect(heading).to_have_text(first)
    expect(page.locator(".review-notice")).to_contain_text("Suspend undone")
    assert serious_violations(page) == []
    assert console_errors == []


def test_a_card_is_suspended_and_brought_back_from_its_own_page(
    page: Page, deck_site, console_errors, django_user_model
):
    from quizzes.models import Card

    card = Card.objects.order_by("deck__name", "number").select_related("deck").first()
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}{card.get_absolute_url()}")
    box = page.locator("#card-study")
    expect(box).to_contain_text("New to you: not studied yet.")
    box.get_by_role("button", name="Suspend").click()
    expect(box).to_contain_text("Suspended: out of your reviews until you unsuspend it.")
    page.screenshot(path="/tmp/card-study-suspended.png", full_page=True)
    box.get_by_role("button", name="Unsuspend").click()
    expect(box).to_contain_text("is back in your reviews")
    expect(page.locator("#nav-review")).to_have_text(re.compile(r"^Review \(20\):"))
    assert serious_violations(page) == []
    assert console_errors == []


def test_equals_buries_the_note_bang_suspends_it_and_u_takes_all_back(
    page: Page, deck_site, console_errors, django_user_model
):
    """Anki's keys for a note: = buries the card and its siblings, ! suspends them (Shift+1
    here), and one U or Ctrl+Z brings the whole note back."""
    from quizzes.models import Card

    first, second = Card.objects.order_by("deck__name", "number")[:2]
    sibling = Card.objects.filter(deck=first.deck).order_by("-number").first()
    for card_ord, card in enumerate((first, sibling)):
        card.guid, card.card_ord = "browser-note", card_ord
        card.save(update_fields=["guid", "card_ord"])
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    heading = page.locator("#review-card-title")
    expect(heading).to_contain_text(f"Card {first.number} of")
    page.screenshot(path="/tmp/review-note-actions.png", full_page=True)

    page.keyboard.press("=")
    expect(page.locator(".review-notice")).to_contain_text(
        f"{first.named} and its sibling card {sibling.number} are buried"
    )
    expect(heading).to_contain_text(f"Card {second.number} of")
    expect(page.locator("[data-undo-key]")).to_contain_text("Undo Bury note of")
    page.keyboard.press("u")
    expect(heading).to_contain_text(f"Card {first.number} of")
    expect(page.locator(".review-notice")).to_contain_text("are back, as they were before")

    page.keyboard.press("!")
    expect(page.locator(".review-notice")).to_contain_text("are suspended")
    expect(heading).to_contain_text(f"Card {second.number} of")
    page.keyboard.press("Control+z")
    expect(heading).to_contain_text(f"Card {first.number} of")
    expect(page.locator(".review-notice")).to_contain_text("Suspend undone")
    assert serious_violations(page) == []
    assert console_errors == []


def test_the_progress_pages_links_are_a_thumbs_height_on_a_phone(
    browser, deck_site, django_user_model
):
    # In the sentence of figures at the top, "Review now · Settings" were 20 px tall, a dot
    # apart on one line.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    log_in(page, deck_site, django_user_model)

    page.goto(f"{deck_site}/me/progress/")

    for name in ["Review now", "Settings", "Suspended cards"]:
        assert page.get_by_role("link", name=name, exact=True).bounding_box()["height"] >= 44
    phone.close()


def test_e_opens_staffs_card_form_and_saving_comes_back_to_the_card_as_edited(
    page: Page, deck_site, console_errors, django_user_model
):
    """Anki's E in the reviewer, for staff who edit cards."""
    django_user_model.objects.create_superuser("editor", password="a long enough passphrase")
    page.goto(f"{deck_site}/accounts/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{deck_site}/review/")
    heading = page.locator("#review-card-title")
    first = heading.text_content()

    page.keyboard.press("e")
    question = page.locator("#id_question_html")
    question.fill("A question worded better?")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(heading).to_have_text(first)
    expect(page.locator(".quiz-prompt")).to_have_text("A question worded better?")
    assert console_errors == []


def test_the_end_screen_shows_a_card_by_itself_when_its_learning_step_comes_up(
    page: Page, deck_site, console_errors, django_user_model
):
    """As Anki's end screen: no reload. The learner's one card has a one-hour step whose
    card the review takes 20 minutes early, due eight seconds from now (time for the end
    screen to show first on a busy machine)."""
    from datetime import timedelta

    from django.utils import timezone

    from quizzes.models import Card
    from quizzes.services import reviews

    log_in(page, deck_site, django_user_model)
    learner = django_user_model.objects.get(username="reviewer")
    now = timezone.now()
    reviews.settings_update(
        user=learner,
        desired_retention=0.9,
        new_cards_per_day=0,
        day_start_hour=(now.hour + 12) % 24,  # no study day starts in the minutes ahead
        time_zone="UTC",
        learning_steps=(timedelta(hours=1),),
    )
    card = Card.objects.filter(question_needs_missing_image=False).order_by("number").first()
    reviews.review_record(
        user=learner,
        card=card,
        rating=1,
        now=now - timedelta(minutes=40) + timedelta(seconds=8),
        elapsed_seconds=3,
    )
    page.goto(f"{deck_site}/review/")
    expect(page.get_by_role("heading", name="Done for now")).to_be_visible()
    expect(page.locator("#review-card-title")).to_contain_text(
        f"Learning · Card {card.number} of {card.deck.name}", timeout=25_000
    )
    expect(page.locator("[data-review-counts]")).to_contain_text("1 learning")
    assert console_errors == []


def test_a_flag_is_set_and_cleared_under_the_card_and_the_grades_stay_usable(
    page: Page, deck_site, console_errors, django_user_model
):
    """The flag's control swaps alone: the card stays, and its grades still answer."""
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/review/")
    page.wait_for_load_state()
    heading = page.locator("#review-card-title")
    first = heading.text_content()
    flag = page.locator("[data-card-flag]")
    flag.locator("summary").click()
    flag.get_by_role("button", name="Orange").click()
    expect(page.locator("[data-card-flag] summary")).to_contain_text("Orange flag")
    expect(heading).to_have_text(first)
    assert serious_violations(page) == []
    page.locator("[data-card-flag] summary").click()
    page.locator("[data-card-flag]").get_by_role("button", name="Orange (clear)").click()
    expect(page.locator("[data-card-flag] summary")).not_to_contain_text("Orange")
    # The swapped-in control takes the focus its button had (once htmx settles it), so
    # Space there would reopen the flags: the answer is shown by its own button.
    expect(page.locator("[data-card-flag] summary")).to_be_focused()
    page.get_by_text("Show answer").click()
    page.keyboard.press("3")
    expect(heading).not_to_have_text(first)
    assert console_errors == []
