import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from quizzes.services import attempts as services
from quizzes.services.decks import DECK_TREE_MAX_DEPTH

pytestmark = pytest.mark.django_db


def test_it_names_the_deck_and_counts_its_cards(client, fastai_deck):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert fastai_deck.name in response.text
    assert "79 cards" in response.text
    assert fastai_deck.description in response.text


def test_it_links_to_the_cards_and_a_random_card(client, fastai_deck):
    response = client.get(reverse("home"))
    assert 'href="/decks/fastai/">Browse the cards' in response.text
    assert 'href="/decks/fastai/random/">Random card' in response.text


def test_it_offers_a_quick_quiz_in_the_decks_real_numbers(client, fastai_deck, monkeypatch):
    monkeypatch.setattr(services, "QUICK_QUIZ_QUESTIONS", 12)

    response = client.get(reverse("home"))

    # 79 cards, of which 24 have a question image not cached and 2 an answer that needs one.
    assert "12 multiple-choice questions, drawn from the 53 cards" in response.text
    assert "time for its length, and faster right answers score more" in response.text
    # The rule spelled out, under the button.
    assert "each question 8\N{NO-BREAK SPACE}s plus the time to read" in response.text
    assert 'name="deck" value="fastai"' in response.text


def test_a_small_deck_offers_as_many_questions_as_it_has(client, make_deck):
    make_deck(3)
    assert "3 multiple-choice questions, drawn from the 3 cards" in client.get("/").text


def test_a_deck_of_cloze_cards_offers_no_quick_quiz(client, make_deck):
    from quizzes.services.anki_io import anki_import_apply

    deck = make_deck(0, slug="cloze")
    anki_import_apply(deck=deck, data="#notetype:Cloze\n{{c1::a}} {{c2::b}}\t\n", source="c.txt")

    response = client.get(reverse("home"))

    assert "Quick quiz:</strong> none, as no card of this deck" in response.text
    assert 'name="deck" value="cloze"' not in response.text
    assert "/quiz/?deck=cloze" in response.text


def test_it_says_how_to_load_a_deck_when_there_is_none(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No deck is loaded yet" in response.text


def test_it_runs_the_same_queries_for_any_deck_size(client, make_deck, django_assert_num_queries):
    make_deck(3, slug="small")
    make_deck(60, slug="large")
    with django_assert_num_queries(1):
        client.get(reverse("home"))


def named_deck(make_deck, name: str, size: int = 3):
    deck = make_deck(size, slug=slugify(name.replace("::", " "))[:60].strip("-") or "deck")
    deck.name = name
    deck.save()
    return deck


def test_decks_named_by_ankis_path_show_as_its_tree_with_each_branchs_counts(client, make_deck):
    named_deck(make_deck, "Medicine::Cardiology::Drugs", 4)
    named_deck(make_deck, "Medicine::Cardiology::ECG", 5)
    named_deck(make_deck, "Medicine::Neurology", 6)

    page = client.get(reverse("home")).text

    assert '<h2 id="branch-1">Medicine</h2>' in page
    assert "3 decks · 15 cards" in page
    # A branch below the top one is folded, its decks a click away.
    assert '<details class="deck-branch">' in page
    assert (
        'Cardiology</span> <span class="deck-figures"><span class="deck-count">2 decks · 9 cards'
        in page
    )
    assert 'href="/decks/medicine-cardiology-drugs/">Drugs<span class="visually-hidden">' in page
    assert 'name="deck" value="medicine-neurology"' in page
    assert "/quiz/?deck=medicine-cardiology-ecg" in page


def test_a_deck_with_subdecks_lists_its_own_cards_first(client, make_deck):
    named_deck(make_deck, "Spanish", 2)
    named_deck(make_deck, "Spanish::Verbs", 3)

    page = client.get(reverse("home")).text

    assert "2 decks · 5 cards" in page
    assert page.index("2 cards of its own") < page.index(">Verbs<")


def test_two_top_decks_of_one_name_are_headed_apart_by_their_slugs(client, make_deck):
    first = named_deck(make_deck, "Biology", 2)
    second = named_deck(make_deck, "Biology again", 3)
    second.name = "Biology"
    second.save()
    named_deck(make_deck, "Biology::Cell", 1)

    page = BeautifulSoup(client.get(reverse("home")).text, "html.parser")

    headings = [heading.get_text() for heading in page.select("section.panel h2")]
    assert headings == [f"Biology ({first.slug})", f"Biology ({second.slug})"]
    # The first's own cards, above its Cell, are named as its heading is.
    own = page.select_one(".deck-tree .deck-row-name")
    assert own.get_text().startswith(f"Biology ({first.slug})")


def test_the_filter_shows_the_decks_whose_name_holds_it_unfolded(client, make_deck):
    for name in ["Medicine::Cardiology::Drugs", "Medicine::Neurology", "Languages::Spanish"]:
        named_deck(make_deck, name)
    for number in range(4):
        named_deck(make_deck, f"Extra {number}")

    page = client.get(reverse("home"), {"q": "  cardio "}).text

    assert 'value="cardio"' in page
    assert "<strong>1</strong> deck named with" in page
    assert ">Drugs<" in page
    assert "Neurology" not in page and "Spanish" not in page
    assert '<details class="deck-branch" open>' in page


def test_a_filter_that_finds_nothing_says_so_and_leads_back(client, make_deck):
    named_deck(make_deck, "Medicine::Neurology")

    response = client.get(reverse("home"), {"q": "zzz"})

    assert response.status_code == 200
    assert "No deck is named with “zzz”." in response.text
    assert '<a href="/">Show every deck</a>' in response.text


def test_the_filter_box_shows_only_once_the_decks_are_many(client, make_deck):
    for number in range(6):
        named_deck(make_deck, f"Deck {number}")
    assert 'id="deck-filter"' not in client.get(reverse("home")).text

    named_deck(make_deck, "Deck 6")
    assert 'id="deck-filter"' in client.get(reverse("home")).text


def test_htmx_gets_the_tree_alone(client, make_deck):
    named_deck(make_deck, "Medicine::Neurology")
    named_deck(make_deck, "Languages::Spanish")

    response = client.get(
        reverse("home"), {"q": "span"}, headers={"HX-Request": "true", "HX-Target": "deck-tree"}
    )

    assert "<html" not in response.text and "Find a deck" not in response.text
    assert ">Spanish<" in response.text and "Neurology" not in response.text


def test_htmx_brings_the_count_into_its_live_region(client, make_deck):
    named_deck(make_deck, "Languages::Spanish")
    full = client.get(reverse("home")).text
    assert '<p id="deck-count" class="result-count" aria-live="polite"></p>' in full

    response = client.get(
        reverse("home"), {"q": "span"}, headers={"HX-Request": "true", "HX-Target": "deck-tree"}
    )

    assert '<span id="deck-count" hx-swap-oob="innerHTML"><strong>1</strong> deck named with' in (
        response.text
    )
    assert response.text.count('id="deck-count"') == 1


def test_markup_in_a_decks_name_is_text(client, make_deck):
    named_deck(make_deck, "<b>Bold</b>::<script>alert(1)</script>")

    page = client.get(reverse("home"), {"q": "<script>"}).text

    assert "<script>alert" not in page and "<b>Bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_fifty_decks_in_a_tree_take_the_same_one_query(
    client, make_deck, django_assert_num_queries
):
    for top in range(5):
        for below in range(10):
            named_deck(make_deck, f"Top {top}::Branch {below % 3}::Deck {below}", 1)
    with django_assert_num_queries(1):
        page = client.get(reverse("home")).text
    assert page.count('<details class="deck-branch">') == 15
    with django_assert_num_queries(0):
        client.get(reverse("home"), {"q": "branch 1"})


@pytest.mark.parametrize(
    "name",
    [
        "::".join(f"level{number}" for number in range(60)),  # 60 levels, within the 200 letters
        "::",
        " :: ::x:: ",
        "A::" + "B" * 190,
    ],
)
def test_odd_names_make_a_page_and_keep_the_tree_shallow(client, make_deck, name):
    named_deck(make_deck, name[:200])
    for number in range(6):
        named_deck(make_deck, f"Other {number}")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.text.count("<details") <= DECK_TREE_MAX_DEPTH - 2
    assert client.get(reverse("home"), {"q": name[-5:]}).status_code == 200


@pytest.mark.parametrize("q", ["\x00", "%", "_", "'", "\\", "q" * 10_000, "é" * 300])
def test_any_filter_gets_a_page(client, make_deck, q):
    named_deck(make_deck, "Medicine::Neurology")

    response = client.get(reverse("home"), {"q": q})

    assert response.status_code == 200
    assert "No deck is named with" in response.text


def test_past_200_decks_a_branch_is_a_link_to_the_filter_that_opens_it(client, make_deck):
    for number in range(201):
        named_deck(make_deck, f"Languages::Group {number % 3}::Deck {number}", 1)

    page = client.get(reverse("home")).text

    assert "<details" not in page and "Deck 7" not in page
    assert 'href="/?q=Languages%3A%3AGroup%201">Group 1<span class="visually-hidden">' in page
    assert "67 decks · 67 cards" in page

    branch = client.get(reverse("home"), {"q": "Languages::Group 1"}).text
    assert '<details class="deck-branch" open>' in branch and ">Deck 7<" in branch


def test_a_branch_of_more_than_200_decks_opens_from_its_link(client, make_deck):
    """Its link is the filter on its path, which shows more than 200 decks again: the
    branch the filter opens is folded there, never a link to the same page."""
    for number in range(201):
        named_deck(make_deck, f"Big::Sub::Deck {number}", 1)
    named_deck(make_deck, "Big::Other::Deck", 1)

    page = client.get(reverse("home")).text
    assert 'href="/?q=Big%3A%3ASub">Sub<' in page

    branch = client.get(reverse("home"), {"q": "Big::Sub"}).text
    assert 'href="/?q=Big%3A%3ASub"' not in branch
    assert '<details class="deck-branch" open>' in branch and ">Deck 7<" in branch


def test_the_filters_fragment_and_the_page_are_kept_apart_by_the_browser(client, make_deck):
    named_deck(make_deck, "Languages::Spanish")

    response = client.get(reverse("home"), {"q": "span"})

    assert {"hx-request", "hx-target"} <= {
        header.strip().lower() for header in response["Vary"].split(",")
    }


def test_a_learner_is_offered_to_study_each_deck_and_branch(client, alice, make_deck):
    named_deck(make_deck, "Medicine::Cardiology::Drugs")
    named_deck(make_deck, "Medicine::Cardiology")
    named_deck(make_deck, "Languages")
    client.force_login(alice)

    page = BeautifulSoup(client.get(reverse("home")).text, "html.parser")

    studies = {link.get_text(): link["href"] for link in page.select("a[data-deck-study]")}
    review = reverse("review")
    # Medicine has no deck of its own: its path names it. Cardiology is a deck of its own.
    assert studies == {
        "Study (Medicine)": f"{review}?branch=Medicine",
        "Study all of Cardiology (Medicine::Cardiology)": f"{review}?deck=medicine-cardiology",
        "Study (Medicine::Cardiology, its own cards)": f"{review}?own=medicine-cardiology",
        "Study (Medicine::Cardiology::Drugs)": f"{review}?deck=medicine-cardiology-drugs",
        "Study (Languages)": f"{review}?deck=languages",
    }
    loader = page.select_one("[data-deck-study-counts]")
    assert loader["hx-get"] == reverse("deck_study_counts")
    assert loader["hx-trigger"] == "load"
    places = [place["id"] for place in page.select("span.deck-study-counts")]
    # Medicine, Cardiology, Cardiology's own cards, Drugs, Languages
    assert len(places) == len(set(places)) == 5
    # The counts' legend is in the page: swapped in with them, it pushed the decks down.
    legend = page.select_one("#deck-study-legend")
    assert legend.get_text() == "Your cards for today, beside each deck: new, learning, to review."
    # A filter matching nothing at first: the tree a later one swaps in has counts to tell.
    unmatched = BeautifulSoup(client.get(reverse("home"), {"q": "zzz"}).text, "html.parser")
    assert unmatched.select_one("#deck-study-legend") is not None


def test_a_deck_with_subdecks_offers_to_study_its_own_cards_alone(client, alice, make_deck):
    named_deck(make_deck, "Spanish", 2)
    named_deck(make_deck, "Spanish::Verbs", 3)
    client.force_login(alice)

    page = BeautifulSoup(client.get(reverse("home")).text, "html.parser")

    own_row = page.select_one(".deck-tree .deck-row")
    assert "2 cards of its own" in own_row.get_text()
    study = own_row.select_one("a[data-deck-study]")
    assert study["href"] == reverse("review") + "?own=spanish"
    assert study.get_text() == "Study (Spanish, its own cards)"
    assert own_row.select_one(".deck-study-counts")["id"].startswith("deck-study-own-")
    # The panel's Study takes the deck with its Verbs.
    panel_study = page.select_one(".deck-group > .deck-study-row a[data-deck-study]")
    assert panel_study["href"] == reverse("review") + "?deck=spanish"


def test_a_filtered_tree_asks_for_the_counts_of_its_rows(client, alice, make_deck):
    for number in range(7):
        named_deck(make_deck, f"Languages::Deck {number}")
    client.force_login(alice)

    fragment = client.get(
        reverse("home"), {"q": "deck 1"}, headers={"HX-Request": "true", "HX-Target": "deck-tree"}
    )

    loader = BeautifulSoup(fragment.text, "html.parser").select_one("[data-deck-study-counts]")
    assert loader["hx-get"] == reverse("deck_study_counts") + "?q=deck%201"


def test_a_visitor_is_offered_no_study(client, make_deck):
    named_deck(make_deck, "Medicine::Cardiology")
    page = client.get(reverse("home")).text
    assert "data-deck-study" not in page
    assert "deck-study-counts" not in page
    assert "deck-study-legend" not in page


def test_learners_share_one_kept_home_page_their_counts_apart(
    alice, bob, make_deck, django_assert_num_queries
):
    for number in range(40):
        named_deck(make_deck, f"Top {number % 4}::Deck {number}")
    as_alice, as_bob = Client(), Client()
    as_alice.force_login(alice)
    as_bob.force_login(bob)
    alices = as_alice.get(reverse("home")).text

    # The page is alice's kept copy: bob pays for his navigation alone (his session, his
    # row, his settings and his review counts, each read once), not for the 40 decks.
    with django_assert_num_queries(4):
        bobs = as_bob.get(reverse("home")).text

    assert bobs.replace(">bob<", ">alice<").count("data-deck-study") == alices.count(
        "data-deck-study"
    )


def test_the_hidden_words_of_a_decks_buttons_name_it_apart_as_its_row_does(
    client, alice, make_deck, django_assert_num_queries
):
    # "Quick quiz on Biology" twice: a screen reader could not tell which Biology's it was.
    for slug, name in [
        ("bio-a", "Biology"),
        ("bio-b", "biology"),
        ("cell-a", "Biology::Cell"),
        ("cell-b", "biology::cell"),
    ]:
        make_deck(1, slug=slug, name=name)
    # As many queries as ever: the decks' tree the page names them by is kept.
    with django_assert_num_queries(1):
        page = BeautifulSoup(client.get(reverse("home")).text, "html.parser")

    panel = page.select_one('section[aria-labelledby="deck-bio-b"]')
    assert {action.get_text() for action in panel.select(".actions a, .quick-quiz-actions a")} == {
        "Browse the cards of biology (bio-b)",
        "Random card from biology (bio-b)",
        "Choose your own quiz on biology (bio-b)",
        "Leaderboard of biology (bio-b)",
    }
    row = page.select_one('a.deck-row-name[href="/decks/cell-b/"]').find_parent(class_="deck-row")
    assert row.select_one(".deck-row-name").get_text() == "cell (cell-b) (biology::cell)"
    assert row.select_one('a[href$="?deck=cell-b"]').get_text() == (
        "Choose a quiz on biology::cell (cell-b)"
    )

    client.force_login(alice)
    page = BeautifulSoup(client.get(reverse("home")).text, "html.parser")
    studies = {link["href"]: link.get_text() for link in page.select("a[data-deck-study]")}
    assert studies[f"{reverse('review')}?deck=cell-b"] == "Study (biology::cell (cell-b))"
    assert studies[f"{reverse('review')}?own=bio-a"] == "Study (Biology (bio-a), its own cards)"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_refuses_a_form_or_another_method_with_a_page_saying_so(client, fastai_deck, method):
    # It answered each with the page, as if it had been a visit.
    response = getattr(client, method)(reverse("home"), HTTP_HX_REQUEST="true")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "This address is a page to visit: it takes no form" in response.text
