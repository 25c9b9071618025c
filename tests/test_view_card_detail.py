import io
import re

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from quizzes.models import Card, CardImage
from quizzes.services.images import image_store_upload, image_upload_verify
from tests.factories import give_typed_answers

pytestmark = pytest.mark.django_db


def card_url(number: int, slug: str = "fastai") -> str:
    return reverse("card_detail", args=[slug, number])


def test_the_permalink_is_built_on_the_deck_and_the_card_number(fastai_deck):
    card = fastai_deck.cards.get(number=6)
    assert card.get_absolute_url() == "/decks/fastai/cards/6/"


def test_it_shows_the_question_with_the_answer_hidden(client, fastai_deck):
    response = client.get(card_url(2))

    assert response.status_code == 200
    assert "<title>What does it mean for a model to overfit? · quizsite</title>" in response.text
    assert '<div class="card-body question"><div dir="auto">What does it mean' in response.text
    assert fastai_deck.cards.get(number=2).answer_text[:30] not in response.text
    assert "Card 2 of 79" in response.text


def test_a_long_question_is_cut_in_the_title(client, make_deck):
    deck = make_deck(1)
    deck.cards.update(question_text="word " * 100)

    soup = BeautifulSoup(client.get(card_url(1, "synthetic")).text, "html.parser")

    assert len(soup.title.get_text()) < 100
    assert soup.title.get_text().startswith("word word")


def test_the_show_answer_button_works_through_htmx_and_without_javascript(client, fastai_deck):
    soup = BeautifulSoup(client.get(card_url(6)).text, "html.parser")

    form = soup.select_one("#answer form.reveal")
    assert form["method"] == "get"
    assert form["action"] == "/decks/fastai/cards/6/#answer"
    assert form["hx-get"] == "/decks/fastai/cards/6/answer/"
    assert form.select_one("input[name=answer]")["value"] == "1"
    button = form.select_one("button[type=submit]")
    assert button.get_text() == "Show answer"
    assert button["aria-keyshortcuts"] == "Space Enter"
    assert button.has_attr("data-reveal-key")


def test_answer_1_shows_the_answer_in_the_page(client, fastai_deck):
    response = client.get(card_url(6), {"answer": "1"})

    assert "A new axis will be created in position 0" in response.text
    assert "<code>a.unsqueeze(0)</code>" in response.text
    assert "Show answer" not in response.text


def test_it_links_the_previous_next_and_a_random_card(client, fastai_deck):
    soup = BeautifulSoup(client.get(card_url(6)).text, "html.parser")

    assert soup.select_one("a[rel=prev]")["href"] == "/decks/fastai/cards/5/"
    assert soup.select_one("a[rel=next]")["href"] == "/decks/fastai/cards/7/"
    random = soup.find("a", href=re.compile("/random/"))
    assert random.get_text() == "Random card"
    assert random["href"] == "/decks/fastai/random/?from=6"
    assert soup.select_one("a[rel=prev]").get_text(" ", strip=True) == "← Previous card"


def test_the_first_and_last_cards_have_no_link_past_the_end(client, make_deck):
    make_deck(3)

    first = client.get(card_url(1, "synthetic")).text
    last = client.get(card_url(3, "synthetic")).text

    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_the_neighbours_skip_missing_numbers(client, make_deck):
    deck = make_deck(5)
    deck.cards.filter(number__in=[2, 4]).delete()

    soup = BeautifulSoup(client.get(card_url(3, "synthetic")).text, "html.parser")

    assert soup.select_one("a[rel=prev]")["href"] == "/decks/synthetic/cards/1/"
    assert soup.select_one("a[rel=next]")["href"] == "/decks/synthetic/cards/5/"


def test_it_links_the_source_and_the_tags(client, fastai_deck):
    response = client.get(card_url(6))

    assert 'href="https://aiquizzes.com/questions/6"' in response.text
    assert '<a href="/decks/fastai/?tag=tensors">tensors</a>' in response.text


def test_an_uncached_image_shows_a_placeholder_linking_to_the_original(client, fastai_deck):
    response = client.get(card_url(6))

    assert "<img" not in response.text
    label = BeautifulSoup(response.text, "html.parser").select_one(".image-missing-label")
    assert label.get_text() == "Image not cached (Screenshot: add dim)"
    assert 'href="https://aiquizzes.com/gcp_images/add_dim.png"' in response.text


def test_a_cached_image_is_served_from_local_media_with_its_size(client, fastai_deck):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 90), "white").save(buffer, format="PNG")
    image = CardImage.objects.get(card__number=6, side="question").image
    data = buffer.getvalue()
    verified = image_upload_verify(data=data, declared_content_type="image/png")
    image_store_upload(image=image, data=data, verified=verified)

    soup = BeautifulSoup(client.get(card_url(6)).text, "html.parser")

    img = soup.select_one(".question img")
    assert img["src"] == f"/media/{image.file.name}"
    assert (img["width"], img["height"], img["alt"]) == ("320", "90", "Screenshot: add dim")
    assert "Image not cached" not in str(soup)


def test_a_search_from_the_list_is_highlighted(client, fastai_deck):
    response = client.get(card_url(6), {"answer": "1", "q": "axis"})

    assert "A new <mark>axis</mark> will be created" in response.text


def test_a_search_in_another_english_form_is_highlighted_as_it_was_searched(client, fastai_deck):
    page = client.get(card_url(6), {"answer": "1", "q": "creating"})
    answer = client.get(card_url(6) + "answer/", {"q": "creating"}, headers={"HX-Request": "true"})

    assert "A new axis will be <mark>creat</mark>ed" in page.text
    assert "A new axis will be <mark>creat</mark>ed" in answer.text


def test_a_search_found_in_an_image_not_cached_is_highlighted_there(client, fastai_deck):
    # Card 70's words "mixed precision" are only in its image's file name.
    response = client.get(card_url(70), {"answer": "1", "q": "mixed precision"})

    soup = BeautifulSoup(response.text, "html.parser")
    marks = [mark.get_text() for mark in soup.select(".answer .image-missing-words mark")]
    assert marks == ["mixed", "precision"]


def test_the_permalink_survives_a_deck_sync(client, fastai_deck):
    before = client.get(card_url(6)).text
    card_id = Card.objects.get(deck=fastai_deck, number=6).pk

    call_command("sync_decks", verbosity=0)

    assert Card.objects.get(deck=fastai_deck, number=6).pk == card_id
    assert client.get(card_url(6)).text.count("running the code above") == before.count(
        "running the code above"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/decks/fastai/cards/80/",
        "/decks/fastai/cards/0/",
        "/decks/nope/cards/1/",
        "/decks/fastai/cards/99999999999999999999999/",
        "/decks/fastai/cards/abc/",
    ],
)
def test_an_unknown_card_gives_404(client, fastai_deck, url):
    assert client.get(url).status_code == 404


def test_a_card_number_of_another_deck_gives_404(client, fastai_deck, make_deck):
    make_deck(100, slug="bigger")

    assert client.get(card_url(90)).status_code == 404
    assert client.get(card_url(90, "bigger")).status_code == 200


@pytest.mark.parametrize("hostile", ["x" * 10_000, "\x00", "<b>a</b>", ".*(", "%00"])
def test_a_hostile_query_gives_a_normal_page(client, fastai_deck, hostile):
    response = client.get(card_url(6), {"q": hostile, "answer": hostile})

    assert response.status_code == 200
    assert "<b>a</b>" not in response.text


def test_it_runs_the_same_queries_for_any_deck_size(
    client, make_deck, django_assert_max_num_queries
):
    make_deck(10, slug="small", tags=("a",))
    make_deck(500, slug="large", tags=("a",))

    for slug in ("small", "large"):
        with django_assert_max_num_queries(4):
            assert client.get(card_url(5, slug), {"answer": "1"}).status_code == 200


def test_a_signed_in_learners_page_reads_nothing_but_their_session(
    client, alice, make_deck, django_assert_num_queries
):
    make_deck(10)
    client.force_login(alice)
    client.get(card_url(5, "synthetic"))

    # The page, the user and their "Review (N)" are kept: only the session is read (from
    # the database in the tests; the site reads it from the cache).
    with django_assert_num_queries(1):
        again = client.get(card_url(5, "synthetic"))

    assert "Question 5 about" in again.text
    assert ">alice<" in again.text and "Review (10)<" in again.text


# --- a card that asks its answer typed ---


@pytest.fixture
def typed_card(make_deck):
    deck = make_deck(3, slug="capitals")
    give_typed_answers(deck, {2: "Reykjavík"})
    return deck.cards.get(number=2)


def test_a_type_in_card_offers_its_box_and_holds_no_answer_before_it_is_shown(client, typed_card):
    response = client.get(card_url(2, "capitals"))

    form = BeautifulSoup(response.text, "html.parser").select_one("form.reveal")
    box = form.select_one("input[name=typed]")
    assert box["autocapitalize"] == box["autocorrect"] == box["autocomplete"] == "off"
    assert box["spellcheck"] == "false" and box["enterkeyhint"] == "done"
    assert form.select_one(f"label[for={box['id']}]").text == "Type the answer"
    # Without JavaScript the form asks this page with the answer and what was typed.
    assert form["method"] == "get" and form.select_one("input[name=answer]")["value"] == "1"
    assert "Reykjav" not in response.text
    assert typed_card.answer_rendered not in response.text


def test_the_answer_shows_beside_what_was_typed(client, typed_card):
    response = client.get(card_url(2, "capitals"), {"answer": "1", "typed": " Reykjavik "})

    comparison = BeautifulSoup(response.text, "html.parser").select_one("[data-typed-comparison]")
    assert "Not quite: 1 character wrong, 1 missing." in comparison.text
    lines = comparison.select(".typed-line")
    assert [line.select_one("del, ins").text.strip() for line in lines] == [
        "[wrong: i]",
        "[not typed: í]",
    ]
    assert typed_card.answer_rendered in response.text


def test_the_answer_of_a_card_typed_right_says_so(client, typed_card):
    response = client.get(card_url(2, "capitals"), {"answer": "1", "typed": "Reykjavík"})

    assert "You typed it exactly." in response.text


def test_a_card_asking_nothing_typed_has_no_box_and_ignores_typed(client, typed_card):
    response = client.get(card_url(1, "capitals"), {"answer": "1", "typed": "x"})

    assert "data-typed-comparison" not in response.text
    assert 'name="typed"' not in client.get(card_url(1, "capitals")).text


def test_a_typed_text_longer_than_the_box_takes_is_cut_to_it(client, typed_card):
    response = client.get(card_url(2, "capitals"), {"answer": "1", "typed": "x" * 100_000})

    assert response.status_code == 200
    line = BeautifulSoup(response.text, "html.parser").select_one(".typed-line del")
    assert line.text.count("x") == 500


def test_its_breadcrumb_names_its_deck_apart_from_another_of_its_name(client, make_deck):
    make_deck(1, slug="bio-a", name="Biology")
    make_deck(1, slug="bio-b", name="biology")
    page = BeautifulSoup(client.get(card_url(1, "bio-b")).text, "html.parser")
    assert page.select_one(".breadcrumbs a").get_text() == "biology (bio-b)"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_a_form_or_another_method_with_a_page_saying_so(client, fastai_deck, method):
    # It answered each with the page, as if it had been a visit.
    response = getattr(client, method)(
        reverse("card_detail", args=["fastai", 1]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "This address is a page to visit: it takes no form" in response.text
