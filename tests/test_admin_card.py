"""The card admin: the list with its statistics and filters, sanitizing on save, the live
preview and the image uploads."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.admin import CardAdmin
from quizzes.models import (
    Attempt,
    CachedImage,
    Card,
    CardImage,
    CardMemory,
    MediaFile,
    ProblemReport,
    ReviewLog,
    Tag,
)
from quizzes.services.anki_io import anki_import_apply
from quizzes.services.card_statistics import card_statistics_roll_up
from quizzes.services.search import cards_matching
from tests.editing_helpers import admin_form_data, png_upload, record_answer
from tests.factories import anki_package, image_bytes, png_claiming_size
from tests.queryplans import query_plan, statement_plan
from tests.studyhelpers import remember

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:quizzes_card_changelist")
PREVIEW = reverse("admin:quizzes_card_preview")
IMAGE_URL = "https://aiquizzes.com/gcp_images/add_dim.png"


def change_url(card):
    return reverse("admin:quizzes_card_change", args=[card.pk])


def save_card(client, card, **changes):
    return client.post(change_url(card), admin_form_data(client.get(change_url(card)), **changes))


@pytest.fixture
def deck(make_deck):
    return make_deck(5, tags=("training", "tensors"))


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def column(response, card, name):
    """The text of one cell of the changelist for `card`."""
    for result in response.context["cl"].result_list:
        if result.pk == card.pk:
            return getattr(response.context["cl"].model_admin, name)(result)
    raise AssertionError(f"{card} is not listed")


# --- the list ---


def test_the_list_shows_each_cards_columns(staff_client, deck):
    card = deck.cards.get(number=1)
    record_answer(card, "correct", seconds=4)
    record_answer(card, "wrong", chosen_card=deck.cards.get(number=3), seconds=6)
    ProblemReport.objects.create(card=card, kind="unclear")

    response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    assert "Question 1 about tensor1?" in response.text
    assert column(response, card, "times_answered") == 2
    assert column(response, card, "percent_correct") == "50 %"
    assert column(response, card, "average_time") == "5.0 s"
    assert ">1</a>" in column(response, card, "open_reports")
    assert column(response, card, "tag_list") == "training"


def test_the_list_counts_only_open_reports(staff_client, deck):
    card = deck.cards.get(number=1)
    ProblemReport.objects.create(card=card, kind="unclear", resolved_at="2026-01-01T00:00Z")

    response = staff_client.get(CHANGELIST)

    assert column(response, card, "open_reports") == 0


def test_the_list_says_when_nobody_answered_yet(staff_client, deck):
    response = staff_client.get(CHANGELIST)

    card = deck.cards.get(number=1)
    assert column(response, card, "percent_correct") == "—"
    assert column(response, card, "times_answered") == 0


@pytest.mark.parametrize("size", [10, 100])
def test_the_list_runs_the_same_queries_for_any_number_of_cards(
    staff_client, make_deck, django_assert_max_num_queries, size
):
    deck = make_deck(size, tags=("training", "tensors"))
    for card in deck.cards.all()[:5]:
        record_answer(card, "correct", seconds=2)
        ProblemReport.objects.create(card=card, kind="other")

    # The 9th: the tags the action bar offers; the 10th the decks' tree the deck filter
    # names decks apart by, kept for the next page (tree_scopes_kept); then the statistics'
    # roll-up of the answers new since, in 9 (its savepoint and release in a test's
    # transaction, the questions left open answered since, and those forgotten).
    with django_assert_max_num_queries(10 + 9):
        response = staff_client.get(CHANGELIST, {"all": ""})

    assert len(response.context["cl"].result_list) == size


def test_search_matches_question_and_answer_text(staff_client, deck):
    by_question = staff_client.get(CHANGELIST, {"q": "tensor3"})
    by_answer = staff_client.get(CHANGELIST, {"q": "layer 4"})

    assert [card.number for card in by_question.context["cl"].result_list] == [3]
    assert [card.number for card in by_answer.context["cl"].result_list] == [4]


def test_it_filters_by_deck_and_tag(staff_client, deck, make_deck):
    make_deck(2, slug="other")
    tag = Tag.objects.get(slug="tensors")

    by_deck = staff_client.get(CHANGELIST, {"deck__id__exact": deck.pk})
    by_tag = staff_client.get(CHANGELIST, {"tags__id__exact": tag.pk})

    assert by_deck.context["cl"].result_count == 5
    assert [card.number for card in by_tag.context["cl"].result_list] == [2, 4]


def test_decks_of_one_name_read_apart_in_the_deck_filter_and_a_cards_deck_menu(
    staff_client, make_deck
):
    # Two decks "Biology" looked the same in both: staff could not tell which they picked.
    biology = make_deck(1, slug="bio-a", name="Biology")
    make_deck(1, slug="bio-b", name="biology")
    staff_client.get(CHANGELIST)  # the decks' tree, kept
    with CaptureQueriesContext(connection) as two_decks:
        listed = staff_client.get(CHANGELIST)
    make_deck(1, slug="chem", name="Chemistry")
    staff_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as three_decks:
        staff_client.get(CHANGELIST)
    card_page = staff_client.get(change_url(biology.cards.get()))

    listed = BeautifulSoup(listed.text, "html.parser")
    menu = BeautifulSoup(card_page.text, "html.parser").select("#id_deck option")
    by_deck = listed.select('details[data-filter-title="deck"] li a')
    assert [link.get_text() for link in by_deck] == ["All", "Biology (bio-a)", "biology (bio-b)"]
    assert [option.get_text() for option in menu][1:] == [
        "Biology (bio-a)",
        "biology (bio-b)",
        "Chemistry",
    ]
    assert len(three_decks) == len(two_decks)  # no query per deck


def test_cards_without_tags_are_said_so_not_dashed(staff_client, deck):
    # The filter offered "-" for the cards without tags, and the column showed "-".
    untagged = deck.cards.get(number=5)
    untagged.tags.clear()

    response = staff_client.get(CHANGELIST)

    page = BeautifulSoup(response.content, "html.parser")
    tag_filter = page.find("details", {"data-filter-title": "tags"})
    assert [link.get_text(strip=True) for link in tag_filter.select("a")][-1] == "No tags"
    assert column(response, untagged, "tag_list") == "—"
    no_tags = staff_client.get(CHANGELIST, {"tags__isnull": "True"})
    assert untagged in no_tags.context["cl"].result_list


@pytest.fixture
def images(deck):
    """Card 1 has a cached image, card 2 a pending one, card 3 a failed one."""
    statuses = {1: "cached", 2: "pending", 3: "failed"}
    for number, status in statuses.items():
        image = CachedImage.objects.create(url=f"https://aiquizzes.com/{number}.png", status=status)
        CardImage.objects.create(
            card=deck.cards.get(number=number), image=image, side="question", position=0
        )


@pytest.mark.parametrize(
    ("params", "numbers"),
    [
        ({"image_status": "none"}, [4, 5]),
        ({"image_status": "cached"}, [1]),
        ({"image_status": "pending"}, [2]),
        ({"image_status": "failed"}, [3]),
        ({"has_images": "yes"}, [1, 2, 3]),
        ({"has_images": "no"}, [4, 5]),
    ],
)
def test_it_filters_by_images(staff_client, images, params, numbers):
    response = staff_client.get(CHANGELIST, params)

    assert sorted(card.number for card in response.context["cl"].result_list) == numbers


@pytest.mark.parametrize("params", [{}, {"image_status": "pending"}, {"q": "tensor3"}])
def test_the_filters_counts_count_cards_without_working_out_their_statistics(
    staff_client, deck, images, make_deck, params
):
    # "Show counts" worked out every counted card's statistics, per filter: 1 s for a tag
    # filter at 5,000 cards, far more at 30,000.
    make_deck(2, slug="other")
    tag = Tag.objects.get(slug="tensors")

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(
            CHANGELIST, {"_facets": "True", "tags__id__exact": tag.pk, **params}
        )

    reading_answers = [q["sql"] for q in queries if "quizzes_attemptquestion" in q["sql"]]
    assert len(reading_answers) == 2  # the roll-up's: the questions new, those answered since
    page = BeautifulSoup(response.content, "html.parser")
    counts = {link.get_text(strip=True) for link in page.select("#changelist-filter a")}
    if not params:
        # Of the deck's two cards tagged tensors, card 2 shows a pending image.
        expected = {"Synthetic synthetic (2)", "tensors (2)", "Some not cached yet (1)"}
        assert expected | {"No images (1)", "Some failed (0)"} <= counts


def test_the_image_column_says_what_is_missing(staff_client, deck, images):
    response = staff_client.get(CHANGELIST)

    assert column(response, deck.cards.get(number=2), "image_status") == "1 of 1 not cached"
    assert column(response, deck.cards.get(number=3), "image_status") == "1 of 1 failed"
    assert column(response, deck.cards.get(number=4), "image_status") == "—"


def test_sorting_by_percent_correct_puts_the_hardest_cards_first(staff_client, deck):
    easy, hard, middling = (deck.cards.get(number=number) for number in (1, 2, 3))
    record_answer(easy, "correct")
    record_answer(hard, "wrong")
    record_answer(middling, "correct")
    record_answer(middling, "timed_out")
    column_index = 1 + CardAdmin.list_display.index("percent_correct")

    response = staff_client.get(CHANGELIST, {"o": str(column_index), "q": "Question"})

    answered = [card.number for card in response.context["cl"].result_list if card.stats_answered]
    assert answered == [2, 3, 1]


@pytest.mark.parametrize(("direction", "answered"), [("", [2, 4]), ("-", [4, 2])])
def test_sorting_by_percent_correct_puts_cards_nobody_answered_last_both_ways(
    staff_client, deck, direction, answered
):
    record_answer(deck.cards.get(number=2), "wrong")
    record_answer(deck.cards.get(number=4), "correct")
    column_index = 1 + CardAdmin.list_display.index("percent_correct")

    response = staff_client.get(CHANGELIST, {"o": f"{direction}{column_index}"})

    numbers = [card.number for card in response.context["cl"].result_list]
    assert numbers[:2] == answered
    assert sorted(numbers[2:]) == [1, 3, 5]


# The index each sort by a statistic reads, by database and direction ("" or "-").
SORT_INDEXES = {
    "sqlite": {"": "card_{}_up", "-": "card_{}_up"},
    "postgresql": {"": "card_{}_up", "-": "card_{}_down"},
}


def each_sort_by_a_statistic(test):
    """`test` for each column a statistic sorts by (`shown`, its `column`), each way."""
    test = pytest.mark.parametrize(
        ("shown", "column"),
        [
            ("times_answered", "stats_answered"),
            ("percent_correct", "stats_percent_correct"),
            ("average_time", "stats_average_elapsed"),
        ],
    )(test)
    return pytest.mark.parametrize("direction", ["", "-"])(test)


@each_sort_by_a_statistic
def test_a_sort_by_a_statistic_reads_its_index_never_every_card(
    rf, staff, make_deck, direction, shown, column
):
    # The sort worked out every card's statistics from every answer (95-200 ms at 5,000
    # cards and 100,000 answers): it now reads the rolled-up column's index, a page's worth.
    deck = make_deck(500)
    plan = sorted_page_plan(
        rf, staff, deck, {"o": f"{direction}{1 + CardAdmin.list_display.index(shown)}"}
    )

    assert SORT_INDEXES[connection.vendor][direction].format(column) in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan  # a sort of every card
    assert not re.search(r"Seq Scan|\bSort\b|quizzes_attemptquestion", plan), plan


def sorted_page_plan(rf, staff, deck, params) -> str:
    """The plan of the list's first page with `params`, 40 of the deck's cards answered."""
    for card in deck.cards.all()[:40]:
        record_answer(card, "wrong", seconds=3)
    card_statistics_roll_up(now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    request = rf.get(CHANGELIST, params)
    request.user = staff
    changelist = admin.site.get_model_admin(Card).get_changelist_instance(request)
    # Written out: Django's explain() loses SQLite's plan of a DISTINCT (a tag filter).
    return statement_plan(
        *changelist.queryset.values("pk")[: CardAdmin.list_per_page].query.sql_with_params()
    )


@each_sort_by_a_statistic
def test_a_sort_by_a_statistic_within_a_deck_reads_the_decks_cards_alone(
    rf, staff, make_deck, direction, shown, column
):
    # It walked the sort's index of every deck's cards, all of it for a small deck.
    make_deck(500, slug="big")
    small = make_deck(60, slug="small")
    sort = {"o": f"{direction}{1 + CardAdmin.list_display.index(shown)}"}

    plan = sorted_page_plan(rf, staff, small, {**sort, "deck__id__exact": str(small.pk)})

    index = SORT_INDEXES[connection.vendor][direction].format(column).replace("card_", "card_deck_")
    assert index in plan, plan
    assert re.search(r"deck_id = |deck_id=\?", plan), plan  # a range of the index, not a filter
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan  # a sort of the deck (ties: by id)
    assert not re.search(r"Seq Scan|\bSort\b|quizzes_attemptquestion", plan), plan


@pytest.mark.parametrize("params", [{"tags__id__exact": "tag"}, {"q": "training"}])
def test_a_sort_by_a_statistic_of_a_tag_or_a_search_reads_indexes_never_every_card(
    rf, staff, make_deck, params
):
    # Which way depends on how many cards the tag or the words hold (the planner's choice):
    # the sort's index, stopping at a page of those cards, or those cards' rows and a sort
    # of them; never a scan of every card nor a sort of every card.
    deck = make_deck(500, tags=("training",))
    make_deck(500, slug="other", tags=("other",))
    if "tags__id__exact" in params:
        params = {"tags__id__exact": str(Tag.objects.get(slug="training").pk)}
    sort = {"o": f"-{1 + CardAdmin.list_display.index('percent_correct')}"}

    plan = sorted_page_plan(rf, staff, deck, {**sort, **params})

    assert re.search(r"card_stats_percent_correct_(up|down)|quizzes_card_tags", plan), plan
    assert not re.search(r"Seq Scan|SCAN quizzes_card\b(?! USING)|quizzes_attemptquestion", plan)


def page_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("shown", ["percent_correct", "average_time", "times_answered"])
def test_a_sort_by_a_statistic_runs_as_many_queries_for_many_cards_and_answers_as_for_few(
    staff_client, make_deck, shown
):
    sorted_by = {"o": str(1 + CardAdmin.list_display.index(shown))}
    few = make_deck(CardAdmin.list_per_page + 10, slug="few")
    record_answer(few.cards.get(number=1), "correct", seconds=2)
    page_queries(staff_client, sorted_by)  # the session, and the answers so far rolled up
    counted_few = page_queries(staff_client, sorted_by)
    # One deck at a time: a second would add the deck filter's query.
    Attempt.objects.all().delete()
    few.delete()
    many = make_deck(600, slug="many")
    for card in many.cards.all()[:200]:
        for outcome in ("correct", "wrong", "timed_out"):
            record_answer(card, outcome, seconds=4)
    page_queries(staff_client, sorted_by)

    assert page_queries(staff_client, sorted_by) == counted_few


def test_the_list_leaves_the_most_picked_wrong_answer_to_the_change_page(staff_client, deck):
    card = deck.cards.get(number=1)
    record_answer(card, "wrong", chosen_card=deck.cards.get(number=3))

    listed = staff_client.get(CHANGELIST)
    changed = staff_client.get(change_url(card))

    assert "most_picked_wrong" not in CardAdmin.list_display
    assert "most-picked wrong answer" not in listed.text
    assert "Most-picked wrong answer" in changed.text


def test_the_list_shows_a_short_question_excerpt(staff_client, deck):
    card = deck.cards.get(number=1)
    card.question_text = "A question long enough to push the statistics off a laptop screen " * 2
    card.save()

    response = staff_client.get(CHANGELIST)

    assert len(column(response, card, "question_excerpt")) <= 50


# --- editing ---


@pytest.mark.parametrize(
    ("typed", "forbidden"),
    [
        ("<p>Hi</p><script>alert(1)</script>", "<script"),
        ('<img src="https://aiquizzes.com/x.png" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">click</a>', "javascript:"),
        ('<p onclick="alert(1)">Hi</p>', "onclick"),
        ('<iframe src="https://evil.example/"></iframe><p>Hi</p>', "iframe"),
    ],
)
def test_saving_sanitizes_what_staff_typed(staff_client, deck, typed, forbidden):
    card = deck.cards.get(number=1)

    response = save_card(staff_client, card, question_html=typed, answer_html=typed)

    assert response.status_code == 302
    card.refresh_from_db()
    assert forbidden not in card.question_html
    assert forbidden not in card.answer_html


def test_saving_keeps_a_less_than_sign_typed_in_math(staff_client, deck):
    # `<b\)` opened a tag: "the rest" of the question went, and the form said nothing.
    card = deck.cards.get(number=1)

    save_card(staff_client, card, question_html=r"When is \(a<b\), and the rest?")

    card.refresh_from_db()
    assert card.question_html == r"When is \(a&lt;b\), and the rest?"
    assert "<mo>&lt;</mo>" in card.question_rendered


def test_saving_keeps_the_authors_colours_and_drops_the_rest_of_the_style(
    staff_client, client, deck
):
    card = deck.cards.get(number=1)

    save_card(
        staff_client,
        card,
        answer_html=(
            '<p>Not <font color="#ff0000" size="6">ist</font> but '
            '<span style="color: green; position: fixed; top: 0">bin</span></p>'
        ),
    )

    card.refresh_from_db()
    colours = (
        '<p>Not <span style="color: #ff0000">ist</span> but '
        '<span style="color: green">bin</span></p>'
    )
    assert card.answer_html == colours
    assert colours in client.get(card.get_absolute_url(), {"answer": "1"}).text


def test_the_preview_shows_the_colours_saving_would_keep(staff_client, deck):
    response = preview(staff_client, '<font color="blue" face="Arial">Q</font>')

    assert '<span style="color: blue">Q</span>' in response.text
    assert "Arial" not in response.text


def test_a_sanitized_card_never_reaches_the_card_page(staff_client, client, deck):
    card = deck.cards.get(number=1)
    save_card(staff_client, card, answer_html="<p>Fine</p><script>alert('x')</script>")

    page = client.get(card.get_absolute_url(), {"answer": "1"})

    assert page.status_code == 200
    assert "alert('x')" not in page.text


def test_saving_recomputes_the_text_and_the_image_rows(staff_client, deck):
    card = deck.cards.get(number=1)

    save_card(
        staff_client,
        card,
        question_html=f'<p>What does <code>add_dim</code> do?</p><img src="{IMAGE_URL}">',
        answer_html="<p>It adds<br>a dimension.</p>",
    )

    card.refresh_from_db()
    assert card.question_text == "What does add_dim do?"
    assert card.answer_text == "It adds\na dimension."
    card_image = card.card_images.get()
    assert (card_image.side, card_image.position, card_image.image.url) == (
        "question",
        0,
        IMAGE_URL,
    )
    assert card_image.image.status == CachedImage.Status.PENDING


def test_saving_makes_the_html_storable_once_and_updates_the_page(
    staff_client, client, deck, monkeypatch
):
    from quizzes.importing import cardhtml

    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return cardhtml.card_content(*args, **kwargs)

    monkeypatch.setattr("quizzes.services.card_editing.card_content", counted)
    card = deck.cards.get(number=1)
    save_card(staff_client, card, question_html=f'<p>Look:</p><img src="{IMAGE_URL}">')

    assert len(calls) == 1
    page = client.get(card.get_absolute_url()).text
    assert 'Image not cached (Screenshot: <span class="image-missing-words">add dim</span>)' in page


def test_removing_an_image_from_the_html_removes_its_row(staff_client, deck):
    card = deck.cards.get(number=1)
    save_card(staff_client, card, question_html=f'<p>Q</p><img src="{IMAGE_URL}">')

    save_card(staff_client, card, question_html="<p>Q</p>")

    assert not card.card_images.exists()
    assert CachedImage.objects.filter(url=IMAGE_URL).exists()


def test_a_card_is_added_through_the_admin(staff_client, deck):
    response = staff_client.post(
        reverse("admin:quizzes_card_add"),
        {
            "deck": deck.pk,
            "number": 6,
            "question_html": "<p>New?</p>",
            "answer_html": "<p>Yes.</p>",
            "source_url": "",
            "card_images-TOTAL_FORMS": "0",
            "card_images-INITIAL_FORMS": "0",
            "distractors-TOTAL_FORMS": "0",
            "distractors-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    card = deck.cards.get(number=6)
    assert card.question_text == "New?"
    assert card.guid


def test_a_question_without_text_or_image_is_refused(staff_client, deck):
    card = deck.cards.get(number=1)

    response = save_card(staff_client, card, question_html="<script>only</script>")

    assert response.status_code == 200
    assert "empty question" in response.text


def test_markup_nested_too_deep_is_refused_with_a_reason_and_previewed(staff_client, deck):
    card = deck.cards.get(number=1)
    too_deep = "<div>" * 1000 + "x"

    response = save_card(staff_client, card, answer_html=too_deep, short_answer_html=too_deep)
    preview = staff_client.post(PREVIEW, {"question_html": "Q", "answer_html": too_deep})

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["short_answer_html"] == [
        "This short answer cannot be saved: HTML elements nested more than 500 deep."
    ]
    assert "This card cannot be saved: HTML elements nested more than 500 deep." in (
        form.non_field_errors()
    )
    assert preview.status_code == 200
    assert "HTML elements nested more than 500 deep" in preview.text


@pytest.mark.parametrize("src", ["x", "images/a.png", "//aiquizzes.com/a.png"])
def test_an_image_src_that_is_not_http_is_refused_naming_it(staff_client, deck, src):
    card = deck.cards.get(number=1)

    response = save_card(staff_client, card, question_html=f'<p>Q</p><img src="{src}">')

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    assert f"the image src '{src}' is not an http:// or https:// URL" in error
    assert not CachedImage.objects.exists()


def test_a_card_showing_a_packages_image_saves_and_a_new_relative_src_is_still_refused(
    staff_client, deck, tmp_path
):
    # "the image src 'cell.png' is not an http:// or https:// URL": no card of a package
    # with images could be edited, the image its own file had put there.
    package = anki_package(
        tmp_path,
        [("Basic", ['What is shown? <img src="cell.png">', "A cell"])],
        {"cell.png": image_bytes("PNG", (4, 3))},
    )
    anki_import_apply(deck=deck, data=package.read_bytes(), source="cells.apkg")
    card = deck.cards.get(question_html__contains="cell.png")

    saved = save_card(staff_client, card, answer_html="A plant cell")
    typed = save_card(staff_client, card, question_html='What is shown? <img src="other.png">')

    assert saved.status_code == 302
    card.refresh_from_db()
    assert card.answer_html == "A plant cell"
    assert 'src="/media/images/' in card.question_rendered
    (error,) = typed.context["adminform"].form.non_field_errors()
    assert "the image src 'other.png' is not an http:// or https:// URL" in error


# --- preview ---


def test_the_change_page_offers_a_live_preview(staff_client, deck):
    response = staff_client.get(change_url(deck.cards.get(number=1)))

    assert f'hx-post="{PREVIEW}"' in response.text
    assert "htmx" in response.text
    assert f'formaction="{PREVIEW}"' in response.text


def test_the_preview_renders_sanitized_html_for_htmx(staff_client, deck):
    response = staff_client.post(
        PREVIEW,
        {"question_html": "<p>Q <b>bold</b></p><script>x()</script>", "answer_html": "<p>A</p>"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "<b>bold</b>" in response.text
    assert "<script>x()" not in response.text
    assert "<html" not in response.text


# More than 4,300 digits: Python's int() refuses them (it was a 500).
@pytest.mark.parametrize("card", ["x", "²", "-1", "9" * 5_000])
def test_the_preview_of_something_not_a_card_id_is_a_bad_request(staff_client, deck, card):
    response = staff_client.post(
        PREVIEW, {"card": card, "question_html": "<p>Q</p>", "answer_html": "<p>A</p>"}
    )

    assert response.status_code == 400


def test_the_preview_is_a_page_without_javascript(staff_client, deck):
    response = staff_client.post(PREVIEW, {"question_html": "<p>Q</p>", "answer_html": "<p>A</p>"})

    assert response.status_code == 200
    assert "<html" in response.text
    assert "Not saved" in response.text


def test_the_preview_shows_a_cached_image_from_local_media(staff_client, deck):
    image = CachedImage.objects.create(url=IMAGE_URL)
    staff_client.post(
        reverse("admin:quizzes_cachedimage_change", args=[image.pk]),
        {"url": IMAGE_URL, "upload": png_upload()},
    )

    response = staff_client.post(
        PREVIEW,
        {"question_html": f'<img src="{IMAGE_URL}">', "answer_html": "A"},
        headers={"HX-Request": "true"},
    )

    assert "/media/images/" in response.text
    assert 'width="40"' in response.text


def test_the_preview_shows_a_placeholder_for_an_image_not_cached(staff_client, deck):
    response = staff_client.post(
        PREVIEW, {"question_html": f'<img src="{IMAGE_URL}">', "answer_html": "A"}
    )

    assert "Image not cached" in response.text


def test_the_editor_and_the_preview_page_style_the_image_placeholder(staff_client, deck):
    editor = staff_client.get(change_url(deck.cards.get(number=1)))
    page = staff_client.post(
        PREVIEW, {"question_html": f'<img src="{IMAGE_URL}">', "answer_html": "A"}
    )

    stylesheet = Path(finders.find("css/admin-card.css")).read_text()
    assert ".image-missing {" in stylesheet.replace(
        ".card-preview-side .image-missing", ".image-missing"
    )
    assert 'class="image-missing"' in page.text
    site = Path(finders.find("css/site.css")).read_text()
    for rule in (".cloze {", ".cloze-extra {", ".audio-missing {", "hr {"):
        assert rule in stylesheet.replace(".card-preview-side ", "")
        assert rule in site.replace(".card-body ", "")
    for response in (editor, page):
        assert '<link rel="stylesheet" href="/static/css/admin-card.css">' in response.text


def preview(client, question_html, answer_html="", card=None):
    data = {"question_html": question_html, "answer_html": answer_html}
    if card is not None:
        data["card"] = card.pk
    return client.post(PREVIEW, data, headers={"HX-Request": "true"})


@pytest.fixture
def cloze_card(deck):
    anki_import_apply(
        deck=deck,
        data="#notetype:Cloze\n{{c1::Paris::city}} is in {{c2::France}} \\(x^2\\)\tGeography\n",
        source="cloze.txt",
    )
    return deck.cards.get(is_cloze=True, card_ord=0)


def test_the_change_page_of_a_cloze_card_previews_it_as_that_card(staff_client, cloze_card):
    response = staff_client.get(change_url(cloze_card))

    assert "Not offered: a cloze card&#x27;s answer is its question filled in" in response.text
    assert ">Back Extra:</label>" in response.text
    assert "this card is c1." in response.text

    assert f'<input type="hidden" name="card" id="card-preview-of" value="{cloze_card.pk}">' in (
        response.text
    )
    assert "#card-preview-of" in response.text


def test_the_preview_of_a_cloze_card_shows_each_number_as_the_card_pages_do(
    staff_client, cloze_card
):
    sibling = cloze_card.deck.cards.get(is_cloze=True, card_ord=1)

    response = preview(staff_client, cloze_card.question_html, cloze_card.answer_html, cloze_card)

    assert response.status_code == 200
    assert "Card c1 (this card): question" in response.text
    assert "Card c2: question" in response.text
    for card in (cloze_card, sibling):
        page = staff_client.get(card.get_absolute_url(), {"answer": 1}).text
        for side in (card.question_rendered, card.answer_rendered):
            shown = f'<div dir="auto">{side}</div>'
            assert shown in page
            assert shown in response.text
    assert '<span class="cloze">[city]</span>' in cloze_card.question_rendered
    assert '<span class="cloze">[…]</span>' in sibling.question_rendered
    assert '<span class="cloze">Paris</span>' in cloze_card.answer_rendered
    assert "<math" in cloze_card.question_rendered


def test_editing_one_card_of_a_cloze_note_updates_its_other_cards(staff_client, client, cloze_card):
    sibling = cloze_card.deck.cards.get(is_cloze=True, card_ord=1)
    text = "{{c1::Paris::city}} is the capital of {{c2::France}}"

    response = save_card(staff_client, cloze_card, question_html=text)

    assert response.status_code == 302
    sibling.refresh_from_db()
    assert sibling.question_html == text
    assert "capital of" in sibling.question_text and "France" not in sibling.question_text
    assert '<span class="cloze">[…]</span>' in sibling.question_rendered
    page = client.get(sibling.get_absolute_url()).text
    assert "capital of" in page
    shown = [str(message) for message in response.wsgi_request._messages]
    assert f"Cards {sibling.number} of this cloze note now show the note's new text." in shown


@pytest.mark.parametrize(
    ("back", "button", "lands"),
    [
        ("review", "_save", "review"),
        ("review", "_continue", "change form"),
        ("https://elsewhere.example/", "_save", "list"),
    ],
)
def test_a_card_edited_from_the_review_saves_back_to_it(staff_client, deck, back, button, lands):
    """The review's Edit (Anki's E) names the way back; an address elsewhere is not taken."""
    card = deck.cards.get(number=1)
    review = f"{reverse('review')}?card={card.pk}"
    url = f"{change_url(card)}?next={quote(review if back == 'review' else back, safe='')}"
    data = admin_form_data(staff_client.get(url), question_html="Edited from the review")

    response = staff_client.post(url, {**data, button: "Save"})

    # "Save and continue editing" keeps the way back for the next save.
    expected = {"review": review, "change form": url, "list": CHANGELIST}[lands]
    assert response.status_code == 302
    assert response.url.split("?_changelist")[0] == expected
    card.refresh_from_db()
    assert card.question_html == "Edited from the review"


@pytest.fixture
def reversed_note(deck):
    """A "Basic (and reversed card)" note's two cards: Front, Back, and Back, Front."""
    anki_import_apply(
        deck=deck,
        data="#notetype:Basic (and reversed card)\nHund\t<b>dog</b>\n",
        source="reversed.txt",
    )
    return deck.cards.get(question_html="Hund"), deck.cards.get(question_html="<b>dog</b>")


@pytest.mark.parametrize("edited", ["front", "reverse"])
def test_editing_one_card_of_a_reversed_note_shows_it_on_the_reverse_card(
    staff_client, client, reversed_note, edited
):
    """The note's fields are shared, as in Anki: the reverse card had kept the old text."""
    front, reverse = reversed_note
    if edited == "front":
        response = save_card(staff_client, front, question_html="der Hund")
        changed = reverse
    else:
        response = save_card(staff_client, reverse, answer_html="der Hund")
        changed = front

    assert response.status_code == 302
    for card in (front, reverse):
        card.refresh_from_db()
    assert (reverse.question_html, reverse.answer_html) == ("<b>dog</b>", "der Hund")
    assert (front.question_html, front.answer_html) == ("der Hund", "<b>dog</b>")
    assert "der Hund" in client.get(reverse.get_absolute_url(), {"answer": 1}).text
    shown = [str(message) for message in response.wsgi_request._messages]
    assert f"Cards {changed.number} of this reversed note now show the note's new text." in shown


def test_a_reverse_card_an_earlier_edit_left_behind_follows_the_next_edit(
    staff_client, reversed_note
):
    front, reverse = reversed_note
    Card.objects.filter(pk=front.pk).update(question_html="Hündchen")  # as edits did before

    save_card(staff_client, front, question_html="der Hund", answer_html="the dog")

    reverse.refresh_from_db()
    assert (reverse.question_html, reverse.answer_html) == ("the dog", "der Hund")


@pytest.mark.parametrize("note", ["reversed", "cloze"])
def test_a_tag_added_to_or_taken_off_one_card_of_a_note_is_its_siblings_too(
    staff_client, deck, reversed_note, cloze_card, note
):
    """Anki keeps tags on the note: the sibling kept its tags as they were."""
    card = reversed_note[0] if note == "reversed" else cloze_card
    sibling = card.note_cards().exclude(pk=card.pk).get()
    grammar = Tag.objects.create(name="grammar", slug="grammar")
    animals = Tag.objects.create(name="animals", slug="animals")
    sibling.tags.set([grammar])

    response = save_card(staff_client, card, tags=[str(animals.pk)])

    assert list(sibling.tags.all()) == [animals]
    assert list(card.tags.all()) == [animals]
    shown = [str(message) for message in response.wsgi_request._messages]
    assert f"Cards {sibling.number} of this note now have its tags too." in shown
    again = save_card(staff_client, card)
    assert not any("its tags too" in str(message) for message in again.wsgi_request._messages)


def test_the_cards_of_a_note_whose_cards_have_fields_of_their_own_are_left_alone(
    staff_client, deck
):
    anki_import_apply(
        deck=deck,
        data="#notetype:Cards of their own (2)\n#guid column:1\ng1\tHund\tdog\tbark\tbellen\n",
        source="own.txt",
    )
    first, second = deck.cards.filter(guid="g1").order_by("card_ord")

    response = save_card(staff_client, first, question_html="der Hund", answer_html="the dog")

    second.refresh_from_db()
    assert (second.question_html, second.answer_html) == ("bark", "bellen")
    assert not any("of this" in str(message) for message in response.wsgi_request._messages)


def test_a_cloze_card_without_a_back_extra_saves(staff_client, deck):
    # Back Extra "may be empty", said its help, but the form required it: a cloze note
    # imported without one could not be edited at all.
    anki_import_apply(
        deck=deck, data="#notetype:Cloze\n{{c1::Paris}} is in Frace\t\n", source="c.txt"
    )
    card = deck.cards.get(is_cloze=True)

    response = save_card(staff_client, card, question_html="{{c1::Paris}} is in France")

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.question_html, card.answer_html) == ("{{c1::Paris}} is in France", "")


def test_a_new_cloze_number_gets_its_card_and_a_removed_one_is_kept_and_named(
    staff_client, cloze_card
):
    deck = cloze_card.deck
    cloze_card.tags.add(Tag.objects.create(name="geography", slug="geography"))
    sibling = deck.cards.get(is_cloze=True, card_ord=1)
    last = deck.cards.order_by("-number").first().number

    response = save_card(
        staff_client, cloze_card, question_html="{{c1::Paris}} is on the {{c3::Seine}}"
    )

    added = deck.cards.get(guid=cloze_card.guid, card_ord=2)
    assert added.number == last + 1 and added.is_cloze
    assert added.question_text == "Paris is on the […]"
    assert set(added.tags.all()) == set(cloze_card.tags.all())
    sibling.refresh_from_db()
    assert "France" in sibling.question_html
    shown = [str(message) for message in response.wsgi_request._messages]
    assert any(f"Cards {last + 1} of this cloze note were added" in line for line in shown)
    assert any(
        f"Cards {sibling.number} of this cloze note kept their old text" in line for line in shown
    )

    # Saved again unchanged: nothing more is added or rewritten.
    again = save_card(staff_client, cloze_card)
    assert deck.cards.filter(guid=cloze_card.guid).count() == 3
    assert not any(
        "were added" in str(line) or "new text" in str(line)
        for line in again.wsgi_request._messages
    )


def test_the_preview_page_without_javascript_shows_the_cloze_card_too(staff_client, cloze_card):
    data = {"question_html": "{{c1::Rome}}", "answer_html": "", "card": cloze_card.pk}

    response = staff_client.post(PREVIEW, data)

    assert "<html" in response.text
    assert "Card c1 (this card): question" in response.text
    assert '<span class="cloze">[…]</span>' in response.text


def test_the_preview_of_a_cloze_card_follows_the_typing(staff_client, cloze_card):
    response = preview(staff_client, "{{c1::Rome}} and {{c3::Italy::country}}", "", cloze_card)

    assert '<span class="cloze">[…]</span> and Italy' in response.text
    assert 'Rome and <span class="cloze">[country]</span>' in response.text
    assert "Card c3: question" in response.text
    assert "c2" not in response.text
    assert "refuse" not in response.text


def test_the_preview_says_when_a_cloze_card_loses_its_deletion(staff_client, cloze_card):
    response = preview(staff_client, "{{c2::Rome}} is a city", "", cloze_card)

    assert "Saving will refuse this: no cloze deletion {{c1::…}} in the text." in response.text
    assert "Card c2: question" in response.text

    response = preview(staff_client, "No deletion left", "", cloze_card)

    assert "No cloze deletion yet" in response.text


def test_the_preview_of_a_basic_card_shows_cloze_markup_as_the_site_does(staff_client, deck):
    card = deck.cards.get(number=1)

    for response in (
        preview(staff_client, "{{c1::Paris}}", "A", card),
        preview(staff_client, "{{c1::Paris}}", "A"),
    ):
        assert "{{c1::Paris}}" in response.text
        assert 'class="cloze"' not in response.text


def test_the_preview_renders_math_as_mathml(staff_client, deck):
    response = preview(staff_client, "Solve \\(x^2 = 4\\)", "\\[x = \\pm 2\\]")

    assert response.text.count("<math") == 2
    assert 'display="block"' in response.text
    assert "\\(" not in response.text


def test_the_preview_plays_a_sound_the_site_has_and_marks_one_it_has_not(staff_client, deck):
    MediaFile.objects.create(name="hello.mp3", file="sounds/hello.mp3", byte_size=3, sha256="0")

    response = preview(staff_client, "Say [sound:hello.mp3]", "[sound:gone.mp3]")

    assert '<audio controls preload="none" src="/media/sounds/hello.mp3"></audio>' in response.text
    assert '<span class="audio-missing">audio not available (gone.mp3)</span>' in response.text


def test_the_preview_refuses_a_card_that_is_not_an_id(staff_client, deck):
    response = staff_client.post(PREVIEW, {"question_html": "Q", "answer_html": "A", "card": "x"})

    assert response.status_code == 400


def test_the_preview_of_a_card_that_no_longer_exists_is_not_found(staff_client, deck):
    response = staff_client.post(
        PREVIEW, {"question_html": "Q", "answer_html": "A", "card": "999999"}
    )

    assert response.status_code == 404


def test_the_preview_refuses_get(staff_client, deck):
    assert staff_client.get(PREVIEW).status_code == 405


def test_the_preview_is_for_staff_only(client, alice):
    client.force_login(alice)

    response = client.post(PREVIEW, {"question_html": "Q", "answer_html": "A"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_editor_may_preview(client, editor, deck):
    client.force_login(editor)

    response = client.post(PREVIEW, {"question_html": "Q", "answer_html": "A"})

    assert response.status_code == 200


# --- images ---


@pytest.fixture
def card_with_image(deck, staff_client):
    card = deck.cards.get(number=1)
    save_card(staff_client, card, question_html=f'<p>Q</p><img src="{IMAGE_URL}">')
    return card


def test_the_inline_lists_the_cards_images_with_status(staff_client, card_with_image):
    response = staff_client.get(change_url(card_with_image))

    assert IMAGE_URL in response.text
    assert "Pending" in response.text
    assert 'name="card_images-0-upload"' in response.text


def test_an_upload_in_the_inline_replaces_the_image(staff_client, card_with_image):
    url = change_url(card_with_image)
    data = admin_form_data(staff_client.get(url))

    response = staff_client.post(url, {**data, "card_images-0-upload": png_upload()})

    assert response.status_code == 302
    image = CachedImage.objects.get(url=IMAGE_URL)
    assert image.status == CachedImage.Status.CACHED
    assert (image.width, image.height, image.content_type) == (40, 30, "image/png")
    assert len(image.sha256) == 64


def test_an_upload_that_is_not_an_image_is_refused(staff_client, card_with_image):
    url = change_url(card_with_image)
    data = admin_form_data(staff_client.get(url))
    fake = SimpleUploadedFile("x.png", b"<html>not a png</html>", content_type="image/png")

    response = staff_client.post(url, {**data, "card_images-0-upload": fake})

    assert response.status_code == 200
    assert "Not accepted" in response.text
    assert CachedImage.objects.get(url=IMAGE_URL).status == CachedImage.Status.PENDING


def test_an_image_is_uploaded_on_its_own_admin_page(staff_client, db):
    response = staff_client.post(
        reverse("admin:quizzes_cachedimage_add"),
        {"url": "https://aiquizzes.com/new.png", "upload": png_upload(size=(8, 6))},
    )

    assert response.status_code == 302
    image = CachedImage.objects.get(url="https://aiquizzes.com/new.png")
    assert (image.status, image.width, image.height) == ("cached", 8, 6)
    assert image.file.name.startswith("images/")


def test_an_image_upload_whose_type_lies_is_refused(staff_client, db):
    upload = png_upload()
    upload.content_type = "image/jpeg"

    response = staff_client.post(
        reverse("admin:quizzes_cachedimage_add"),
        {"url": "https://aiquizzes.com/new.png", "upload": upload},
    )

    assert response.status_code == 200
    assert "does not match" in response.text
    assert not CachedImage.objects.exists()


# --- statistics on the change page ---


def test_the_change_page_shows_the_cards_statistics(staff_client, deck):
    card, distractor = deck.cards.get(number=1), deck.cards.get(number=2)
    record_answer(card, "correct", chosen_card=card, seconds=3)
    record_answer(card, "wrong", chosen_card=distractor, seconds=5)
    record_answer(card, "wrong", chosen_card=distractor, seconds=7)

    response = staff_client.get(change_url(card))

    assert "Times answered" in response.text
    assert "33 %" in response.text
    assert "5.0 s" in response.text
    assert "Answer 2: it depends on layer 2., card 2 (2 times)" in response.text


def test_the_change_page_says_when_nobody_answered(staff_client, deck):
    response = staff_client.get(change_url(deck.cards.get(number=1)))

    assert "Nobody has answered this card yet." in response.text


def test_an_image_upload_over_the_size_limit_is_refused(staff_client, settings, db):
    settings.QUIZSITE_IMAGE_MAX_BYTES = 100

    response = staff_client.post(
        reverse("admin:quizzes_cachedimage_add"),
        {"url": "https://aiquizzes.com/new.png", "upload": png_upload(size=(200, 200))},
    )

    assert "more than the limit of 100 bytes" in response.text
    assert not CachedImage.objects.exists()


def test_an_image_over_pillows_limit_is_refused_in_our_words_with_one_period(
    staff_client, db, settings
):
    settings.QUIZSITE_IMAGE_MAX_PIXELS = 25_000_000
    upload = SimpleUploadedFile("big.png", png_claiming_size(10_000, 10_000), "image/png")

    response = staff_client.post(
        reverse("admin:quizzes_cachedimage_add"),
        {"url": "https://aiquizzes.com/new.png", "upload": upload},
    )

    assert response.context["adminform"].form.errors["upload"] == [
        "Not accepted: 10000x10000 is 100000000 pixels, more than the limit of 25000000."
    ]
    assert not CachedImage.objects.exists()


def test_a_save_over_a_change_made_since_the_form_opened_is_stopped_and_loses_nothing(
    client, staff, editor, deck
):
    card = deck.cards.get(number=1)
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    client.force_login(editor)
    editors_form = admin_form_data(client.get(url), answer_html="<p>The editor's answer.</p>")
    staff_client = Client()
    staff_client.force_login(staff)
    staff_form = admin_form_data(staff_client.get(url), answer_html="<p>Staff's answer.</p>")
    assert client.post(url, editors_form).status_code == 302

    response = staff_client.post(url, staff_form)

    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert "changed since you opened it" in page.select_one(".errorlist.nonfield").get_text()
    assert page.select_one("#id_answer_html").get_text().strip() == "<p>Staff's answer.</p>"
    card.refresh_from_db()
    assert card.answer_html == "<p>The editor's answer.</p>"
    # Saving again, knowingly, keeps the second version.
    assert staff_client.post(url, admin_form_data(response)).status_code == 302
    card.refresh_from_db()
    assert card.answer_html == "<p>Staff's answer.</p>"


def test_a_tag_added_since_the_form_opened_is_not_dropped_silently(staff_client, deck):
    card = deck.cards.get(number=1)
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    form = admin_form_data(staff_client.get(url), question_html="<p>Reworded?</p>")
    card.tags.add(Tag.objects.create(name="added-meanwhile", slug="added-meanwhile"))

    response = staff_client.post(url, form)

    assert response.status_code == 200
    assert "changed since you opened it" in response.text
    assert card.tags.filter(name="added-meanwhile").exists()


def test_a_tag_id_past_64_bits_is_refused_as_no_such_tag(staff_client, deck):
    # SQLite cannot hold it (OverflowError), PostgreSQL refuses it (DataError): a 500.
    card = deck.cards.get(number=1)
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    form = admin_form_data(staff_client.get(url), tags=str(2**64))

    response = staff_client.post(url, form)

    assert response.status_code == 200
    assert f"Select a valid choice. {2**64} is not one of" in response.text


# A query that ends in a LIMIT (its subqueries may have their own).
PAGED = re.compile(r"LIMIT \d+( OFFSET \d+)?$")


def card_queries(queries) -> tuple[list[str], list[str]]:
    """The changelist's queries of cards: those that skip to the page, and those that read
    the cards' HTML."""
    sql = [query["sql"] for query in queries if 'FROM "quizzes_card"' in query["sql"]]
    return [q for q in sql if PAGED.search(q)], [q for q in sql if '"question_html"' in q]


@pytest.mark.parametrize("size", [120, 600])
def test_a_page_far_down_the_list_works_out_only_its_own_cards(staff_client, make_deck, size):
    deck = make_deck(size, tags=("training",))
    record_answer(deck.cards.get(number=60), "wrong")
    last_page = -(-size // CardAdmin.list_per_page)

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(
            CHANGELIST, {"p": str(last_page), "tags__id__exact": str(Tag.objects.get().pk)}
        )

    numbers = [card.number for card in response.context["cl"].result_list]
    assert numbers == list(range((last_page - 1) * CardAdmin.list_per_page + 1, size + 1))
    skipping, reading = card_queries(queries)
    assert len(skipping) == 1
    assert '"question_html"' not in skipping[0] and "quizzes_attemptquestion" not in skipping[0]
    assert len(reading) == 1 and not PAGED.search(reading[0])
    # One of them the tags the action bar offers, one the decks' tree the deck filter names
    # decks apart by (kept for the next page); 9 the roll-up of the answer new since.
    assert len(queries) <= 12 + 9
    # Counted by id, not by comparing whole cards.
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(")]
    assert counts and not any('"question_html"' in sql for sql in counts)


def test_a_sort_by_a_statistic_reads_no_html_until_it_has_the_page(staff_client, make_deck):
    deck = make_deck(120)
    for number, outcome in [(70, "correct"), (71, "wrong"), (72, "wrong"), (72, "correct")]:
        record_answer(deck.cards.get(number=number), outcome)
    column_index = 1 + CardAdmin.list_display.index("percent_correct")

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(CHANGELIST, {"o": str(column_index), "p": "1"})

    numbers = [card.number for card in response.context["cl"].result_list]
    assert numbers[:3] == [71, 72, 70]
    skipping, reading = card_queries(queries)
    assert len(skipping) == 1 and '"question_html"' not in skipping[0]
    assert len(reading) == 1 and not PAGED.search(reading[0])


# --- deleting ---


def delete_page(client, card):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:quizzes_card_delete", args=[card.pk]))
    return response, len(queries)


@pytest.mark.parametrize("answers", [3, 40])
def test_a_card_quizzes_asked_is_kept_and_the_page_says_why_in_one_line(
    staff_client, deck, alice, answers
):
    card = deck.cards.get(number=1)
    for _ in range(answers):
        record_answer(card, "correct", user=alice)

    response, queries = delete_page(staff_client, card)

    text = BeautifulSoup(response.text, "html.parser").select_one("#content").get_text(" ")
    assert f"{card}: asked {answers} times in learners' quizzes" in text
    assert "Attempt question" not in text
    assert queries <= 10
    staff_client.post(reverse("admin:quizzes_card_delete", args=[card.pk]), {"post": "yes"})
    assert deck.cards.filter(pk=card.pk).exists()


@pytest.mark.parametrize("learners", [1, 12])
def test_deleting_a_card_learners_study_counts_their_memories_in_a_fixed_number_of_queries(
    staff_client, deck, django_user_model, learners
):
    card = deck.cards.get(number=2)
    for n in range(learners):
        user = django_user_model.objects.create_user(f"learner{n}")
        remember(user, [card], now=timezone.now(), reviews=2)

    response, queries = delete_page(staff_client, card)

    summary = {str(name): count for name, count in response.context["model_count"]}
    assert summary["learners' memories of it (it leaves their reviews)"] == learners
    assert "review logs" not in summary  # kept, as Anki keeps its review log
    assert "remembers" not in response.text
    assert queries <= 14
    with CaptureQueriesContext(connection) as deleting:
        staff_client.post(reverse("admin:quizzes_card_delete", args=[card.pk]), {"post": "yes"})
    assert not deck.cards.filter(pk=card.pk).exists()
    assert not CardMemory.objects.exists()
    assert ReviewLog.objects.filter(card=None).count() == 2 * learners
    # Their reviews kept in one statement, however many learners: no row read or written alone.
    touching_reviews = [q["sql"] for q in deleting if "quizzes_reviewlog" in q["sql"]]
    assert len(touching_reviews) == 1 and touching_reviews[0].startswith("UPDATE")


def test_deleting_cards_tells_what_staff_and_learners_lose_not_the_sites_own_rows(
    staff_client, deck, images
):
    card = deck.cards.get(number=2)  # with a topic word or two and a pending image
    assert card.keyword_rows.exists()

    response, _ = delete_page(staff_client, card)

    # It said "Card keywords: 3" and "Card images: 1", as if the card's words or
    # images went with it.
    summary = {str(name): count for name, count in response.context["model_count"]}
    assert summary == {
        "cards": 1,
        "places where the cards show an image (the images stay, under Cached images)": 1,
    }
    assert "keyword" not in response.text.lower()


# --- search ---


@pytest.fixture
def two_decks(deck, make_deck):
    """The deck's five cards (tagged training and tensors in turn), and three in "other"."""
    make_deck(3, slug="other")
    return deck


def found(client, query):
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    return sorted((card.deck.slug, card.number) for card in response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("query", "cards"),
    [
        ("tensor3", [("other", 3), ("synthetic", 3)]),  # in the question
        ("depends layer 4", [("synthetic", 4)]),  # in the answer
        ("depending", [("synthetic", n) for n in range(1, 6)] + [("other", n) for n in (1, 2, 3)]),
        ("training", [("synthetic", 1), ("synthetic", 3), ("synthetic", 5)]),  # a tag
        ("TRAIN tensor", [("synthetic", 1), ("synthetic", 3), ("synthetic", 5)]),
        ('"depends on layer 2"', [("other", 2), ("synthetic", 2)]),  # a phrase
        ('"layer depends"', []),  # its words out of order
        ("ensor3", []),  # a word inside a word: no
    ],
)
def test_search_finds_the_words_each_card_begins_in_its_question_answer_and_tags(
    staff_client, two_decks, query, cards
):
    assert found(staff_client, query) == sorted(cards)


@pytest.mark.parametrize(
    ("query", "cards"),
    [
        ("2", [("other", 2), ("synthetic", 2)]),  # the number, and the word "2"
        ("#2", [("other", 2), ("synthetic", 2)]),
        ("other #2", [("other", 2)]),  # as the site names a card
        ("other#2", [("other", 2)]),
        ("http://testserver/decks/other/cards/2/", [("other", 2)]),  # its address
        ("/decks/other/cards/2", [("other", 2)]),
        ("https://quiz.example/decks/other/cards/2/?q=tensor", [("other", 2)]),  # a search's
        ("nowhere #2", []),
        ("#99999999999", []),
    ],
)
def test_search_finds_a_card_by_its_number_name_or_address(staff_client, two_decks, query, cards):
    assert found(staff_client, query) == cards


def test_search_finds_a_card_by_its_anki_guid(staff_client, two_decks):
    two_decks.cards.filter(number=4).update(guid="Oa.y%i~Q*h")

    assert found(staff_client, "Oa.y%i~Q*h") == [("synthetic", 4)]
    assert found(staff_client, "oa.y%i~q*h") == []  # guids are exact


@pytest.mark.parametrize(
    "query",
    ['"', "'", '"unclosed phrase', "it's", "\\", "!!!", "a" * 1000, "x² ½ 日本語", "  "],
)
def test_search_takes_any_input_without_an_error(staff_client, two_decks, query):
    response = staff_client.get(CHANGELIST, {"q": query})

    assert response.status_code == 200


def test_search_refuses_a_nul_character_as_a_bad_request(staff_client, two_decks):
    response = staff_client.get(CHANGELIST, {"q": "\x00tensor"})

    assert response.status_code == 400


def test_search_keeps_the_lists_order_and_its_sorting(staff_client, two_decks):
    easy, hard = two_decks.cards.get(number=2), two_decks.cards.get(number=4)
    record_answer(easy, "correct")
    record_answer(hard, "wrong")
    column_index = 1 + CardAdmin.list_display.index("percent_correct")

    by_number = staff_client.get(CHANGELIST, {"q": "tensor", "deck__id__exact": two_decks.pk})
    hardest_first = staff_client.get(CHANGELIST, {"q": "tensor", "o": str(column_index)})

    assert [card.number for card in by_number.context["cl"].result_list] == [1, 2, 3, 4, 5]
    assert [card.number for card in hardest_first.context["cl"].result_list][:2] == [4, 2]


def test_a_search_costs_the_statements_the_list_does(staff_client, two_decks):
    staff_client.get(CHANGELIST)  # the session's user, once
    with CaptureQueriesContext(connection) as listed:
        staff_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as searched:
        staff_client.get(CHANGELIST, {"q": "tensor"})
    with CaptureQueriesContext(connection) as named:
        staff_client.get(CHANGELIST, {"q": "2"})

    assert len(searched) == len(named) == len(listed)


# What each kind of search reads, by database: the full-text index for words and phrases,
# the unique constraints' indexes for a number and a guid.
SEARCH_INDEXES = {
    "sqlite": {
        "words": "quizzes_card_search VIRTUAL TABLE INDEX",
        "number": "sqlite_autoindex_quizzes_card_1 (deck_id=? AND number=?)",
        "guid": "card_guid_unique_in_deck (deck_id=? AND guid=?)",
    },
    "postgresql": {
        "words": "quizzes_card_search_document",
        "number": "card_number_unique_in_deck",
        "guid": "card_guid_unique_in_deck",
    },
}


@pytest.mark.parametrize(
    ("query", "reads"),
    [
        ("tensors", ["words"]),
        # A phrase few cards hold: one every card holds is read faster from the table
        # than through the index, and PostgreSQL's planner sometimes said so.
        ('"depends on layer 7" training', ["words"]),
        ("other #2", ["number"]),
        ("2", ["words", "number", "guid"]),
        ("g-1", ["words", "guid"]),
    ],
)
def test_search_reads_indexes_never_every_card(make_deck, query, reads):
    # The admin's card search was a substring scan of every card (0.7 s at 100,000 cards).
    make_deck(500, tags=("training",))
    make_deck(3, slug="other")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a site of this size has statistics, whatever its size
    searched = cards_matching(cards=Card.objects.order_by("deck", "number"), query=query)
    plan = query_plan(searched.values("pk")[:50])

    for read in reads:
        assert SEARCH_INDEXES[connection.vendor][read] in plan, plan
    assert not re.search(r"SCAN quizzes_card\b(?!_search)|Seq Scan on quizzes_card\b", plan), plan


# --- deleting many cards at once ---


def delete_all_confirmation(client, **filters):
    """The page "Delete selected cards" shows for every card the list's filters select."""
    action = {"action": "delete_selected", "select_across": "1", "index": "0"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"{CHANGELIST}?{'&'.join(f'{k}={v}' for k, v in filters.items())}",
            {**action, "_selected_action": ["1"]},
        )
    assert response.status_code == 200
    return response, queries


def confirmed(client, response):
    """Press "Yes, I'm sure" on a delete confirmation page, as a browser posts its form."""
    form = BeautifulSoup(response.text, "html.parser").select_one("#content form")
    fields = [(field["name"], field.get("value", "")) for field in form.select("input[name]")]
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return client.post(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"], data)


def test_deleting_a_whole_deck_of_cards_names_a_hundred_and_counts_the_rest(
    staff_client, make_deck
):
    # Every card was listed, each worked out with its statistics: over a minute and 4.5 MB
    # for a deck of 30,000 cards.
    deck = make_deck(130, slug="big")

    with CaptureQueriesContext(connection) as listing:
        staff_client.get(CHANGELIST, {"deck__id__exact": deck.pk})

    response, queries = delete_all_confirmation(staff_client, deck__id__exact=deck.pk)

    (deletable,) = response.context["deletable_objects"]
    assert len(deletable) == 101
    assert deletable[-1] == "and 30 more cards"
    # The list, which the action is posted to, shows the statistics rolled up: none to count.
    assert statistics_worked_out(queries) == statistics_worked_out(listing) == 0


def statistics_worked_out(queries) -> int:
    return sum("AVG(" in query["sql"] for query in queries)


def test_deleting_more_cards_than_a_form_may_post_deletes_them(staff_client, make_deck, settings):
    # The confirmation posted each card's id back: past 1,000 fields (Django's limit) the
    # "Yes, I'm sure" button met a 400 and nothing was deleted.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    deck = make_deck(120, slug="big")
    kept = make_deck(3, slug="kept")

    response, _ = delete_all_confirmation(staff_client, deck__id__exact=deck.pk)
    answer = confirmed(staff_client, response)

    assert answer.status_code == 302
    assert not deck.cards.exists()
    assert kept.cards.count() == 3


def test_deleting_the_ticked_cards_deletes_those_alone(staff_client, make_deck):
    deck = make_deck(5, slug="few")
    ticked = [str(deck.cards.get(number=number).pk) for number in (2, 4)]

    response = staff_client.post(
        CHANGELIST, {"action": "delete_selected", "index": "0", "_selected_action": ticked}
    )
    confirmed(staff_client, response)

    assert sorted(deck.cards.values_list("number", flat=True)) == [1, 3, 5]


def test_exporting_every_card_of_the_list_works_out_no_statistics(staff_client, make_deck):
    # The export read the list's queryset, every card's statistics with it: 20 s for a deck
    # of 33,000 cards.
    deck = make_deck(60, slug="big")
    with CaptureQueriesContext(connection) as listing:
        staff_client.get(CHANGELIST)

    with CaptureQueriesContext(connection) as exporting:
        response = staff_client.post(
            CHANGELIST,
            {"action": "export_anki", "select_across": "1", "index": "0", "_selected_action": "1"},
        )

    assert response["Content-Disposition"] == 'attachment; filename="cards.txt"'
    assert response.content.decode().count("Question") == deck.cards.count()
    assert statistics_worked_out(exporting) == statistics_worked_out(listing) == 0
