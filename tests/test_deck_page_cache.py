"""What every visitor sees alike (the card list's cards, the deck's tags, the home page's deck
summary) is built once and kept in the cache until a write changes the deck."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import caching, scheduling
from quizzes.models import CachedImage, Card
from quizzes.services import anki_io, card_editing, reviews
from quizzes.services import images as image_services
from tests.factories import image_bytes
from tests.studyhelpers import remember, review_count_shown

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def card_list_of(html: str) -> str:
    return html[html.index('<ul class="card-list"') : html.index('<footer class="site-footer')]


def list_url(slug="synthetic"):
    return reverse("card_list", args=[slug])


def test_the_card_list_is_built_once_for_every_visitor(
    client, make_deck, django_assert_num_queries
):
    make_deck(30, tags=("a", "b"))
    first = client.get(list_url())

    # A visitor's whole page comes from the cache: not even the deck is looked up.
    with django_assert_num_queries(0):
        again = client.get(list_url())

    assert card_list_of(again.text) == card_list_of(first.text)
    assert "Question 1 about" in card_list_of(again.text)


def test_each_search_and_page_is_kept_apart(client, make_deck):
    make_deck(30, tags=("a", "b"))
    client.get(list_url())

    searched = client.get(list_url(), {"q": "tensor7"})
    second_page = client.get(list_url(), {"after": "15"})

    assert "tensor7" in searched.text and "tensor8<" not in searched.text
    assert "Question 16 about" in second_page.text
    assert "Question 1 about" not in second_page.text


def test_an_edit_in_the_admin_shows_at_once(client, make_deck):
    deck = make_deck(5)
    client.get(list_url())
    card = Card.objects.get(deck=deck, number=1)

    content = card_editing.card_content_from_form(
        question_html="<p>A question rewritten by staff</p>", answer_html=card.answer_html
    )
    card_editing.card_save_from_admin(card=card, content=content)

    assert "A question rewritten by staff" in client.get(list_url()).text


def test_an_import_updates_the_home_page_count(client, make_deck):
    deck = make_deck(5)
    assert "5 cards" in client.get(HOME).text

    anki_io.anki_import_apply(deck=deck, data="A new question?\tIts answer.\n", source="new.txt")

    assert "6 cards" in client.get(HOME).text


def test_a_deleted_card_leaves_the_list_and_the_count(client, make_deck):
    deck = make_deck(5)
    client.get(list_url())
    client.get(HOME)

    Card.objects.get(deck=deck, number=5).delete()

    assert "Question 5 about" not in client.get(list_url()).text
    assert "4 cards" in client.get(HOME).text


def test_a_downloaded_image_replaces_its_placeholder(client, make_deck):
    card = Card.objects.get(deck=make_deck(1))
    content = card_editing.card_content_from_form(
        question_html='<p>Look:</p><img src="https://aiquizzes.com/cat.png" alt="a cat">',
        answer_html=card.answer_html,
    )
    card_editing.card_save_from_admin(card=card, content=content)
    assert "Image not cached" in client.get(list_url()).text

    image = CachedImage.objects.get(url="https://aiquizzes.com/cat.png")
    data = image_bytes("PNG", size=(4, 3))
    verified = image_services.image_upload_verify(data=data, declared_content_type="image/png")
    image_services.image_store_upload(image=image, data=data, verified=verified)

    page = client.get(list_url()).text
    assert "Image not cached" not in page
    image.refresh_from_db()
    assert image.file.url in page


def test_resetting_the_deck_to_its_fixture_shows_its_rows(client, fastai_deck):
    # A change made around every service, now cached as the page.
    Card.objects.filter(deck=fastai_deck, number=1).update(
        question_html="<p>Changed here</p>", question_rendered="<p>Changed here</p>"
    )
    assert "Changed here" in client.get(list_url("fastai")).text

    call_command("reset_deck", "fastai", "--yes", stdout=io.StringIO())

    assert "Changed here" not in client.get(list_url("fastai")).text


def test_a_lost_version_number_never_brings_back_old_pages(cache, make_deck, client):
    make_deck(3)
    client.get(list_url())
    old = caching.deck_pages_version()

    cache.delete(caching.VERSION_KEY)

    assert caching.deck_pages_version() != old


# --- a visitor's whole page ---


def csrf_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_each_visitor_of_a_kept_page_gets_a_token_that_works(make_deck):
    make_deck(12)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    pages = [visitor.get(HOME) for visitor in (first, second)]

    tokens = [csrf_of(page.text) for page in pages]
    assert tokens[0] != tokens[1]
    assert all(caching.CSRF_PLACEHOLDER not in page.text for page in pages)
    assert all(
        f'"X-CSRFToken": "{token}"' in page.text for page, token in zip(pages, tokens, strict=True)
    )
    for visitor, token in zip((first, second), tokens, strict=True):
        started = visitor.post(
            reverse("quiz_quick"), {"deck": "synthetic", "csrfmiddlewaretoken": token}
        )
        assert started.status_code == 302
    refused = first.post(
        reverse("quiz_quick"), {"deck": "synthetic", "csrfmiddlewaretoken": tokens[1]}
    )
    assert refused.status_code == 403


def test_a_signed_in_learner_never_gets_a_visitors_page_nor_leaves_theirs(client, alice, make_deck):
    make_deck(3)
    visitor = Client()
    visitor.get(list_url())

    client.force_login(alice)
    theirs = client.get(list_url())
    again = visitor.get(list_url())

    assert ">alice<" in theirs.text and "Log in" not in theirs.text
    assert ">alice<" not in again.text and "Log in" in again.text


def test_learners_share_a_kept_page_each_with_their_own_navigation(
    alice, bob, staff, make_deck, django_assert_num_queries
):
    deck = make_deck(3)
    reviews.review_record(
        user=bob,
        card=Card.objects.get(deck=deck, number=1),
        rating=scheduling.Grade.GOOD,
        now=timezone.now(),
        elapsed_seconds=4,
    )
    as_alice, as_bob, as_staff = Client(), Client(), Client()
    for learner, user in ((as_alice, alice), (as_bob, bob), (as_staff, staff)):
        learner.force_login(user)
    alices = as_alice.get(list_url())

    # Built once: the next learner pays only for their session, their name and their
    # reviews due (one count of their cards: with no review card due, their reviews today
    # are not counted against the day's maximum; their settings, read when they answered,
    # are kept), not for the deck's page.
    with django_assert_num_queries(3):
        bobs = as_bob.get(list_url())
    staffs = as_staff.get(list_url())

    assert card_list_of(bobs.text) == card_list_of(alices.text)
    assert ">alice<" in alices.text and ">bob<" not in alices.text
    assert ">bob<" in bobs.text and ">alice<" not in bobs.text
    assert "Review (3)<" in alices.text and "Review (2)<" in bobs.text
    assert "Admin</a>" in staffs.text and "Admin</a>" not in alices.text + bobs.text
    for page in (alices, bobs, staffs):
        assert caching.USER_NAV_PLACEHOLDER not in page.text
        assert caching.CSRF_PLACEHOLDER not in page.text
        assert "Log in" not in page.text


def test_a_learners_review_count_follows_the_deck_at_once(client, alice, make_deck):
    deck = make_deck(5)
    client.force_login(alice)
    assert review_count_shown(client) == 5

    anki_io.anki_import_apply(deck=deck, data="A new question?\tIts answer.\n", source="new.txt")
    assert review_count_shown(client) == 6

    Card.objects.get(deck=deck, number=1).delete()
    assert review_count_shown(client) == 5


def test_a_deleted_card_leaves_its_learners_counts_through_the_decks_version(
    client, alice, bob, make_deck, monkeypatch
):
    deck = make_deck(2)
    card = Card.objects.get(deck=deck, number=1)
    for learner in (alice, bob):
        remember(learner, [card], now=timezone.now())  # due since yesterday
    client.force_login(alice)
    assert review_count_shown(client) == 2
    learners_changed = []
    monkeypatch.setattr(caching, "learner_memory_changed", learners_changed.append)

    card.delete()

    assert review_count_shown(client) == 1
    assert learners_changed == []  # not one cache write per learner of the card


def test_changes_to_a_learners_account_show_at_once(client, alice, make_deck):
    make_deck(3)
    client.force_login(alice)
    before = client.get(list_url()).text
    assert ">alice<" in before and "Admin</a>" not in before

    alice.username, alice.is_staff = "alice2", True
    alice.save()

    after = client.get(list_url()).text
    assert ">alice2<" in after and "Admin</a>" in after


def test_a_deactivated_learner_is_signed_out_at_once(client, alice, make_deck):
    make_deck(3)
    client.force_login(alice)
    assert ">alice<" in client.get(list_url()).text

    alice.is_active = False
    alice.save()

    page = client.get(list_url()).text
    assert ">alice<" not in page and "Log in" in page


def test_a_learners_log_out_form_carries_their_own_token(alice, bob, make_deck):
    make_deck(3)
    learners = []
    for user in (alice, bob):
        learner = Client(enforce_csrf_checks=True)
        learner.force_login(user)
        learners.append(learner)

    pages = [learner.get(HOME) for learner in learners]

    tokens = [csrf_of(page.text) for page in pages]
    assert tokens[0] != tokens[1]
    refused = learners[0].post(reverse("logout"), {"csrfmiddlewaretoken": tokens[1]})
    assert refused.status_code == 403
    logged_out = learners[0].post(reverse("logout"), {"csrfmiddlewaretoken": tokens[0]})
    assert logged_out.status_code == 302
    assert "Log in" in learners[0].get(HOME).text


def test_a_page_with_a_message_to_show_is_not_kept(client, make_deck):
    make_deck(3)
    client.get(HOME)

    client.post(reverse("quiz_quick"), {"deck": "nope"})
    with_message = client.get(HOME)
    later = Client().get(HOME)

    assert with_message.status_code == later.status_code == 200
    assert 'class="messages"' not in later.text


def test_the_full_page_and_its_htmx_fragment_are_kept_apart(client, make_deck):
    make_deck(20)

    page = client.get(list_url(), {"q": "tensor1"})
    fragment = client.get(list_url(), {"q": "tensor1"}, headers={"HX-Request": "true"})
    page_again = client.get(list_url(), {"q": "tensor1"})

    assert "<html" in page.text and "<html" in page_again.text
    assert "<html" not in fragment.text
    assert fragment["HX-Push-Url"] == "/decks/synthetic/?q=tensor1"


def test_an_error_page_gets_its_token_and_is_not_kept(client, make_deck, django_assert_num_queries):
    make_deck(3)

    missing = client.get(reverse("card_detail", args=["synthetic", 99]))

    assert missing.status_code == 404
    assert caching.CSRF_PLACEHOLDER not in missing.text
    assert '"X-CSRFToken": "' in missing.text
    # Not kept: the card is looked for again, then its deck (the 404 page leads back to it).
    with django_assert_num_queries(2):
        assert client.get(reverse("card_detail", args=["synthetic", 99])).status_code == 404


def test_a_page_that_read_the_real_token_is_not_kept_for_others(make_deck, monkeypatch):
    make_deck(3)
    from quizzes.views import home as home_views

    render = home_views.render

    def render_reading_the_token(request, *args, **kwargs):
        get_token(request)
        return render(request, *args, **kwargs)

    monkeypatch.setattr(home_views, "render", render_reading_the_token)
    first = Client().get(HOME)
    monkeypatch.undo()
    second = Client().get(HOME)

    assert csrf_of(first.text) != csrf_of(second.text)
    assert caching.CSRF_PLACEHOLDER not in first.text + second.text


def test_text_that_looks_like_a_placeholder_never_becomes_a_token(client, make_deck):
    make_deck(3)

    page = client.get(list_url(), {"q": "csrf-placeholder-0123456789abcdef"})

    assert "csrf-placeholder-0123456789abcdef" in page.text
    assert caching.CSRF_PLACEHOLDER not in page.text
    assert caching.CSRF_PLACEHOLDER.startswith("csrf-placeholder-")
    assert caching.CSRF_PLACEHOLDER != "csrf-placeholder-0123456789abcdef"


def test_endless_distinct_searches_push_nothing_out_of_the_shared_cache(
    client, alice, make_deck, settings
):
    """Searches are whatever a client types: kept in the shared cache, a script sending a
    new one each time filled it (Redis for a day; the file cache culls at random), pushing
    out what others count there, such as their quiz starts."""
    import time_machine

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "small-shared",
            "OPTIONS": {"MAX_ENTRIES": 30},
        },
    }
    settings.QUIZSITE_QUIZ_STARTS_PER_MINUTE = 2
    make_deck(12)
    learner = Client()
    learner.force_login(alice)
    start = reverse("quiz_quick")
    with time_machine.travel("2026-11-30 12:00:10+00:00", tick=False):
        assert [learner.post(start).status_code for _ in range(2)] == [302, 302]

        for number in range(60):
            assert client.get(list_url(), {"q": f"tensor{number} word{number}"}).status_code == 200

        assert learner.post(start).status_code == 429


def counted_moves(monkeypatch) -> list:
    """Each move of a version number, as it happens."""
    moves = []
    monkeypatch.setattr(caching, "_fresh_number", lambda: moves.append(1) or len(moves) * 7919)
    return moves


# Real commits: the test's own transaction would keep every move at commit waiting.
@pytest.mark.django_db(transaction=True)
def test_deleting_a_deck_s_cards_moves_the_decks_version_once_not_once_a_card(
    client, make_deck, monkeypatch
):
    deck = make_deck(30)
    assert "Question 3 about" in card_list_of(client.get(list_url()).text)
    moves = counted_moves(monkeypatch)

    with transaction.atomic():
        Card.objects.filter(deck=deck, number__lte=20).delete()

    # One move as the first card goes (the transaction's own reads see it), one at the
    # commit; each of the 20 cards' signals had moved it twice (a delete of 10,000: 26 s).
    assert len(moves) == 2
    after = card_list_of(client.get(list_url()).text)
    assert "Question 3 about" not in after and "Question 21 about" in after


@pytest.mark.django_db(transaction=True)
def test_a_write_read_by_its_own_transaction_moves_the_version_again(monkeypatch):
    moves = counted_moves(monkeypatch)
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            caching.deck_pages_changed()
            raise RuntimeError
        assert len(moves) == 1  # at once; its move at the commit went with the savepoint
        caching.deck_pages_changed()  # so this one moves it at once and asks for one
        caching.deck_pages_changed()  # not read since: nothing more
        assert len(moves) == 2
        caching.deck_pages_version()
        caching.deck_pages_changed()  # read since: at once again, the commit's still one
        assert len(moves) == 3
    assert len(moves) == 4


@pytest.mark.django_db(transaction=True)
def test_a_thread_keeps_nothing_of_the_moves_once_their_transaction_commits(alice):
    """A gunicorn thread serves thousands of learners: what it notes of a transaction's
    moves goes with the transaction, not kept one per learner ever written."""
    caching._moves_unread().clear()  # the earlier tests' transactions, rolled back
    with transaction.atomic():
        caching.deck_pages_changed()
        caching.learner_changed(alice.pk)
        assert len(caching._moves_unread()) == 2
    caching.learner_changed(alice.pk)  # no transaction: moved twice at once, noted nowhere

    assert caching._moves_unread() == {}


def test_learners_memories_reviews_holds_and_flags_are_deleted_in_bulk():
    """Nothing listens to the deletion of a learner's rows, so a deck's or a user's
    deletion removes them with one statement per table, not loading each row to signal
    it (a receiver of every model's deletions kept any model from that)."""
    from django.db.models.deletion import Collector

    from quizzes.models import CardFlag, CardHold, CardMemory, ReviewLog

    collector = Collector(using="default")
    for model in (CardMemory, ReviewLog, CardHold, CardFlag):
        assert collector.can_fast_delete(model.objects.all()), model.__name__


def test_figures_kept_by_the_release_before_do_not_hide_the_decks_quick_quiz(client, make_deck):
    """The release before kept a deck's figures without `choice_count` under the same name:
    read back after a deploy, the card list showed no Quick quiz until the deck changed."""
    from django.core.cache import cache

    from quizzes.services.cards import DeckFigures

    deck = make_deck(12)
    former = object.__new__(DeckFigures)
    object.__setattr__(former, "count", 12)
    object.__setattr__(former, "first_number", 1)
    name = f"deck-figures:{deck.pk}:"
    cache.set(caching._deck_key(name), former)
    cache.set(f"deck-pages:latest:{name}", former)

    html = client.get(list_url()).content.decode()

    assert "Quick quiz" in html
