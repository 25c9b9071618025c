"""The admin on a phone, in headless Chromium: every control staff touch to edit cards and
decks is at least 40 px tall (checkboxes 24 px), as on the site (static/css/admin-site.css);
Django's own admin CSS makes links 16 px tall and checkboxes 13 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from quizzes.models import CachedImage, Card, CardImage, Deck, Distractor
from tests.factories import rendered

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Visible controls smaller than a thumb: [tag, name, width, height].
SMALL_CONTROLS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(element => element.offsetParent !== null)
  .map(element => {
    const box = element.getBoundingClientRect();
    const tick = element.matches('input[type=checkbox], input[type=radio]');
    const least = tick ? 24 : 40;
    const name = (element.id || element.name || element.textContent || '').trim().slice(0, 40);
    return [element.tagName, name, Math.round(box.width), Math.round(box.height), least];
  })
  .filter(([tag, name, width, height, least]) => width < least || height < least)"""
# Tabular inlines wider than their box, which scrolls sideways: [group, table width, box
# width]. The wrong answers' 48em text box pushed their delete ticks a screen to the right,
# and the images' six columns their upload box.
WIDE_INLINES = """() => [...document.querySelectorAll('.inline-group .tabular')]
  .map(box => [box.closest('.inline-group').id, box.scrollWidth, box.clientWidth])
  .filter(([group, wide, box]) => wide > box)"""

# Menus too narrow for the words of their choice: [name, words' width, menu's width]. The
# card list's Tag menu, a third of the action bar, showed "(for the tag".
CUT_MENUS = """() => [...document.querySelectorAll('select')]
  .filter(menu => menu.offsetParent !== null && menu.selectedIndex >= 0)
  .map(menu => {
    const style = getComputedStyle(menu);
    const words = document.createElement('span');
    words.style.font = style.font;
    words.style.whiteSpace = 'pre';
    words.textContent = menu.options[menu.selectedIndex].text;
    document.body.append(words);
    const width = words.getBoundingClientRect().width;
    words.remove();
    // The menu's arrow takes about 20 px of its width.
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = menu.clientWidth - padding - 20;
    return [menu.name, Math.round(width), Math.round(room)];
  })
  .filter(([name, width, room]) => width > room)"""

# Where the words of each element `selector` finds start, from the top of the page.
WORDS_TOPS = """selector => [...document.querySelectorAll(selector)].map(element => {
  const words = document.createRange();
  words.selectNodeContents(element);
  return words.getBoundingClientRect().top;
})"""

# How far the words of each element `selector` finds stand from the middle of its box, in
# whole pixels.
WORDS_OFF_MIDDLE = """selector => [...document.querySelectorAll(selector)].map(element => {
  const words = document.createRange();
  words.selectNodeContents(element);
  const [inner, outer] = [words.getBoundingClientRect(), element.getBoundingClientRect()];
  return Math.round((inner.top + inner.bottom - outer.top - outer.bottom) / 2);
})"""


@pytest.fixture
def site(live_server, transactional_db):
    deck = Deck.objects.create(name="fast.ai", slug="fastai")
    Card.objects.bulk_create(
        rendered(
            Card(
                deck=deck, number=number, question_html=f"<p>Q{number}?</p>", answer_html="<p>A</p>"
            )
        )
        for number in range(1, 4)
    )
    # An image of the first card's: its row in the card's images table.
    image = CachedImage.objects.create(url="https://aiquizzes.com/gcp_images/a_long_file_name.png")
    CardImage.objects.create(
        card=Card.objects.get(number=1), image=image, side="question", position=0
    )
    # A wrong answer of several lines on a phone: two rows of its box hid the rest.
    Distractor.objects.create(
        card=Card.objects.get(number=1),
        html="<p>The training, validation and test sets together, shuffled once a run</p>",
    )
    return live_server.url


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/quizzes/card/",
        "/admin/quizzes/card/?o=1&q=Q1",
        "/admin/quizzes/card/{card}/change/",
        "/admin/quizzes/deck/",
        "/admin/quizzes/deck/import-anki/",
    ],
)
def test_every_admin_control_is_big_enough_for_a_thumb(page: Page, site, staff, password, path):
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")

    page.goto(site + path.format(card=Card.objects.get(number=1).pk))

    assert page.locator("#content").is_visible()
    assert page.evaluate(SMALL_CONTROLS) == []
    assert page.evaluate(WIDE_INLINES) == []
    assert page.evaluate(CUT_MENUS) == []
    if path == "/admin/":
        # A model's Add link's words level with its name (a block, they sat at its top).
        name, add = page.evaluate(WORDS_TOPS, ".dashboard .module tbody tr a")[:2]
        assert add == pytest.approx(name, abs=2)
        # The header's links' words in the middle of their box, as Log out's (at its top,
        # a gap of a line stood between them).
        assert page.evaluate(WORDS_OFF_MIDDLE, "#user-tools a") == [0, 0]
    if "q=" in path:
        # The search box, named by a magnifier's image only (label-title-only), and its
        # count's "(3 total)" link, told from the count's words by colour alone.
        rules = ["label-title-only", "link-in-text-block"]
        violations = Axe().run(page, options={"runOnly": rules}).response["violations"]
        assert [node["target"] for v in violations for node in v["nodes"]] == []
        expect(page.get_by_role("textbox", name="Search cards")).to_be_visible()
    if path == "/admin/quizzes/card/":
        # The action and Tag menus one under the other, lined up ("Action:" is the wider).
        menus = [menu.bounding_box() for menu in page.locator("#changelist .actions select").all()]
        assert len(menus) == 2
        assert menus[0]["x"] == menus[1]["x"] and menus[0]["width"] == menus[1]["width"]
        assert menus[0]["y"] < menus[1]["y"]
    if path.endswith("/change/"):
        # No report about the card: no heading of its open reports with nothing under it.
        assert page.locator("#reports-group").count() == 1
        assert page.locator("#reports-group").is_hidden()
        wrong_answers = page.locator("#distractors-group textarea:visible")
        assert wrong_answers.count() == 2  # the card's and an empty one
        for box in wrong_answers.all():
            assert box.evaluate("box => box.scrollHeight <= box.clientHeight")
        assert page.locator("#card_images-group tr.form-row").count() == 1
        assert page.locator("#card_images-group").is_visible()
        page.set_viewport_size({"width": 320, "height": 640})  # the narrowest phones
        assert page.evaluate(WIDE_INLINES) == []
        # A card without images: no heading of their table with nothing under it.
        page.goto(site + path.format(card=Card.objects.get(number=2).pk))
        assert page.locator("#card_images-group").count() == 1
        assert page.locator("#card_images-group").is_hidden()


# Each arrow of the tags' chooser, with the height of the box its sprite is painted in
# (Django's selector-icons.svg: one icon every 16 or 24 px, the next state's below it).
CHOOSER_ARROWS = """() => [...document.querySelectorAll(
    '.selector-add, .selector-remove, .selector-chooseall, .selector-clearall')]
  .filter(arrow => arrow.offsetParent !== null)
  .map(arrow => {
    const style = getComputedStyle(arrow);
    const box = arrow.getBoundingClientRect();
    const inset = style.backgroundClip === 'content-box'
      ? parseFloat(style.paddingTop) + parseFloat(style.paddingBottom) : 0;
    const chooser = arrow.closest('.selector-chooser')?.getBoundingClientRect() ?? box;
    return {name: arrow.className, height: box.height, painted: box.height - inset,
            outside: box.left < chooser.left || box.right > chooser.right
              || box.top < chooser.top || box.bottom > chooser.bottom};
  })"""


@pytest.mark.parametrize("width", [390, 1280])
def test_each_arrow_of_the_tag_chooser_shows_one_icon_within_its_bar(
    page: Page, site, staff, password, width
):
    page.set_viewport_size({**PHONE, "width": width})
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")

    page.goto(f"{site}/admin/quizzes/card/{Card.objects.get(number=1).pk}/change/")

    arrows = page.evaluate(CHOOSER_ARROWS)
    assert arrows
    for arrow in arrows:
        icon = 16 if "all" in arrow["name"] else 24
        assert arrow["painted"] <= icon, arrow
        assert not arrow["outside"], arrow
