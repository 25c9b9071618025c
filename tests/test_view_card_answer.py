import pytest
from django.urls import reverse

from tests.factories import give_typed_answers

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def answer_url(number: int, slug: str = "fastai") -> str:
    return reverse("card_answer", args=[slug, number])


def test_htmx_gets_the_answer_fragment(client, fastai_deck):
    response = client.get(answer_url(6), headers=HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "A new axis will be created in position 0" in response.text
    assert 'class="answer" tabindex="-1" autofocus' in response.text
    assert "HX-Request" in response["Vary"]


def test_without_javascript_it_sends_the_reader_to_the_card_page_with_its_answer(
    client, fastai_deck
):
    response = client.get(answer_url(6), {"q": "axis"})

    assert response.status_code == 302
    assert response["Location"] == "/decks/fastai/cards/6/?answer=1&q=axis#answer"
    assert "HX-Request" in response["Vary"]


def test_it_highlights_the_search(client, fastai_deck):
    response = client.get(answer_url(6), {"q": "AXIS"}, headers=HTMX)

    assert "A new <mark>axis</mark> will be created" in response.text


def test_an_unknown_card_gives_404(client, fastai_deck):
    assert client.get(answer_url(80), headers=HTMX).status_code == 404
    assert client.get(answer_url(1, "nope")).status_code == 404


@pytest.mark.parametrize("hostile", ["x" * 10_000, "\x00", "<script>", "(?"])
def test_a_hostile_query_gives_the_answer(client, fastai_deck, hostile):
    response = client.get(answer_url(6), {"q": hostile}, headers=HTMX)

    assert response.status_code == 200
    assert "<script>" not in response.text


def test_it_runs_the_same_queries_for_any_deck_size(
    client, make_deck, django_assert_max_num_queries
):
    make_deck(10, slug="small")
    make_deck(500, slug="large")

    for slug in ("small", "large"):
        with django_assert_max_num_queries(3):
            client.get(answer_url(5, slug), headers=HTMX)


@pytest.fixture
def typed_card(make_deck):
    deck = make_deck(3, slug="capitals")
    give_typed_answers(deck, {2: "Paris"})
    return deck.cards.get(number=2)


def test_htmx_gets_the_answer_beside_what_was_typed(client, typed_card):
    response = client.get(answer_url(2, "capitals"), {"answer": "1", "typed": "Pari"}, headers=HTMX)

    assert "<html" not in response.text
    assert "Not quite: 1 missing." in response.text
    assert "<ins>" in response.text and typed_card.answer_rendered in response.text


def test_without_javascript_what_was_typed_goes_along_to_the_card_page(client, typed_card):
    response = client.get(answer_url(2, "capitals"), {"typed": "Pari s"})

    assert response.status_code == 302
    assert response["Location"] == "/decks/capitals/cards/2/?answer=1&typed=Pari+s#answer"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_a_form_or_another_method_with_a_page_saying_so(client, fastai_deck, method):
    # It answered each with the page, as if it had been a visit.
    response = getattr(client, method)(
        reverse("card_answer", args=["fastai", 1]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "This address is a page to visit: it takes no form" in response.text
