import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def random_url(slug: str = "synthetic") -> str:
    return reverse("card_random", args=[slug])


def test_it_sends_the_reader_to_a_card_of_the_deck(client, make_deck):
    make_deck(5)

    response = client.get(random_url())

    assert response.status_code == 302
    assert response["Location"] in {f"/decks/synthetic/cards/{n}/" for n in range(1, 6)}


def test_it_never_picks_the_card_the_reader_comes_from(client, make_deck):
    make_deck(2)

    locations = {client.get(random_url(), {"from": "1"})["Location"] for _ in range(10)}

    assert locations == {"/decks/synthetic/cards/2/"}


def test_a_deck_of_one_card_gives_that_card(client, make_deck):
    make_deck(1)

    assert client.get(random_url(), {"from": "1"})["Location"] == "/decks/synthetic/cards/1/"


@pytest.mark.parametrize(
    "current", ["abc", "", "-3", "9" * 40, "\x00", "²", "\N{ARABIC-INDIC DIGIT ONE}"]
)
def test_a_bad_from_is_ignored(client, make_deck, current):
    make_deck(1)

    assert client.get(random_url(), {"from": current})["Location"] == "/decks/synthetic/cards/1/"


def test_an_empty_deck_sends_the_reader_to_its_list(client, make_deck):
    make_deck(0)

    assert client.get(random_url())["Location"] == "/decks/synthetic/"


def test_an_unknown_deck_gives_404(client):
    assert client.get(random_url("nope")).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_a_form_or_another_method_with_a_page_saying_so(client, fastai_deck, method):
    # It answered each with the page, as if it had been a visit.
    response = getattr(client, method)(
        reverse("card_random", args=["fastai"]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "This address is a page to visit: it takes no form" in response.text
