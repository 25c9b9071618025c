"""Every card made here gets the guid its exports go to Anki with, stored, and one of its
own where another card's had it.

A card without a stored guid went to Anki with one worked out from its text (or its
source link), so two cards of the same text in two decks (or of the same source link)
were one note to Anki, which merged them, and an edit here made a new note there. Each
now keeps the guid it had, which Anki knows it by, stored so that edits keep it; of cards
that shared one (the same guid and card number in two decks: not a note whose cards sit
in two decks) the oldest keeps it and each other one's note a new one. Only guids made
here change (sixteen hexadecimal digits, as note_guid and the admin make them): a note
Anki gave its guid keeps it. A card known by its source link keeps it blank, as imports
and the deck fixture keep it, when no other card had it."""

import hashlib
import re
import secrets

from django.db import migrations

BATCH = 2000
MADE_HERE = re.compile(r"[0-9a-f]{16}")


def _derived(source_url: str, question_html: str, answer_html: str) -> str:
    # quizzes.importing.cardhtml.note_guid as it is when this was written.
    identity = source_url or f"{question_html}\x1f{answer_html}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def guids_of_their_own(apps, schema_editor):
    Card = apps.get_model("quizzes", "Card")
    # Each note (its deck and guid; a card without a stored guid a note of its own) with
    # its cards' ids and numbers, the oldest first.
    notes: dict[tuple, list[tuple[int, int]]] = {}
    blank: dict[int, tuple[str, bool]] = {}  # card id -> the guid it went out with, has a link
    stored = Card.objects.exclude(guid="").order_by("pk")
    for pk, deck_id, guid, ord_ in stored.values_list("pk", "deck_id", "guid", "card_ord"):
        notes.setdefault((deck_id, guid), []).append((pk, ord_))
    last = 0
    without = Card.objects.filter(guid="").order_by("pk")
    fields = ("pk", "deck_id", "card_ord", "source_url", "question_html", "answer_html")
    while batch := list(without.filter(pk__gt=last).values_list(*fields)[:BATCH]):
        last = batch[-1][0]
        for pk, deck_id, ord_, source_url, question_html, answer_html in batch:
            guid = _derived(source_url, question_html, answer_html)
            blank[pk] = (guid, bool(source_url))
            notes[(deck_id, guid, pk)] = [(pk, ord_)]
    claimed: dict[str, set[int]] = {}
    new_guid: dict[int, str] = {}
    for key, cards in sorted(notes.items(), key=lambda item: min(item[1])):
        guid, ords = key[1], {ord_ for _, ord_ in cards}
        if ords & claimed.setdefault(guid, set()) and MADE_HERE.fullmatch(guid):
            fresh = secrets.token_hex(8)
            new_guid.update((pk, fresh) for pk, _ in cards)
            continue
        claimed[guid] |= ords
        for pk, _ in cards:
            if pk in blank and not blank[pk][1]:
                new_guid[pk] = guid  # the guid it went out with, kept through edits
    pks = sorted(new_guid)
    for start in range(0, len(pks), BATCH):
        cards = [Card(pk=pk, guid=new_guid[pk]) for pk in pks[start : start + BATCH]]
        Card.objects.bulk_update(cards, ["guid"])


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0047_dashed_list_choices"),
    ]

    operations = [
        migrations.RunPython(guids_of_their_own, migrations.RunPython.noop),
    ]
