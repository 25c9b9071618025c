"""The card list's tag actions: a tag added to or taken off many cards at once reaches
their notes' other cards, as saving one card's tags does (Anki keeps tags on the note)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Card, Tag
from quizzes.services.anki_io import anki_import_apply
from quizzes.services.search import cards_matching
from quizzes.services.tags import cards_tag_add, cards_tag_remove

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:quizzes_card_changelist")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def deck(make_deck):
    deck = make_deck(4)
    anki_import_apply(
        deck=deck,
        data="#notetype:Basic (and reversed card)\nHund\tdog\nKatze\tcat\n",
        source="reversed.txt",
    )
    return deck


@pytest.fixture
def grammar():
    return Tag.objects.create(name="grammar", slug="grammar")


def act(client, action, cards, chosen, *, follow=True, **extra):
    data = {"action": action, "_selected_action": [card.pk for card in cards], **extra}
    if chosen is not None:
        data["tag"] = chosen.pk
    return client.post(CHANGELIST, data, follow=follow)


def tagged(tag) -> list[str]:
    return sorted(Card.objects.filter(tags=tag).values_list("question_text", flat=True))


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_adding_a_tag_reaches_the_selected_cards_notes_other_cards(editor_client, deck, grammar):
    hund = deck.cards.get(question_text="Hund")
    plain = deck.cards.get(number=1)
    plain.tags.add(grammar)  # has it already: not counted

    response = act(editor_client, "add_tag", [hund, plain], grammar)

    assert tagged(grammar) == sorted(["Hund", "dog", plain.question_text])
    assert shown(response) == [
        "Tag grammar added to 2 cards (among the selected and their notes' other cards)."
    ]
    # The search index follows (kept by triggers on the tags' table).
    found = cards_matching(cards=Card.objects.all(), query="grammar")
    assert sorted(found.values_list("question_text", flat=True)) == tagged(grammar)


def test_removing_a_tag_reaches_the_selected_cards_notes_other_cards(editor_client, deck, grammar):
    for card in deck.cards.all():
        card.tags.add(grammar)
    dog = deck.cards.get(question_text="dog")

    response = act(editor_client, "remove_tag", [dog], grammar)

    assert "Hund" not in tagged(grammar) and "dog" not in tagged(grammar)
    assert len(tagged(grammar)) == 8 - 2  # 4 plain cards, 2 reversed notes of 2
    assert shown(response) == [
        "Tag grammar removed from 2 cards (among the selected and their notes' other cards)."
    ]


@pytest.mark.parametrize("action", ["add_tag", "remove_tag"])
def test_a_tag_action_without_a_tag_says_to_choose_one_and_changes_nothing(
    editor_client, deck, grammar, action
):
    response = act(editor_client, action, deck.cards.all(), None)

    assert response.status_code == 200
    assert shown(response) == ["Choose the tag in the list beside the action, then Go."]
    assert tagged(grammar) == []


def test_a_tag_that_is_no_longer_there_is_refused_as_such(editor_client, deck, grammar):
    gone = Tag.objects.create(name="gone", slug="gone").pk
    Tag.objects.filter(pk=gone).delete()

    response = act(editor_client, "add_tag", deck.cards.all(), None, tag=gone)

    assert shown(response) == ["Choose the tag in the list beside the action, then Go."]


def test_the_action_bar_offers_the_tags(editor_client, deck, grammar):
    response = editor_client.get(CHANGELIST)

    assert '<option value="add_tag">Add the tag chosen beside to the selected cards' in (
        response.text
    )
    assert f'<option value="{grammar.pk}">grammar</option>' in response.text


@pytest.mark.parametrize("action", ["add_tag", "remove_tag"])
def test_a_tag_action_runs_as_many_queries_for_600_cards_as_for_60(
    editor_client, make_deck, grammar, action
):
    """All the cards of a deck, selected across the list's pages: one INSERT or DELETE."""

    def queries_for(size):
        deck = make_deck(size, slug=f"deck-{size}")
        if action == "remove_tag":
            Card.tags.through.objects.bulk_create(
                Card.tags.through(card=card, tag=grammar) for card in deck.cards.all()
            )
        data = {
            "action": action,
            "_selected_action": [deck.cards.first().pk],
            "select_across": "1",
            "index": "0",
            "tag": grammar.pk,
        }
        with CaptureQueriesContext(connection) as queries:
            editor_client.post(f"{CHANGELIST}?deck__id__exact={deck.pk}", data)
        assert deck.cards.filter(tags=grammar).count() == (size if action == "add_tag" else 0)
        # The card list's statistics roll-up forgets questions long unanswered at each load.
        writes = [
            q["sql"]
            for q in queries
            if q["sql"].startswith(("INSERT", "DELETE")) and "cardstatistics" not in q["sql"]
        ]
        assert len(writes) == 1 and "quizzes_card_tags" in writes[0]
        return len(queries)

    queries_for(1)  # the first request of a session reads more (its user)
    # Both more than a page of the list, which the action's request reads too.
    assert queries_for(60) == queries_for(600)


def test_a_tag_added_or_taken_off_dates_the_cards_it_changed(deck, grammar):
    # Their notes go to Anki dated by it, and Anki takes a note only from a newer one: a
    # tag added here never reached a course's Anki that had the note.
    long_ago = timezone.now() - timedelta(days=30)
    hund = Card.objects.filter(question_html="Hund")
    dated = []
    for change in (cards_tag_add, cards_tag_remove):
        Card.objects.update(updated_at=long_ago)
        change(cards=hund, tag=grammar)
        changed = Card.objects.filter(updated_at__gt=long_ago)
        dated.append(sorted(changed.values_list("question_html", flat=True)))

    assert dated == [["Hund", "dog"]] * 2  # the note's two cards, and no other
