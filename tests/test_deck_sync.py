"""`sync_decks` (run by `make run` and `make serve` at every start) loads the deck fixtures
without losing what staff changed here; `reset_deck` is the explicit way back."""

import json
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quizzes.importing.fixtures import read_deck_fixture
from quizzes.models import CachedImage, Card, CardImage, Deck, Tag
from quizzes.services.deck_sync import deck_sync


def sync(*names) -> str:
    out = StringIO()
    call_command("sync_decks", *names, stdout=out)
    return out.getvalue()


@pytest.fixture
def synced(db):
    sync()
    return Deck.objects.get(slug="fastai")


def counts():
    return [Model.objects.count() for Model in (Deck, Card, Tag, CachedImage, CardImage)]


def test_it_loads_79_cards_and_39_image_references(synced):
    numbers = list(Card.objects.filter(deck=synced).values_list("number", flat=True))
    assert numbers == list(range(1, 80))
    assert CardImage.objects.filter(side="question").count() == 24
    assert CardImage.objects.filter(side="answer").count() == 15
    assert CachedImage.objects.count() == CardImage.objects.values("image").distinct().count()


def test_cards_come_with_their_page_ready_html(synced):
    card = Card.objects.get(number=78)  # its answer is only an image, not cached yet
    assert "Image not cached" in card.answer_rendered
    assert Card.objects.filter(question_rendered="").count() == 0


def test_a_second_sync_changes_nothing_and_says_so(synced, django_assert_max_num_queries):
    before = counts()
    # One more than the sync's own: the decks synced, read to ask the worker to choose
    # their cards' wrong answers (which it finds done already).
    with django_assert_max_num_queries(4):
        output = sync()
    assert counts() == before
    assert "0 added, 0 updated, 79 unchanged" in output


def test_it_keeps_the_local_image_cache_and_card_ids(synced):
    image = CachedImage.objects.first()
    CachedImage.objects.filter(pk=image.pk).update(
        status=CachedImage.Status.CACHED, file="images/ab/cached.png", width=10, height=20
    )
    card_ids = set(Card.objects.values_list("pk", flat=True))
    Deck.objects.update(synced_cards={})  # as if the fixture had changed

    sync()

    image.refresh_from_db()
    assert (image.status, image.file.name, image.width) == ("cached", "images/ab/cached.png", 10)
    assert set(Card.objects.values_list("pk", flat=True)) == card_ids


def test_an_edit_made_here_survives_a_restart(synced):
    card = Card.objects.get(number=1)
    card.question_html = "<p>Edited by staff</p>"
    card.save()

    sync()

    card.refresh_from_db()
    assert card.question_html == "<p>Edited by staff</p>"


def fixture_with(changes: dict[int, str], *, side: str = "question"):
    """The fastai fixture with the questions (or answers) of some cards changed, as a new
    source build would give it."""
    path = Path(settings.FIXTURE_DIRS[0]) / "fastai.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    for row in rows:
        fields = row["fields"]
        if row["model"] == "quizzes.card" and fields["number"] in changes:
            fields[f"{side}_html"] = f"<p>{changes[fields['number']]}</p>"
            fields[f"{side}_text"] = changes[fields["number"]]
    (fixture,) = read_deck_fixture(json.dumps(rows), source="fastai.json")
    return fixture


def test_a_newer_fixture_reaches_unedited_cards_and_reports_edited_ones(synced):
    edited = Card.objects.get(number=2)
    edited.answer_html = "<p>Staff's better answer</p>"
    edited.save()

    report = deck_sync(fixture=fixture_with({2: "New question 2", 3: "New question 3"}))

    assert Card.objects.get(number=3).question_html == "<p>New question 3</p>"
    assert Card.objects.get(number=3).question_rendered == "<p>New question 3</p>"
    edited.refresh_from_db()
    assert edited.answer_html == "<p>Staff's better answer</p>"
    assert edited.question_html != "<p>New question 2</p>"
    assert report.updated == [3]
    assert report.kept_edits == [2]
    assert report.details == ["card 2: edited here; the fixture's new version was not applied"]


def test_a_newer_answer_changes_the_choices_stored_words(synced):
    deck_sync(fixture=fixture_with({3: "Gradients, accumulated over batches."}, side="answer"))

    card = Card.objects.get(number=3)
    assert card.choice_text == "Gradients, accumulated over batches."
    assert (card.choice_words, card.choice_stems) == (
        "accumulated batches gradients",
        "accumulat batch gradient",
    )


def test_an_edited_card_the_fixture_did_not_change_is_not_reported(synced):
    Card.objects.filter(number=2).update(answer_html="<p>Staff's better answer</p>")

    report = deck_sync(fixture=fixture_with({3: "New question 3"}))

    assert report.kept_edits == []
    assert report.edited_here == 1
    assert Card.objects.get(number=2).answer_html == "<p>Staff's better answer</p>"


def test_a_card_deleted_here_is_not_added_back(synced):
    Card.objects.filter(number=5).delete()

    report = deck_sync(fixture=fixture_with({3: "New question 3"}))

    assert not Card.objects.filter(number=5).exists()
    assert report.kept_deleted == [5]


def test_tag_changes_made_here_count_as_edits(synced):
    card = Card.objects.get(number=4)
    card.tags.clear()

    deck_sync(fixture=fixture_with({4: "New question 4"}))

    assert card.tags.count() == 0
    assert Card.objects.get(number=4).question_html != "<p>New question 4</p>"


def test_reset_deck_overwrites_edits_and_restores_deleted_cards(synced):
    Card.objects.filter(number=1).update(question_html="<p>Edited by staff</p>")
    Card.objects.filter(number=5).delete()

    out = StringIO()
    call_command("reset_deck", "fastai", "--yes", stdout=out)

    assert Card.objects.get(number=1).question_html != "<p>Edited by staff</p>"
    assert Card.objects.filter(number=5).exists()
    assert "1 added, 1 updated" in out.getvalue()


def test_reset_deck_asks_first(synced, monkeypatch):
    Card.objects.filter(number=1).update(question_html="<p>Edited by staff</p>")
    monkeypatch.setattr("builtins.input", lambda prompt: "n")

    with pytest.raises(CommandError, match="nothing changed"):
        call_command("reset_deck", "fastai")

    assert Card.objects.get(number=1).question_html == "<p>Edited by staff</p>"


def test_a_missing_fixture_is_named(db):
    with pytest.raises(CommandError, match=r"nosuchdeck\.json"):
        sync("nosuchdeck")


def test_a_file_that_is_not_a_deck_fixture_is_refused_and_writes_nothing(db, tmp_path, settings):
    (tmp_path / "broken.json").write_text('[{"model": "quizzes.card"}]')
    settings.FIXTURE_DIRS = [tmp_path]

    with pytest.raises(CommandError, match=r"broken\.json: not a deck fixture"):
        sync()

    assert not Card.objects.exists()


# --- the curated multiple choice (fixtures/source/fastai_choices.toml) ---


def test_it_loads_the_curated_short_answers_and_wrong_answers(synced):
    card = Card.objects.get(deck=synced, number=39)
    assert card.short_answer_html == "Standard deviation"
    assert card.choice_text == "Standard deviation"
    assert "more sensitive to outliers" in card.answer_text  # still the whole answer
    assert [d.text for d in card.distractors.order_by("pk")] == [
        "Mean absolute deviation",
        "Both are equally sensitive to outliers",
        "Neither: both ignore outliers",
    ]
    assert Card.objects.get(deck=synced, number=52).distractors.count() == 3


def test_a_wrong_answer_staff_edited_is_kept_when_the_fixture_changes(synced):
    card = Card.objects.get(deck=synced, number=39)
    distractor = card.distractors.first()
    distractor.html = distractor.text = "Interquartile range"
    distractor.save()
    path = Path(settings.FIXTURE_DIRS[0]) / "fastai.json"
    (fixture,) = read_deck_fixture(path.read_text(encoding="utf-8"), source=path.name)
    newer = [
        replace(c, choice=replace(c.choice, distractors=("Variance",))) if c.number == 39 else c
        for c in fixture.cards
    ]

    report = deck_sync(fixture=replace(fixture, cards=tuple(newer)))

    assert report.kept_edits == [39]
    assert card.distractors.filter(text="Interquartile range").exists()
    assert not card.distractors.filter(text="Variance").exists()


def test_cards_without_curation_keep_the_checksums_they_had(synced):
    from quizzes.services.deck_sync import card_checksum

    card = Card.objects.get(deck=synced, number=3)
    old_style = card_checksum(
        question_html=card.question_html,
        answer_html=card.answer_html,
        source_url=card.source_url,
        tags=[tag.slug for tag in card.tags.all()],
    )
    assert synced.synced_cards["3"] == old_style


def test_a_newer_fixture_keeps_the_guid_a_card_went_to_anki_with(synced):
    # The sync blanked it, so a course's Anki, which knew the note by it (migration 0048
    # gave it one of its own), added the updated card as a new note.
    Card.objects.filter(number=3).update(guid="0123456789abcdef")

    deck_sync(fixture=fixture_with({3: "New question 3"}))

    card = Card.objects.get(number=3)
    assert (card.question_html, card.guid) == ("<p>New question 3</p>", "0123456789abcdef")


def test_a_card_known_by_its_source_link_keeps_its_guid_when_the_link_changes(synced):
    card = Card.objects.get(number=3)
    fixture = fixture_with({3: "New question 3"})
    moved = [
        replace(row, content=replace(row.content, source_url=f"{row.content.source_url}?moved"))
        if row.number == 3
        else row
        for row in fixture.cards
    ]

    deck_sync(fixture=replace(fixture, cards=tuple(moved)))

    updated = Card.objects.get(number=3)
    assert updated.source_url.endswith("?moved")
    assert updated.anki_guid == card.anki_guid
