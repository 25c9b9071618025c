"""Exporting cards as Anki plain text: the command, the admin actions, the round trip."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse

from quizzes.importing.anki import parse_anki
from quizzes.models import Card, Deck
from quizzes.services.anki_io import anki_import_apply, cards_export_anki
from tests.editing_helpers import admin_form_data

pytestmark = pytest.mark.django_db


def export_text(*args) -> str:
    out = io.StringIO()
    call_command("export_anki", *args, stdout=out)
    return out.getvalue()


def test_it_writes_anki_headers_and_one_line_per_card(fastai_deck):
    text = export_text("--deck", "fastai")

    lines = text.splitlines()
    assert lines[:3] == ["#separator:tab", "#html:true", "#notetype:Basic"]
    assert lines[3] == f"#deck:{fastai_deck.name}"
    assert len(parse_anki(text, source="export.txt")) == 79


def test_it_keeps_the_source_link_tags_and_a_guid(fastai_deck):
    records = parse_anki(export_text("--deck", "fastai"), source="export.txt")

    first = records[0]
    assert first.number == 1
    assert first.source_url == "https://aiquizzes.com/questions/1"
    assert first.tags == ("training",)
    assert len(first.guid) == 16


def test_it_writes_to_a_file(fastai_deck, tmp_path):
    target = tmp_path / "fastai.txt"

    out = io.StringIO()
    call_command("export_anki", "--deck", "fastai", "-o", str(target), stdout=out)

    assert "79 cards written" in out.getvalue()
    assert target.read_text(encoding="utf-8") == export_text("--deck", "fastai")


def test_an_unknown_deck_is_an_error(db):
    with pytest.raises(CommandError, match="no deck with the slug 'nope'"):
        export_text("--deck", "nope")


def test_the_real_deck_round_trips_without_a_change(fastai_deck, tmp_path):
    before = list(Card.objects.order_by("pk").values())
    target = tmp_path / "fastai.txt"
    call_command("export_anki", "--deck", "fastai", "-o", str(target))

    summary = call_command("import_anki", str(target), "--deck", "fastai")

    assert summary == "fastai: 0 new, 0 changed, 79 unchanged"
    assert list(Card.objects.order_by("pk").values()) == before


def test_a_card_edited_in_the_admin_round_trips(client, staff, make_deck):
    deck = make_deck(2)
    client.force_login(staff)
    card = deck.cards.get(number=1)
    url = reverse("admin:quizzes_card_change", args=[card.pk])
    typed = '<p>Line one</p>\r\n<ul>\r\n<li>a "quoted" item\twith a tab</li>\r\n</ul>'
    client.post(url, admin_form_data(client.get(url), answer_html=typed))

    text = cards_export_anki(cards=deck.cards.all()).text
    plan = anki_import_apply(deck=deck, data=text, source="export.txt")

    assert plan.summary == "0 new, 0 changed, 2 unchanged"


def test_an_export_imports_into_an_empty_deck_as_the_same_cards(make_deck, db):
    source = make_deck(3, tags=("training",))
    target = make_deck(0, slug="copy")

    anki_import_apply(
        deck=target, data=cards_export_anki(cards=source.cards.all()).text, source="x"
    )

    copied = target.cards.order_by("number")
    assert [card.question_html for card in copied] == [
        card.question_html for card in source.cards.order_by("number")
    ]
    assert all(card.tags.get().name == "training" for card in copied)


def test_the_card_action_downloads_the_selected_cards(client, staff, fastai_deck):
    client.force_login(staff)
    chosen = fastai_deck.cards.filter(number__in=[3, 5])

    response = client.post(
        reverse("admin:quizzes_card_changelist"),
        {"action": "export_anki", "_selected_action": [card.pk for card in chosen]},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cards.txt"'
    records = parse_anki(response.content, source="cards.txt")
    assert [record.number for record in records] == [3, 5]


def test_the_deck_action_downloads_the_deck(client, staff, fastai_deck):
    client.force_login(staff)

    response = client.post(
        reverse("admin:quizzes_deck_changelist"),
        {"action": "export_anki", "_selected_action": [fastai_deck.pk]},
    )

    assert response["Content-Disposition"] == 'attachment; filename="fastai.txt"'
    assert response.content.decode() == export_text("--deck", "fastai")


def test_the_deck_action_says_what_anki_makes_of_notes_of_cards_of_their_own(client, staff):
    deck = Deck.objects.create(name="Own", slug="own")
    own = "#notetype:Cards of their own (3)\n#guid column:7\nq1\ta1\tq2\ta2\tq3\ta3\tg1\n"
    anki_import_apply(deck=deck, data=own, source="own.txt")
    client.force_login(staff)

    response = client.post(
        reverse("admin:quizzes_deck_changelist"),
        {"action": "export_anki", "_selected_action": [deck.pk]},
    )

    assert deck.cards.count() == 3
    assert "Cards of their own (3)\n" in response.content.decode()
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "own.txt: 1 note of a note type of the user's own written as 'Cards of their own (n)' "
        "notes, a question and an answer per card: Anki imports them only into a collection "
        "that has that note type (import the deck's .apkg export first), and skips them "
        "elsewhere."
    ]
