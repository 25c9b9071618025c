import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from quizzes import scheduling
from quizzes.models import CardMemory, Tag
from quizzes.services import reviews
from tests.factories import give_typed_answers
from tests.studyhelpers import first_cards, review_count_shown

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)

HTMX = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://testserver/"}
LOAD_MORE = {"HX-Request": "true", "HX-Target": "load-more"}


def card_numbers(html: str) -> list[int]:
    return [int(number) for number in re.findall(r'<article class="card" id="card-(\d+)"', html)]


def list_url(slug: str = "fastai") -> str:
    return reverse("card_list", args=[slug])


def test_it_shows_the_questions_with_their_permalinks_and_hides_the_answers(client, fastai_deck):
    response = client.get(list_url())

    assert response.status_code == 200
    assert "<strong>79</strong> cards" in response.text
    assert "What does it mean for a model to overfit?" in response.text
    assert 'href="/decks/fastai/cards/1/"' in response.text
    assert "answer-label" not in response.text
    assert card_numbers(response.text) == list(range(1, 16))


def test_a_deck_credits_its_own_source_and_no_other_decks(client, fastai_deck, make_deck):
    make_deck(3, slug="imported")

    fastai = BeautifulSoup(client.get(list_url()).text, "html.parser")
    imported = client.get(list_url("imported")).text

    assert fastai.select_one(".deck-source a")["href"] == "https://aiquizzes.com/"
    assert fastai.select_one(".deck-source a").get_text() == "aiquizzes.com"
    assert "aiquizzes" not in imported


def test_each_card_has_a_show_answer_control_that_works_without_javascript(client, make_deck):
    make_deck(3)

    soup = BeautifulSoup(client.get(list_url("synthetic")).text, "html.parser")

    form = soup.select_one("#card-2 form.reveal")
    assert form["action"] == "/decks/synthetic/cards/2/#answer"
    assert form["hx-get"] == "/decks/synthetic/cards/2/answer/"
    assert form.select_one("input[name=answer]")["value"] == "1"
    assert form.button.get_text() == "Show answer to card 2"


def test_a_type_in_cards_show_answer_asks_nothing_typed_and_its_title_leads_to_its_box(
    client, make_deck
):
    # The list is for reading a deck through, as Anki's browser: the card's page, the
    # review and a typed quiz ask the answer typed (README, "Typing the answer").
    deck = make_deck(3)
    give_typed_answers(deck, {2: "Reykjavík"})

    soup = BeautifulSoup(client.get(list_url("synthetic")).text, "html.parser")

    assert not soup.select("#card-2 input[name=typed]")
    assert soup.select_one("#card-2 form.reveal button").get_text() == "Show answer to card 2"
    page = BeautifulSoup(client.get(soup.select_one("#card-2 h2 a")["href"]).text, "html.parser")
    assert page.select_one("form.reveal input[name=typed]")


def test_show_all_answers_shows_each_cards_answer_and_keeps_to_it_page_after_page(
    client, make_deck
):
    deck = make_deck(20)
    hidden = BeautifulSoup(client.get(list_url("synthetic")).text, "html.parser")
    toggle = hidden.select_one("a.answers-toggle")
    assert toggle.get_text() == "Show all answers"

    shown = BeautifulSoup(client.get(toggle["href"]).text, "html.parser")
    more = client.get(
        shown.select_one("#load-more a.button")["hx-get"],
        headers={"HX-Request": "true", "HX-Target": "load-more"},
    )

    assert toggle["href"] == "/decks/synthetic/?answers=1"
    answers = [slot.select_one(".answer .card-body") for slot in shown.select(".answer-slot")]
    cards = deck.cards.order_by("number")
    assert [a.get_text(strip=True) for a in answers] == [c.answer_text for c in cards[:15]]
    assert not shown.select(".answer-slot form.reveal")
    assert card_numbers(more.text) == list(range(16, 21))
    assert more.text.count('class="answer"') == 5
    assert shown.select_one("a.answers-toggle").get_text() == "Hide the answers"
    assert shown.select_one("a.answers-toggle")["href"] == "/decks/synthetic/"
    # A search from here keeps the answers shown.
    assert shown.select_one("form.search input[name=answers]")["value"] == "1"


def test_a_search_with_answers_shown_keeps_its_query_in_the_toggle(client, fastai_deck):
    shown = BeautifulSoup(
        client.get(list_url(), {"q": "softmax", "answers": "1"}).text, "html.parser"
    )

    assert shown.select(".answer-slot .answer")
    assert shown.select_one("a.answers-toggle")["href"] == "/decks/fastai/?q=softmax"


def test_it_paginates_from_the_last_card_shown_with_a_load_more_link_that_keeps_a_real_href(
    client, make_deck
):
    make_deck(45)

    first = BeautifulSoup(client.get(list_url("synthetic")).text, "html.parser")
    more = first.select_one("#load-more a.button")
    second = client.get(more["href"])

    assert more["href"] == more["hx-get"] == "/decks/synthetic/?after=15"
    assert more["hx-target"] == "#load-more"
    assert card_numbers(second.text) == list(range(16, 31))
    assert "Cards 16\N{EN DASH}30 of 45" in second.text
    assert 'href="/decks/synthetic/?before=16">Previous cards' in second.text


def test_previous_cards_are_the_ones_before_the_first_shown(client, make_deck):
    make_deck(45)

    response = client.get(list_url("synthetic"), {"before": "16"})

    assert card_numbers(response.text) == list(range(1, 16))
    assert "Previous cards" not in response.text
    assert 'href="/decks/synthetic/?after=15"' in response.text


def test_pages_follow_card_numbers_across_gaps(client, make_deck):
    deck = make_deck(40)
    deck.cards.filter(number__in=range(10, 30)).delete()

    first = client.get(list_url("synthetic"))
    second = client.get(list_url("synthetic"), {"after": "35"})

    assert card_numbers(first.text) == [*range(1, 10), *range(30, 36)]
    assert "Cards 1\N{EN DASH}35 of 20" in first.text
    assert card_numbers(second.text) == list(range(36, 41))


def test_load_more_through_htmx_returns_the_next_cards_and_a_new_load_more(client, make_deck):
    make_deck(45)

    response = client.get(list_url("synthetic") + "?after=30", headers=LOAD_MORE)

    assert "<html" not in response.text
    assert card_numbers(response.text) == list(range(31, 46))
    assert 'id="load-more"' in response.text
    assert "Cards 1\N{EN DASH}45 of 45" in response.text
    assert "Show more cards" not in response.text
    assert 'id="card-31" aria-labelledby="card-31-title" tabindex="-1" autofocus' in (response.text)


def test_search_results_page_by_position_and_links_keep_the_search(client, make_deck):
    make_deck(45)

    first = client.get(list_url("synthetic") + "?q=question")
    third = client.get(list_url("synthetic") + "?q=question&page=3", headers=LOAD_MORE)

    assert 'href="/decks/synthetic/?q=question&amp;page=2"' in first.text
    assert "Cards 1\N{EN DASH}15 of 45" in first.text
    assert len(card_numbers(third.text)) == 15
    assert "Cards 1\N{EN DASH}45 of 45" in third.text
    shown = card_numbers(first.text) + card_numbers(
        client.get(list_url("synthetic") + "?q=question&page=2").text
    )
    assert len(set(shown + card_numbers(third.text))) == 45


@pytest.mark.parametrize("param", ["page", "after", "before"])
@pytest.mark.parametrize("value", ["0", "-1", "abc", "999", "%00", "9" * 50])
def test_a_bad_page_or_card_number_gives_a_page(client, make_deck, param, value):
    make_deck(45)

    response = client.get(list_url("synthetic"), {param: value}, follow=True)
    search = client.get(list_url("synthetic"), {param: value, "q": "question"})

    assert response.status_code == search.status_code == 200
    assert card_numbers(response.text)
    assert card_numbers(search.text)


@pytest.mark.parametrize(
    "query", ["after=45", "after=999999999", "before=1", "tag=tag-a&after=999"]
)
def test_a_page_past_the_last_card_or_before_the_first_leads_to_the_first(client, make_deck, query):
    # It was an empty list reading "Cards 0-0 of 45", with no way on.
    deck = make_deck(45)
    tag = Tag.objects.create(name="tag-a", slug="tag-a")
    tag.cards.add(*deck.cards.all())
    keeps = "?tag=tag-a" if "tag" in query else ""

    response = client.get(f"{list_url('synthetic')}?{query}&answers=1")

    assert response.status_code == 302
    assert response["Location"] == list_url("synthetic") + (keeps or "?") + (
        "&answers=1" if keeps else "answers=1"
    )
    assert card_numbers(client.get(response["Location"]).text)[:3] == [1, 2, 3]


def test_it_searches_question_and_answer_text_case_insensitively(client, fastai_deck):
    by_question = client.get(list_url(), {"q": "OVERFIT"})
    by_answer = client.get(list_url(), {"q": "unsqueeze"})

    assert "What does it mean for a model to <mark>overfit</mark>?" in by_question.text
    assert card_numbers(by_answer.text) == [6]


def test_a_word_in_another_english_form_finds_and_highlights_the_cards_word(client, fastai_deck):
    response = client.get(list_url(), {"q": "overfitting"})

    assert "What does it mean for a model to <mark>overfit</mark>?" in response.text
    assert (
        response.context["page"].count
        == client.get(list_url(), {"q": "overfit"}).context["page"].count
    )


def test_a_card_found_by_its_images_text_says_so_with_the_words_marked(client, fastai_deck):
    # Card 70's question says neither word: the image of its answer does, folded away.
    found = client.get(list_url(), {"q": "mixed precision"})
    elsewhere = client.get(list_url(), {"q": "softmax"})

    assert card_numbers(found.text) == [70]
    assert (
        '<p class="image-match">Found in an image: <mark>mixed</mark> <mark>precision</mark>'
        " training</p>"
    ) in found.text
    assert "Found in an image" not in elsewhere.text


def test_every_word_is_required_as_the_start_of_a_word(client, make_deck):
    make_deck(12)

    response = client.get(list_url("synthetic"), {"q": "LAYER tensor2?"})
    prefix = client.get(list_url("synthetic"), {"q": "tensor1"})
    inside = client.get(list_url("synthetic"), {"q": "ensor"})

    assert card_numbers(response.text) == [2]
    assert response.context["page"].count == 1
    assert sorted(card_numbers(prefix.text)) == [1, 10, 11, 12]
    assert inside.context["page"].count == 0


def test_it_highlights_the_matches_in_the_questions(client, make_deck):
    make_deck(3)

    response = client.get(list_url("synthetic"), {"q": "TENSOR2"})

    assert "<code><mark>tensor2</mark></code>" in response.text
    assert '<strong>1</strong> card matches “<span class="filter-value">TENSOR2</span>”' in (
        response.text
    )


def test_a_tag_name_finds_the_cards_tagged_with_it(client, fastai_deck):
    response = client.get(list_url(), {"q": "pytorch"})

    tagged = set(fastai_deck.cards.filter(tags__slug="pytorch").values_list("number", flat=True))
    assert len(tagged) == 11
    assert tagged <= set(card_numbers(response.text))


def test_a_misspelt_search_shows_the_nearest_words_results_and_says_so(client, fastai_deck):
    response = client.get(list_url(), {"q": "sofmax"})

    assert response.context["page"].count == 1
    assert "<mark>softmax</mark>" in response.text.lower()
    assert (
        'No card matches “sofmax”; showing <strong>1</strong> card for “<span class="filter-value">'
        "softmax</span>”"
    ) in response.text
    assert 'value="sofmax"' in response.text


def test_a_misspelt_word_among_others_shows_what_was_searched_instead(client, fastai_deck):
    response = client.get(list_url(), {"q": "sofmax lo"})

    assert response.context["page"].count == 1
    assert (
        "No card matches “sofmax lo”; showing <strong>1</strong> card for “"
        '<span class="filter-value">softmax</span>”'
    ) in response.text


def test_it_highlights_the_card_text_but_not_the_image_placeholder(client, fastai_deck):
    response = client.get(list_url(), {"q": "the"})

    assert "Open the original" in response.text
    assert "<mark>" in response.text


def test_an_empty_result_says_so_and_offers_to_clear_the_search(client, make_deck):
    make_deck(3)

    response = client.get(list_url("synthetic"), {"q": "transformer"})

    assert "No card matches “transformer”." in response.text
    assert '<a href="/decks/synthetic/">Clear the search</a>' in response.text
    assert response.text.count("Clear the search") == 1  # not again at the count


def test_it_filters_by_tag_and_shows_the_active_filter(client, make_deck):
    make_deck(6, tags=("vision", "text"))

    response = client.get(list_url("synthetic"), {"tag": "text"})

    assert card_numbers(response.text) == [2, 4, 6]
    assert 'in tag <span class="filter-value">text</span>' in response.text
    assert '<option value="text" selected>text (3)</option>' in response.text


def test_search_and_tag_combine(client, make_deck):
    make_deck(6, tags=("vision", "text"))

    response = client.get(list_url("synthetic"), {"tag": "text", "q": "question 4"})

    assert card_numbers(response.text) == [4]


def test_an_unknown_tag_gives_an_empty_result(client, make_deck):
    make_deck(3)

    response = client.get(list_url("synthetic"), {"tag": "nope"})

    assert response.status_code == 200
    assert "No card matches in tag nope." in response.text


def test_htmx_gets_the_results_fragment_and_a_clean_url_to_push(client, make_deck):
    make_deck(12)

    response = client.get(list_url("synthetic"), {"q": "  tensor1  ", "tag": ""}, headers=HTMX)

    assert "<html" not in response.text
    assert sorted(card_numbers(response.text)) == [1, 10, 11, 12]
    assert '<span id="result-count" hx-swap-oob="innerHTML"><strong>4</strong> cards' in (
        response.text
    )
    assert response["HX-Push-Url"] == "/decks/synthetic/?q=tensor1"
    assert "HX-Request" in response["Vary"]


def test_without_javascript_the_same_url_gives_the_same_results_in_a_full_page(client, make_deck):
    make_deck(12)
    params = {"q": "tensor1"}

    fragment = client.get(list_url("synthetic"), params, headers=HTMX)
    page = client.get(list_url("synthetic"), params)

    assert "<html" in page.text
    assert card_numbers(page.text) == card_numbers(fragment.text)
    assert 'value="tensor1"' in page.text
    assert "HX-Request" in page["Vary"]


def test_a_history_restore_gets_the_full_page(client, make_deck):
    make_deck(3)
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}

    response = client.get(list_url("synthetic"), {"q": "tensor"}, headers=headers)

    assert "<html" in response.text


def test_the_search_box_searches_as_you_type(client, make_deck):
    make_deck(3)

    soup = BeautifulSoup(client.get(list_url("synthetic")).text, "html.parser")

    box = soup.select_one("form[role=search] input[name=q]")
    assert box["hx-get"] == "/decks/synthetic/"
    assert box["hx-trigger"] == "input changed delay:300ms, search"
    assert box["aria-keyshortcuts"] == "/"
    assert soup.select_one("form[role=search]")["hx-push-url"] == "true"
    assert soup.select_one("form[role=search]")["hx-target"] == "#results"
    assert soup.select_one("#result-count")["aria-live"] == "polite"


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 10_000,
        "\x00",
        "tensor\x00axis",
        ".*[(?+\\",
        "%00%",
        "_",
        "<script>alert(1)</script>",
        '" onmouseover="alert(1)',
        "a " * 500,
    ],
)
def test_a_hostile_query_gives_a_normal_page(client, fastai_deck, hostile):
    response = client.get(list_url(), {"q": hostile})

    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert 'onmouseover="alert' not in response.text
    assert len(response.context["query"]) <= 200
    assert "\x00" not in response.context["query"]


@pytest.mark.parametrize("query", ["%", "_", "*", '"', "?!", "NEAR(", "AND", "- +"])
def test_a_query_without_letters_or_digits_matches_nothing(client, make_deck, query):
    make_deck(3)

    response = client.get(list_url("synthetic"), {"q": query})

    assert response.status_code == 200
    assert response.context["page"].count == 0


@pytest.mark.parametrize("query", ["OR", "NOT tensor1", "tensor1 OR", "AND NEAR"])
def test_search_operator_words_are_plain_words(client, make_deck, query):
    make_deck(3)

    response = client.get(list_url("synthetic"), {"q": query})

    assert response.status_code == 200
    assert response.context["page"].count == 0


def test_a_nul_is_dropped_rather_than_refused(client, make_deck):
    make_deck(3)

    response = client.get(list_url("synthetic"), {"q": "tens\x00or3"})

    assert card_numbers(response.text) == [3]


def test_an_unknown_deck_gives_404(client):
    assert client.get(list_url("nope")).status_code == 404


@pytest.mark.parametrize(
    ("params", "headers"),
    [({}, {}), ({"q": "question tensor"}, {}), ({"q": "layer", "tag": "a"}, HTMX)],
)
def test_it_runs_the_same_queries_for_any_deck_size(
    client, make_deck, django_assert_max_num_queries, params, headers
):
    make_deck(10, slug="small", tags=("a", "b"))
    make_deck(500, slug="large", tags=("a", "b"))

    for slug in ("small", "large"):
        with django_assert_max_num_queries(7):
            response = client.get(list_url(slug), params, headers=headers)
        assert card_numbers(response.text)


def test_the_first_load_transfers_at_most_100_kb_without_images(client, fastai_deck, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve static files as `make run` does
    page = client.get(list_url())
    soup = BeautifulSoup(page.text, "html.parser")
    assets = [link["href"] for link in soup.select("link[rel=stylesheet], link[rel=icon]")]
    assets += [script["src"] for script in soup.select("script[src]")]

    sizes = {list_url(): len(page.content)}
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(b"".join(response.streaming_content))

    assert any("htmx" in url for url in sizes)
    assert sum(sizes.values()) <= 100_000, sizes


def test_the_deck_pages_load_no_quiz_styles_which_quiz_pages_do(client, fastai_deck):
    def stylesheets(url):
        soup = BeautifulSoup(client.get(url).text, "html.parser")
        return [link["href"].rsplit("/", 1)[-1] for link in soup.select("link[rel=stylesheet]")]

    assert stylesheets(list_url()) == ["site.css"]
    assert stylesheets("/decks/fastai/cards/12/") == ["site.css"]
    assert stylesheets("/quiz/") == ["site.css", "quiz.css"]


def test_a_signed_in_learners_page_reads_nothing_but_their_session(
    client, alice, make_deck, django_assert_num_queries
):
    make_deck(30)
    client.force_login(alice)
    first = client.get(list_url("synthetic"))

    # The page, the user and their "Review (N)" are kept: only the session is read (from
    # the database in the tests; the site reads it from the cache).
    with django_assert_num_queries(1):
        again = client.get(list_url("synthetic"))

    assert again.text == first.text.replace(csrf_of(first.text), csrf_of(again.text))
    assert ">alice<" in again.text
    assert "Review (20)<" in again.text  # 20 new cards a day


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _study(user, deck, *, rating, learning_steps=(), new_cards_per_day=20):
    reviews.settings_update(
        user=user,
        desired_retention=0.9,
        new_cards_per_day=new_cards_per_day,
        day_start_hour=4,
        time_zone="UTC",
        learning_steps=learning_steps,
    )
    card = first_cards(deck, 1)[0]
    reviews.review_record(
        user=user, card=card, rating=rating, now=timezone.now(), elapsed_seconds=4
    )
    return CardMemory.objects.get(user=user, card=card)


def test_the_review_count_rises_the_minute_a_learning_step_is_shown(client, alice, make_deck):
    """20 minutes before its step ends (the learn-ahead limit), as the review shows it."""
    deck = make_deck(3)
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        memory = _study(
            alice, deck, rating=scheduling.Grade.AGAIN, learning_steps=(timedelta(minutes=30),)
        )
        assert memory.due == T0 + timedelta(minutes=30)
        assert review_count_shown(client) == 2  # the two new cards

        traveller.move_to(memory.due - timedelta(minutes=20, seconds=1))
        assert review_count_shown(client) == 2
        traveller.move_to(memory.due - timedelta(minutes=20))
        assert review_count_shown(client) == 3


def test_the_review_count_follows_the_learners_study_days(client, alice, make_deck):
    deck = make_deck(3)
    client.force_login(alice)
    with time_machine.travel(T0, tick=False) as traveller:
        memory = _study(alice, deck, rating=scheduling.Grade.GOOD, new_cards_per_day=1)
        assert memory.state == scheduling.MemoryState.REVIEW
        assert memory.due == T0 + timedelta(days=2)
        assert review_count_shown(client) == 0  # today's one new card met

        traveller.move_to("2025-03-06 03:59:59Z")  # the study day starts at 04:00
        assert review_count_shown(client) == 0
        traveller.move_to("2025-03-06 04:00:00Z")  # a new card again
        assert review_count_shown(client) == 1
        traveller.move_to("2025-03-07 04:00:00Z")  # the day the card is due in
        assert review_count_shown(client) == 2

        traveller.move_to("2025-03-06 12:00:00Z")  # a clock set back counts again
        assert review_count_shown(client) == 1


def deck_page_named(client, make_deck, name: str) -> BeautifulSoup:
    deck = make_deck(2, slug="named")
    deck.name = name
    deck.save()
    return BeautifulSoup(client.get(list_url(deck.slug)).text, "html.parser")


def test_a_subdeck_is_named_by_its_own_part_below_its_branches(client, make_deck):
    page = deck_page_named(client, make_deck, "Medicine::Cardiology::Drugs")

    assert page.h1.get_text() == "Drugs"
    branches = page.select_one("nav.deck-branches")
    assert [(link.get_text(), link["href"]) for link in branches.select("a")] == [
        ("Medicine", "/?q=Medicine"),
        ("Cardiology", "/?q=Medicine%3A%3ACardiology"),
    ]
    assert page.title.get_text().startswith("Medicine::Cardiology::Drugs")


def test_a_deck_named_without_a_path_keeps_its_whole_name(client, make_deck):
    page = deck_page_named(client, make_deck, "::Plain::")

    assert page.h1.get_text() == "::Plain::"
    assert page.select_one("nav.deck-branches") is None


def test_it_offers_the_decks_quizzes(client, make_deck):
    make_deck(3, slug="small")

    page = BeautifulSoup(client.get(list_url("small")).text, "html.parser")

    quick = page.select_one(".deck-quiz form")
    assert quick["action"] == "/quiz/quick/"
    assert quick.select_one("input[name=deck]")["value"] == "small"
    assert page.select_one(".deck-quiz a")["href"] == "/quiz/?deck=small"


def test_a_deck_no_multiple_choice_can_ask_offers_no_quick_quiz(client, make_deck):
    from quizzes.services.anki_io import anki_import_apply

    deck = make_deck(0, slug="cloze")
    anki_import_apply(deck=deck, data="#notetype:Cloze\n{{c1::a}} {{c2::b}}\t\n", source="c.txt")

    page = BeautifulSoup(client.get(list_url("cloze")).text, "html.parser")

    assert page.select_one(".deck-quiz form") is None
    assert page.select_one(".deck-quiz a")["href"] == "/quiz/?deck=cloze"


def test_markup_and_quotes_in_a_subdecks_path_stay_text(client, make_deck):
    page = deck_page_named(client, make_deck, '<b>A</b>::"B" & <i>C</i>::D')

    branches = page.select_one("nav.deck-branches")
    assert [(link.get_text(), link["href"]) for link in branches.select("a")] == [
        ("<b>A</b>", "/?q=%3Cb%3EA%3C/b%3E"),
        ('"B" & <i>C</i>', "/?q=%3Cb%3EA%3C/b%3E%3A%3A%22B%22%20%26%20%3Ci%3EC%3C/i%3E"),
    ]
    assert page.select("nav.deck-branches b, nav.deck-branches i, h1 b") == []


def test_a_deck_named_as_another_is_named_apart_in_its_title_and_heading(client, make_deck):
    make_deck(1, slug="bio-a", name="Biology")
    make_deck(1, slug="cell-a", name="Biology::Cell")
    make_deck(1, slug="cell-b", name="biology::cell")
    page = BeautifulSoup(client.get(reverse("card_list", args=["cell-b"])).text, "html.parser")
    assert page.title.get_text().startswith("biology::cell (cell-b)")
    assert page.h1.get_text() == "cell (cell-b)"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_a_form_or_another_method_with_a_page_saying_so(client, fastai_deck, method):
    # It answered each with the page, as if it had been a visit.
    response = getattr(client, method)(
        reverse("card_list", args=["fastai"]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "This address is a page to visit: it takes no form" in response.text
