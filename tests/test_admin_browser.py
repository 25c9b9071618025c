"""The card editor in headless Chromium: the preview follows the typing, sanitized; the
problem-report form on the card page swaps in its thanks."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from quizzes.models import ProblemReport
from tests.legibility import painted_colours, text_contrast

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, transactional_db, make_deck):
    # live_server answers from another thread: rows must be committed, hence transactional_db.
    make_deck(3)
    return live_server.url


def log_in(page: Page, site: str, username: str, password: str, path: str) -> None:
    page.goto(f"{site}/admin/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


@pytest.fixture
def console_errors(console_errors, page: Page):
    """Failed requests count too: the preview and the report form fetch their fragments."""
    page.on("response", lambda r: r.status >= 400 and console_errors.append(f"{r.status} {r.url}"))
    return console_errors


def test_the_preview_follows_what_staff_type(page: Page, site, staff, password, console_errors):
    from quizzes.models import Card

    card = Card.objects.get(number=1)
    log_in(page, site, "staff", password, f"/admin/quizzes/card/{card.pk}/change/")
    preview = page.locator("#card-preview")
    expect(preview).to_contain_text("Question 1 about tensor1?")

    page.fill("#id_question_html", "<p>Typed <b>live</b></p><script>window.pwned = 1</script>")

    expect(preview).to_contain_text("Typed live")
    expect(preview.locator("b")).to_have_text("live")
    expect(preview.locator("script")).to_have_count(0)
    assert page.evaluate("window.pwned") is None
    page.screenshot(path="/tmp/admin-card-preview.png", full_page=True)
    assert console_errors == []


def test_the_preview_shows_a_cloze_card_with_its_math_as_the_site_does(
    page: Page, site, staff, password, console_errors
):
    from quizzes.models import Card, Deck
    from quizzes.services.anki_io import anki_import_apply

    anki_import_apply(
        deck=Deck.objects.get(), data="#notetype:Cloze\n{{c1::Paris}} is a city\t\n", source="c.txt"
    )
    card = Card.objects.get(is_cloze=True)
    log_in(page, site, "staff", password, f"/admin/quizzes/card/{card.pk}/change/")
    preview = page.locator("#card-preview")
    expect(preview.locator(".cloze").first).to_have_text("[…]")

    page.fill("#id_question_html", "{{c1::\\(x^2\\)::square}} and {{c2::Rome}} [sound:gone.mp3]")

    expect(preview).to_contain_text("Card c2: question")
    expect(preview.locator(".cloze").first).to_have_text("[square]")
    expect(preview.locator("math")).to_have_count(3)  # c1 filled in, both sides of c2
    expect(preview.locator(".audio-missing").first).to_be_visible()
    page.screenshot(path="/tmp/admin-card-preview-cloze.png", full_page=True)
    assert console_errors == []


def test_a_learner_reports_a_problem_without_leaving_the_card(
    page: Page, site, alice, password, console_errors
):
    page.goto(f"{site}/accounts/login/?next=/decks/synthetic/cards/2/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    expect(page).to_have_url(f"{site}/decks/synthetic/cards/2/")

    page.get_by_text("Report a problem with this card").click()
    page.get_by_label("The question or answer is unclear").check()
    page.get_by_label("Details (optional)").fill("Which layer?")
    page.get_by_role("button", name="Send report").click()

    expect(page.locator("#report")).to_contain_text("Thank you")
    expect(page).to_have_url(f"{site}/decks/synthetic/cards/2/")
    report = ProblemReport.objects.get()
    assert (report.kind, report.message) == ("unclear", "Which layer?")
    assert console_errors == []


def test_the_card_list_fits_a_1280_pixel_screen(page: Page, deck_site, staff, password):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, deck_site, "staff", password, "/admin/quizzes/card/")
    expect(page.locator("#result_list")).to_be_visible()

    # The admin scrolls a wide table inside its own box: compare the table with that box.
    overflow = page.evaluate(
        "document.querySelector('#result_list').scrollWidth"
        " - document.querySelector('.results').clientWidth"
    )

    assert overflow <= 0


def test_long_image_urls_wrap_instead_of_pushing_columns_off_the_list(
    page: Page, site, staff, password
):
    from quizzes.models import CachedImage

    folder = "https://images.example.org/gcp_images/"
    CachedImage.objects.bulk_create(
        CachedImage(url=f"{folder}{'exponential_weighted_moving_average_' * 3}{n}.png")
        for n in range(5)
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, site, staff.username, password, "/admin/quizzes/cachedimage/")

    results = page.locator("#changelist .results")
    expect(results).to_be_visible()
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
    expect(page.locator("#result_list td.field-status").first).to_be_in_viewport()


def test_every_field_of_the_card_editor_has_a_name_and_its_links_stand_apart(
    page: Page, site, staff, password
):
    from quizzes.models import CachedImage, Card, CardImage, Distractor

    card = Card.objects.get(number=1)
    image = CachedImage.objects.create(url="https://images.example.org/one.png")
    CardImage.objects.create(card=card, image=image, side="question", position=0)
    Distractor.objects.create(card=card, html="Layer 9", text="Layer 9")  # with its Delete box
    steps = ("get more data", "augment data")  # an answer of steps, offered as their list
    Card.objects.filter(pk=card.pk).update(
        choice_html='<span class="choice-list">'
        + "".join(f'<span class="choice-item">{step}</span>' for step in steps)
        + "</span>"
    )
    log_in(page, site, staff.username, password, f"/admin/quizzes/card/{card.pk}/change/")
    expect(page.locator("#id_distractors-0-DELETE")).to_be_visible()
    # Its items a line each: they ran together, "get more dataaugment data".
    assert page.locator(".card-choice").inner_text().split("\n") == list(steps)

    # link-in-text-block: the breadcrumbs' links, by colour alone, among their separators.
    # aria-prohibited-attr: the tags chooser's filter boxes named by a <span aria-label>.
    # empty-table-header: the inlines' first heading (over each row's saved name) and the
    # images' last, over no Delete box.
    rules = ["label", "link-in-text-block", "aria-prohibited-attr", "empty-table-header"]
    violations = Axe().run(page, options={"runOnly": rules}).response["violations"]

    assert [node["target"] for v in violations for node in v["nodes"]] == []
    name = "Type into this box to filter down the list of available tags."
    expect(page.get_by_role("textbox", name=name)).to_have_count(1)


# A browser that does not know CSS field-sizing (Firefox), in Chromium.
NO_FIELD_SIZING = """
const supports = CSS.supports.bind(CSS);
CSS.supports = (...query) => !String(query[0]).includes("field-sizing") && supports(...query);
const sheet = new CSSStyleSheet();
sheet.replaceSync("textarea { field-sizing: fixed !important; }");
document.adoptedStyleSheets = [sheet];
"""
WORDS_IN_VIEW = "box => box.scrollHeight <= box.clientHeight"


def test_a_wrong_answers_box_grows_with_its_words_in_a_browser_without_field_sizing(
    page: Page, site, staff, password
):
    from quizzes.models import Card, Distractor

    card = Card.objects.get(number=1)
    long_answer = "A layer that normalizes each sample over its features, not the batch. " * 8
    Distractor.objects.create(card=card, html=long_answer, text=long_answer)
    page.add_init_script(NO_FIELD_SIZING)
    log_in(page, site, staff.username, password, f"/admin/quizzes/card/{card.pk}/change/")

    boxes = page.locator("#distractors-group textarea:visible")
    expect(boxes).to_have_count(2)  # the card's and an empty one
    saved, empty = boxes.all()
    expect(saved).to_have_value(long_answer)
    assert saved.evaluate(WORDS_IN_VIEW)
    empty.fill(long_answer)
    assert empty.evaluate(WORDS_IN_VIEW)
    assert empty.evaluate("box => box.style.height") != ""  # grown here, not by CSS

    # Made narrower (a phone turned, the window resized), it grows again.
    before = saved.evaluate("box => [box.clientWidth, box.clientHeight]")
    page.set_viewport_size({"width": 600, "height": 900})
    for _ in range(40):  # a ResizeObserver's callback comes a frame later
        if saved.evaluate(WORDS_IN_VIEW):
            break
        page.wait_for_timeout(25)
    after = saved.evaluate("box => [box.clientWidth, box.clientHeight]")
    assert after[0] < before[0] and after[1] > before[1], (before, after)
    assert saved.evaluate(WORDS_IN_VIEW)


COLOURED_NOTE = (
    "#separator:tab\n#html:true\nWhich activations are bounded?\t"
    '<span style="color: #ffff00">sigmoid</span>, <span style="color: #00ff00">tanh</span>, '
    '<span style="color: #00ffff">softsign, see <a href="https://pytorch.org/">PyTorch</a> '
    'and <code>torch.tanh</code></span>; not <span style="color: #cc0000">ReLU</span> nor '
    '<span style="color: #000080">GELU, <a href="https://docs.python.org/">docs</a>, '
    "<code>gelu</code></span>\n"
)


@pytest.mark.parametrize(
    "system, theme", [("light", "auto"), ("dark", "auto"), ("light", "dark"), ("dark", "light")]
)
def test_the_preview_shows_an_authors_colours_readable_in_the_admins_theme(
    page: Page, site, staff, password, system, theme
):
    from quizzes.models import Deck
    from quizzes.services.anki_io import anki_import_apply

    anki_import_apply(deck=Deck.objects.get(), data=COLOURED_NOTE, source="c.txt")
    card = Deck.objects.get().cards.get(question_text="Which activations are bounded?")
    page.emulate_media(color_scheme=system)
    page.add_init_script(f"localStorage.setItem('theme', '{theme}')")

    log_in(page, site, "staff", password, f"/admin/quizzes/card/{card.pk}/change/")

    answer = page.locator("#card-preview .card-preview-side").nth(1)
    expect(answer).to_contain_text("sigmoid")
    for word in ["sigmoid", "tanh"]:
        assert text_contrast(answer.get_by_text(word, exact=True)) >= 4.5, word
    for name in ["PyTorch", "docs"]:
        assert text_contrast(answer.get_by_role("link", name=name)) >= 4.5, name
    for code in ["torch.tanh", "gelu"]:
        assert text_contrast(answer.get_by_text(code, exact=True)) >= 4.5, code
    if theme == "light" or (theme == "auto" and system == "light"):
        text, _ = painted_colours(answer.get_by_text("ReLU", exact=True))
        assert text == pytest.approx((0.8, 0, 0), abs=0.5 / 255)
    page.screenshot(path=f"/tmp/admin-card-preview-colours-{system}-{theme}.png", full_page=True)


@pytest.fixture
def editor(django_user_model, password):
    """An account with the Editors group's permissions. The group comes from a migration,
    which an earlier test's flush of the database removed (its permissions come back)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    editors, _ = Group.objects.get_or_create(name="Editors")
    rights = Q(codename__in=["view_problemreport", "change_problemreport", "delete_cardimage"])
    for model in ("deck", "card", "tag", "cachedimage", "cardimage"):
        rights |= Q(codename__in=[f"{action}_{model}" for action in ("view", "add", "change")])
    editors.permissions.set(Permission.objects.filter(rights, content_type__app_label="quizzes"))
    user = django_user_model.objects.create_user("editor", password=password, is_staff=True)
    user.groups.add(editors)
    return user


def test_an_editor_on_a_phone_goes_from_a_report_to_its_card_and_resolves_it(
    page: Page, site, alice, editor, password, console_errors
):
    from quizzes.models import Card

    card = Card.objects.get(number=2)
    report = ProblemReport.objects.create(
        card=card, reporter=alice, kind="unclear", message="Which layer does it mean, the first?"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, site, "editor", password, "/admin/quizzes/problemreport/?resolved=open")

    page.get_by_role("link", name=str(card)).click()

    expect(page).to_have_url(f"{site}/admin/quizzes/card/{card.pk}/change/")
    reports = page.locator("#reports-group")
    expect(reports).to_contain_text("Which layer does it mean, the first?")
    resolved = reports.get_by_role("checkbox", name="Resolved")
    resolved.scroll_into_view_if_needed()
    box = resolved.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on the screen, not off its edge
    assert box["height"] >= 24
    resolved.check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(f"{site}/admin/quizzes/card/")
    report.refresh_from_db()
    assert report.resolved_at is not None
    assert console_errors == []
