"""Staff edit a deck in the admin: its name and its slug. A changed slug keeps the deck's
old links working and the deck fixture finding the deck."""

from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Card, Deck, ProblemReport, ReviewLog
from tests.editing_helpers import admin_form_data, record_answer
from tests.studyhelpers import remember

pytestmark = pytest.mark.django_db


def change_url(deck):
    return reverse("admin:quizzes_deck_change", args=[deck.pk])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def rename(client, deck, slug):
    return client.post(change_url(deck), admin_form_data(client.get(change_url(deck)), slug=slug))


def test_a_decks_old_links_lead_to_it_after_its_slug_changed(staff_client, client, deck):
    old_slug = deck.slug
    assert rename(staff_client, deck, "renamed").status_code == 302

    card_page = client.get(f"/decks/{old_slug}/cards/3/?q=tensor")
    deck_page = client.get(f"/decks/{old_slug}/")

    assert card_page.status_code == 302
    assert card_page.url == "/decks/renamed/cards/3/?q=tensor"
    assert deck_page.url == "/decks/renamed/"
    assert client.get(card_page.url).status_code == 200
    assert client.get("/decks/never-was/").status_code == 404


def test_a_report_posted_to_the_old_address_is_sent_on_with_its_form(
    staff_client, client, alice, deck
):
    old_slug = deck.slug
    rename(staff_client, deck, "renamed")
    client.force_login(alice)

    response = client.post(f"/decks/{old_slug}/cards/3/report/", {"kind": "unclear"})

    assert response.status_code == 307
    assert response.url == "/decks/renamed/cards/3/report/"
    client.post(response.url, {"kind": "unclear"})
    assert ProblemReport.objects.filter(card__number=3, kind="unclear").exists()


def test_a_deck_may_take_back_its_old_slug(staff_client, client, deck):
    old_slug = deck.slug
    rename(staff_client, deck, "renamed")

    assert rename(staff_client, deck, old_slug).status_code == 302

    assert client.get(f"/decks/{old_slug}/").status_code == 200
    assert client.get("/decks/renamed/").url == f"/decks/{old_slug}/"


def test_another_deck_cannot_take_a_slug_whose_links_lead_elsewhere(staff_client, deck, make_deck):
    old_slug = deck.slug
    rename(staff_client, deck, "renamed")
    other = Deck.objects.create(name="Other", slug="other")

    response = rename(staff_client, other, old_slug)

    assert response.status_code == 200
    assert f"{old_slug} was the address of the deck {deck.name}" in response.text
    other.refresh_from_db()
    assert other.slug == "other"


def test_the_deck_fixture_finds_its_deck_after_staff_changed_the_slug(staff_client, db):
    call_command("sync_decks", stdout=StringIO())
    fastai = Deck.objects.get(slug="fastai")
    rename(staff_client, fastai, "fastai-part-2")

    out = StringIO()
    call_command("sync_decks", stdout=out)

    assert list(Deck.objects.values_list("slug", flat=True)) == ["fastai-part-2"]
    assert Card.objects.count() == 79
    assert "0 added" in out.getvalue()


def test_resetting_the_deck_gives_it_the_fixtures_slug_and_keeps_the_links(staff_client, client):
    call_command("sync_decks", stdout=StringIO())
    fastai = Deck.objects.get(slug="fastai")
    rename(staff_client, fastai, "fastai-part-2")

    call_command("reset_deck", "fastai", "--yes", stdout=StringIO())

    assert list(Deck.objects.values_list("slug", flat=True)) == ["fastai"]
    assert client.get("/decks/fastai-part-2/cards/1/").url == "/decks/fastai/cards/1/"


def test_the_slug_field_shows_the_address_it_makes(staff_client, deck):
    page = BeautifulSoup(staff_client.get(change_url(deck)).text, "html.parser")

    help_text = page.select_one("#id_slug_helptext").get_text()

    assert "the slug fastai is /decks/fastai/" in help_text


def delete_page(client, deck):
    response = client.get(reverse("admin:quizzes_deck_delete", args=[deck.pk]))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", [5, 120])
def test_deleting_a_deck_counts_its_cards_and_what_goes_with_them(
    staff_client, make_deck, django_user_model, size
):
    # Django's page named every card of the deck and every memory and review of each: 9 s
    # and 1.2 MB for a deck of 3,000 cards.
    deck = make_deck(size, tags=("training",))
    remember(
        django_user_model.objects.create_user("learner"),
        list(deck.cards.all()[:3]),
        now=timezone.now(),
        reviews=2,
    )

    response = delete_page(staff_client, deck)

    summary = {str(name): count for name, count in response.context["model_count"]}
    assert summary["cards"] == size
    assert summary["learners' memories of it (it leaves their reviews)"] == 3
    assert "review logs" not in summary  # kept, as Anki keeps its review log
    assert f"{deck.slug} #1" not in response.text
    staff_client.post(reverse("admin:quizzes_deck_delete", args=[deck.pk]), {"post": "yes"})
    assert not Deck.objects.filter(pk=deck.pk).exists()
    assert not Card.objects.exists()
    assert ReviewLog.objects.filter(card=None).count() == 6


def test_a_deck_whose_cards_quizzes_asked_is_kept_and_the_page_says_why_in_one_line(
    staff_client, make_deck
):
    # Django's page named every answer learners gave: thousands of lines for a played deck.
    deck = make_deck(5)
    for number in (1, 2):
        for _ in range(30):
            record_answer(deck.cards.get(number=number), "correct")

    response = delete_page(staff_client, deck)

    (line,) = response.context["protected"]
    assert line == (
        f"{deck.name}: 2 of its cards were asked in learners' quizzes, whose results show "
        "them (delete the cards no quiz asked from the card list instead)"
    )
    staff_client.post(reverse("admin:quizzes_deck_delete", args=[deck.pk]), {"post": "yes"})
    assert deck.cards.count() == 5


def test_the_deck_list_reads_as_anki_s_tree_each_subdeck_indented_below_its_parent(
    staff_client, django_assert_max_num_queries
):
    # By plain name, "Medicine Two" came between Medicine and its subdecks, and "fast.ai"
    # after every capital.
    names = ["Medicine Two", "Medicine::Neurology", "fast.ai", "Medicine", "Physics"]
    names += ["Medicine::Cardiology::Drugs", "Medicine::Cardiology", "medicine::anatomy"]
    names += [f"Z::B{number // 7}::C{number:02}" for number in range(42)]
    for number, name in enumerate(names):
        Deck.objects.create(name=name, slug=f"deck-{number}")

    with django_assert_max_num_queries(12):
        page = staff_client.get(reverse("admin:quizzes_deck_changelist"))

    rows = BeautifulSoup(page.text, "html.parser").select("#result_list tbody th")
    shown = [row.get_text() for row in rows]
    assert len(shown) == 50
    assert shown[:9] == [
        "fast.ai",
        "Medicine",
        "medicine::anatomy",
        "Medicine::Cardiology",
        "Medicine::Cardiology::Drugs",
        "Medicine::Neurology",
        "Medicine Two",
        "Physics",
        "Z::B0::C00",
    ]
    assert shown[-1] == "Z::B5::C41"
    drugs = rows[4].select_one("span")
    assert drugs["style"] == "padding-left:3.0em"
    assert drugs.select_one(".quiet").get_text() == "Medicine::Cardiology::"
