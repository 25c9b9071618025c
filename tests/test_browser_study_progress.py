"""The progress page's year of reviews: whole on a laptop's column, its weekday names not
cut; on a phone it scrolls sideways in its own box, the latest weeks in view, its weekday
names beside the box and its months' names whole, and apart, wherever it is scrolled to."""

import itertools

import pytest
from playwright.sync_api import Page

from tests.test_browser_review import log_in
from tests.test_browser_set_due import PHONE

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 900}


def heatmap_box(page: Page, site: str, django_user_model, screen: dict) -> dict:
    """Where the year of reviews sits in its box, on the progress page on `screen`."""
    page.set_viewport_size(screen)
    log_in(page, site, django_user_model)
    page.goto(f"{site}/me/progress/")
    return page.locator(".chart-scroll").evaluate(
        """box => {
            const frame = box.closest(".heatmap-frame");
            const wed = [...frame.querySelectorAll("text")].find(t => t.textContent === "Wed");
            return {
                overflow: box.scrollWidth - box.clientWidth,
                weekdayLeft: wed.getBoundingClientRect().left,
                weekdayRight: wed.getBoundingClientRect().right,
                frameLeft: frame.getBoundingClientRect().left,
                boxLeft: box.getBoundingClientRect().left,
                latestRight: [...box.querySelectorAll("rect")].at(-1).getBoundingClientRect().right,
                boxRight: box.getBoundingClientRect().right,
            };
        }"""
    )


def test_the_year_fits_a_laptops_column_with_its_weekday_names_whole(
    page: Page, deck_site, django_user_model
):
    box = heatmap_box(page, deck_site, django_user_model, LAPTOP)

    assert box["overflow"] <= 0
    assert box["weekdayLeft"] >= box["frameLeft"]


def test_on_a_phone_the_year_scrolls_with_the_latest_weeks_and_the_weekday_names_in_view(
    page: Page, deck_site, django_user_model
):
    box = heatmap_box(page, deck_site, django_user_model, PHONE)

    assert box["overflow"] > 0
    assert box["latestRight"] <= box["boxRight"]
    # Drawn in the scrolled year, they were 600 px left of the phone's screen.
    assert 0 <= box["frameLeft"] <= box["weekdayLeft"]
    assert box["weekdayRight"] <= box["boxLeft"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


MONTH_NAMES_IN_VIEW = """async box => {
    const seen = [];
    for (const share of [0, 0.1, 0.3, 0.55, 0.8]) {
        box.scrollLeft = -share * (box.scrollWidth - box.clientWidth);  // right to left
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        const edges = box.getBoundingClientRect();
        seen.push([...box.querySelectorAll("text[data-month]")]
            .filter(name => name.getAttribute("visibility") !== "hidden")
            .map(name => name.getBoundingClientRect())
            .filter(name => name.right > edges.left && name.left < edges.right)
            .map(name => [
                name.left - edges.left, edges.right - name.right, name.left, name.right]));
    }
    return seen;
}"""


def test_on_a_phone_the_months_names_are_whole_wherever_the_year_is_scrolled_to(
    page: Page, deck_site, django_user_model
):
    # Opened at its latest weeks, the left edge cut the first name in view ("un" for Jun).
    heatmap_box(page, deck_site, django_user_model, PHONE)

    for names in page.locator(".chart-scroll").evaluate(MONTH_NAMES_IN_VIEW):
        assert len(names) >= 5
        assert all(left >= -0.5 and right >= -0.5 for left, right, *_ in names), names
        assert names[0][0] < 26  # the month at the left edge is named there
        # Moved right to the edge, "Jun" touched "Jul": the two read as one word.
        gaps = [after[2] - before[3] for before, after in itertools.pairwise(names)]
        assert min(gaps) >= 4, names
