"""Migration 0034 removes the sounds an import stored that no browser plays (a deck's
`[sound:page.html]` was served from /media/ as a page on the site's origin), their files
too, and the cards that showed a player for one show the "audio not available" mark, as
rendering them again would; a playable sound and its player stay."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from quizzes.models import Card, MediaFile
from quizzes.services.card_pages import card_render

pytestmark = pytest.mark.django_db

migration = importlib.import_module("quizzes.migrations.0034_unplayable_sounds_removed")


def stored_sound(name: str, data: bytes, path: str) -> MediaFile:
    """A sound as an import before the fix stored it: its file, then its row."""
    return MediaFile.objects.create(
        name=name, file=default_storage.save(path, ContentFile(data)), byte_size=len(data)
    )


def rendered_card(deck, number: int, question: str, answer: str) -> Card:
    card = Card.objects.create(
        deck=deck, number=1000 + number, question_html=question, answer_html=answer
    )
    card_render(card, {})
    card.save()
    return card


def test_unplayable_sounds_go_with_their_files_and_their_players(deck, media_root):
    page = stored_sound("page.html", b"<script>alert(1)</script>", "sounds/aa/page.html")
    script = stored_sound("tune.js", b"alert(2)", "sounds/bb/tune.js")
    word = stored_sound("word.mp3", b"ID3 fake mp3", "sounds/cc/word.mp3")
    card = rendered_card(
        deck, 1, "Listen [sound:page.html]", "[sound:word.mp3] and [sound:tune.js]"
    )
    assert card.question_rendered.count("<audio") == 1 and card.answer_rendered.count("<audio") == 2

    migration.unplayable_sounds_remove(apps, None)

    assert list(MediaFile.objects.values_list("name", flat=True)) == ["word.mp3"]
    assert not default_storage.exists(page.file.name)
    assert not default_storage.exists(script.file.name)
    assert default_storage.exists(word.file.name)
    card.refresh_from_db()
    assert "audio not available (page.html)" in card.question_rendered
    assert "<audio" not in card.question_rendered
    assert card.answer_rendered.count("<audio") == 1  # word.mp3's
    assert "audio not available (tune.js)" in card.answer_rendered
    # As rendering the card again now gives.
    shown = card.question_rendered, card.answer_rendered
    card_render(card, {})
    assert (card.question_rendered, card.answer_rendered) == shown


def test_a_file_two_unplayable_names_shared_goes_once_and_playable_ones_stay(deck, media_root):
    stored_sound("a.html", b"<p>same</p>", "sounds/dd/same.html")
    MediaFile.objects.create(name="b.html", file="sounds/dd/same.html", byte_size=11)
    stored_sound("clip.webm", b"webm bytes", "sounds/ee/clip.webm")

    migration.unplayable_sounds_remove(apps, None)

    assert list(MediaFile.objects.values_list("name", flat=True)) == ["clip.webm"]
    assert not default_storage.exists("sounds/dd/same.html")
    assert default_storage.exists("sounds/ee/clip.webm")
