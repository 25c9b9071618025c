"""The admin's Anki import in headless Chromium: the preview guesses the separator, the
editor maps the columns and sees the preview follow, imports; a big import shows a progress
bar that htmx keeps up to date until the report."""

import pytest
from playwright.sync_api import Page, expect

from quizzes.models import Card, Deck, ImportJob
from quizzes.services.anki_io import import_job_run

pytestmark = pytest.mark.browser

VOCABULARY = "2_1,Hund,dog,der\r\n2_2,Katze,cat,die\r\n2_3,Maus,mouse,die\r\n"


@pytest.fixture
def site(live_server, transactional_db):
    Deck.objects.create(name="German", slug="german")
    return live_server.url


def log_in_to_import(page: Page, site: str, password: str) -> None:
    page.goto(f"{site}/admin/login/?next=/admin/quizzes/deck/import-anki/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def upload(page: Page, text: str, name: str) -> None:
    page.select_option("#id_deck", label="German")
    page.set_input_files(
        "#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.click("input[value=Preview]")


def test_the_preview_maps_columns_and_imports_them(
    page: Page, site, staff, password, console_errors
):
    log_in_to_import(page, site, password)
    upload(page, VOCABULARY, "words.csv")

    expect(page.locator("#id_separator")).to_have_value("comma")
    expect(page.get_by_text("Guessed from the file")).to_be_visible()
    expect(page.locator(".import-columns tbody tr")).to_have_count(3)
    plan = page.locator(".import-plan tbody tr").first
    expect(plan).to_contain_text("Hund")

    page.select_option("#id_question", label="column 3 (dog)")
    page.select_option("#id_answer", label="column 2 (Hund)")
    page.check("#id_extra input[value='3']")
    page.click("button[value=preview]")

    expect(plan.locator("td").nth(3)).to_have_text("dog")
    expect(plan.locator("td").nth(4)).to_have_text("Hund der")
    page.screenshot(path="/tmp/admin-import-preview.png", full_page=True)

    page.click("button[value=import]")

    expect(page.locator(".messagelist")).to_contain_text("3 new, 0 changed, 0 unchanged")
    card = Card.objects.get(deck__slug="german", number=1)
    assert (card.question_html, card.answer_html) == ("dog", "Hund<br><br>der")
    assert console_errors == []


def test_a_big_import_shows_its_progress_until_the_report(
    page: Page, site, staff, password, console_errors, settings, queued_tasks
):
    settings.QUIZSITE_IMPORT_BACKGROUND_CARDS = 2
    log_in_to_import(page, site, password)
    upload(page, VOCABULARY, "words.csv")

    page.click("button[value=import]")

    expect(page.locator("#import-progress progress")).to_be_visible()
    expect(page.locator("#import-progress")).to_contain_text("Waiting for the background worker")
    import_job_run(job_id=ImportJob.objects.get().pk)  # what `manage.py db_worker` does

    expect(page.locator("#import-progress")).to_contain_text("3 new, 0 changed, 0 unchanged")
    expect(page.locator("#import-progress progress")).to_have_count(0)
    assert console_errors == []


# Anki's "Notes in Plain Text" export of All Decks: guid, note type and deck columns first.
ALL_DECKS = (
    "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
    "#tags column:6\n"
    "rdmMe>,]p9\tBasic\tGerman\tHund\tdog\t\n"
    "Be[~C#FY0T\tBasic\tGerman::Verbs::Irregular\tsein\tto be\tverbs\n"
    "Q]%dnI<+]3\tBasic\tGerman::Adjectives\tgroß\tbig, tall:"
    " https://de.wiktionary.org/wiki/gro%C3%9F#Deklination_und_Steigerung\t\n"
)


@pytest.mark.parametrize("width", [320, 1280])
def test_the_preview_of_a_text_file_of_several_decks_fits_the_screen(
    page: Page, site, staff, password, console_errors, width
):
    page.set_viewport_size({"width": width, "height": 640 if width == 320 else 900})
    log_in_to_import(page, site, password)
    upload(page, ALL_DECKS, "All Decks.txt")

    expect(page.locator(".import-decks tbody tr")).to_have_count(3)
    expect(page.locator(".import-decks")).to_contain_text("German::Verbs::Irregular")
    # Six columns are wider than a phone: they scroll in their own box, not the page. The
    # plan's five columns fit it, the link in an answer broken anywhere.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert (
        page.locator(".import-plan").evaluate("table => table.getBoundingClientRect().right")
        <= width
    )
    page.screenshot(path=f"/tmp/admin-import-decks-{width}.png", full_page=True)

    page.click("button[value=import]")

    expect(page.locator(".messagelist")).to_contain_text("3 new, 0 changed, 0 unchanged")
    assert Deck.objects.get(slug="german-verbs-irregular").cards.count() == 1
    assert console_errors == []
