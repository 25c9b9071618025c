"""The account page in headless Chromium, on a phone: an email added and confirmed from the
link sent to it, the data downloaded as a file, the account deleted behind the password, and
no serious accessibility violation."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser_review import log_in, serious_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("dark", [False, True])
def test_a_learner_downloads_their_data_then_deletes_the_account(
    page: Page, deck_site, console_errors, django_user_model, dark, mailoutbox
):
    page.emulate_media(color_scheme="dark" if dark else "light")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/me/history/")
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    saved = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert saved["account"]["username"] == "reviewer"
    assert download.value.suggested_filename.startswith("quizsite-reviewer-")

    password_section = page.get_by_role("region", name="Password")
    password_section.get_by_text("Add an email").click()
    password_section.get_by_label("Email").fill("reviewer@example.org")
    password_section.get_by_label("Your password").fill("a long enough passphrase")
    password_section.get_by_role("button", name="Save the email").click()
    expect(page.get_by_text("We sent a link to reviewer@example.org")).to_be_visible()
    [mail] = mailoutbox
    page.goto(re.search(r"http://\S+/accounts/email/\S+/", mail.body).group(0))
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm this email").click()
    expect(page.get_by_role("heading", name="Email confirmed")).to_be_visible()
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_text("link goes to reviewer@example.org").first).to_be_visible()

    deletion = page.get_by_role("region", name="Delete your account")
    deletion.get_by_label("Your password").fill("not it")
    deletion.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password.")).to_be_visible()
    assert django_user_model.objects.filter(username="reviewer").exists()

    deletion.get_by_label("Your password").fill("a long enough passphrase")
    deletion.get_by_role("button", name="Delete my account").click()
    expect(
        page.get_by_text("The account reviewer and everything kept for it are deleted")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert not django_user_model.objects.filter(username="reviewer").exists()
    assert console_errors == []


@pytest.fixture
def page_with_back_forward_cache(browser_type, browser_type_launch_args):
    """A page in a Chromium whose back/forward cache is on, as in a learner's browser (it
    keeps the pages left, live, and Back shows them again without asking the server):
    Playwright turns it off unless told not to."""
    browser = browser_type.launch(
        **browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"]
    )
    yield browser.new_page()
    browser.close()


def test_back_after_logging_out_does_not_show_the_signed_in_page(
    page_with_back_forward_cache, deck_site, django_user_model
):
    """A shared computer: the next person pressing Back sees the pages as a guest."""
    page = page_with_back_forward_cache
    log_in(page, deck_site, django_user_model)
    for path in ["/decks/fastai/", "/me/history/"]:
        page.goto(f"{deck_site}{path}")
        expect(page.get_by_role("link", name="reviewer")).to_be_visible()
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_text("You are logged out.")).to_be_visible()

        page.go_back(wait_until="commit")  # a page restored from the cache fires no load

        expect(page.get_by_role("link", name="Log in")).to_be_visible()
        expect(page.get_by_role("link", name="reviewer")).to_have_count(0)
        page.goto(f"{deck_site}/accounts/login/")
        page.get_by_label("Username").fill("reviewer")
        page.get_by_label("Password").fill("a long enough passphrase")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("link", name="reviewer")).to_be_visible()


def test_the_links_standing_alone_on_account_pages_are_a_thumbs_height(
    browser, deck_site, django_user_model, settings
):
    settings.QUIZSITE_PASSWORD_RESET = True
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    links = {
        "/accounts/login/": "Forgot your password?",
        "/accounts/password/reset/sent/": "Back to log in",
        "/no-such-page/": "Back to the home page",
        "/decks/fastai/cards/999/": "Home page",
    }
    for path, name in links.items():
        page.goto(f"{deck_site}{path}")
        assert page.get_by_role("link", name=name).bounding_box()["height"] >= 40, path
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}/me/account/")
    assert page.get_by_role("link", name="Change your password").bounding_box()["height"] >= 40
    page.goto(f"{deck_site}/me/history/")
    for name in ["Your cards: figures and weakest cards", "Your progress", "Study settings"]:
        assert page.get_by_role("link", name=name).bounding_box()["height"] >= 40, name
    phone.close()


@pytest.mark.parametrize(
    "path, button, heading",
    [
        ("/me/account/", "Download my data", "Delete your account"),
        ("/me/settings/", "Save", "Your memory model"),
    ],
)
def test_a_sections_heading_stands_apart_from_the_button_above_it(
    page: Page, deck_site, django_user_model, path, button, heading
):
    log_in(page, deck_site, django_user_model)
    page.goto(f"{deck_site}{path}")

    above = page.get_by_role("button", name=button).or_(page.get_by_role("link", name=button))
    above = above.bounding_box()
    title = page.get_by_role("heading", name=heading).bounding_box()
    assert title["y"] - (above["y"] + above["height"]) >= 32


IN_VIEW = """field => {
  const box = field.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= innerHeight;
}"""


def test_a_form_sent_back_with_an_error_has_the_focus_on_the_field_to_mend_on_a_phone(
    browser, deck_site, django_user_model
):
    # The page came back at its top: the deletion's "That is not your password.", at the
    # account page's foot, was out of sight, and a screen reader started at the navigation.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = phone.new_page()
    log_in(page, deck_site, django_user_model)

    page.goto(f"{deck_site}/me/account/")
    deletion = page.get_by_role("region", name="Delete your account")
    deletion.get_by_label("Your password").fill("not it")
    deletion.get_by_role("button", name="Delete my account").click()
    password = page.get_by_role("region", name="Delete your account").get_by_label("Your password")
    expect(password).to_be_focused()
    expect(password).to_have_accessible_description(re.compile("That is not your password."))
    assert password.evaluate(IN_VIEW)

    page.goto(f"{deck_site}/me/settings/")
    page.get_by_label("Learning steps", exact=True).fill("ten minutes")
    page.get_by_role("button", name="Save").click()
    steps = page.get_by_label("Learning steps", exact=True)
    expect(steps).to_be_focused()
    assert steps.evaluate(IN_VIEW)

    page.goto(f"{deck_site}/quiz/")
    page.get_by_label("Number of questions").fill("0")
    page.get_by_role("button", name="Start the quiz").click()
    count = page.get_by_label("Number of questions")
    expect(count).to_be_focused()
    expect(count).to_have_accessible_description(re.compile("greater than or equal to 1"))
    assert count.evaluate(IN_VIEW)
    phone.close()
