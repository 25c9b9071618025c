"""The committed fixtures are a fresh build of the source, and load idempotently."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quizzes.importing.fixtures import build_deck_fixture, read_deck_sources
from quizzes.models import CachedImage, Card, CardImage, Deck

SOURCE_DIR = Path(settings.FIXTURE_DIRS[0]) / "source"
SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_5b047ce6bb528336.txt"


def test_the_project_keeps_a_byte_for_byte_copy_of_the_seed():
    if not SEED.exists():
        pytest.skip(f"{SEED} is not beside this checkout")
    assert (SOURCE_DIR / SEED.name).read_bytes() == SEED.read_bytes()


def test_the_committed_fixture_equals_a_fresh_build():
    for deck in read_deck_sources(SOURCE_DIR / "decks.toml"):
        committed = (SOURCE_DIR.parent / f"{deck.slug}.json").read_text(encoding="utf-8")
        assert committed == build_deck_fixture(deck, SOURCE_DIR)


def test_the_build_is_deterministic():
    (deck,) = read_deck_sources(SOURCE_DIR / "decks.toml")
    assert build_deck_fixture(deck, SOURCE_DIR) == build_deck_fixture(deck, SOURCE_DIR)


def test_build_fixtures_check_passes_on_the_committed_tree():
    out = StringIO()
    call_command("build_fixtures", "--check", stdout=out)
    assert "up to date" in out.getvalue()


def test_build_fixtures_names_the_file_and_line_of_a_bad_source(tmp_path, settings):
    source = tmp_path / "source"
    source.mkdir()
    (source / "decks.toml").write_text('[[deck]]\nslug = "x"\nname = "X"\nfile = "x.txt"\n')
    (source / "x.txt").write_text(
        "Q1?\tA1<br><br><a href='https://aiquizzes.com/questions/1'>view answer on aiquizzes</a>\n"
        "a line without a tab\n"
    )
    settings.FIXTURE_DIRS = [tmp_path]
    with pytest.raises(CommandError, match=r"x\.txt:2: "):
        call_command("build_fixtures")
    assert not (tmp_path / "x.json").exists()


@pytest.fixture
def fastai_deck(db):
    """Loaded exactly as `make run` loads it (conftest's fastai_deck bulk-creates the rows)."""
    call_command("loaddata", "fastai", verbosity=0)
    return Deck.objects.get(slug="fastai")


def test_it_loads_79_cards_and_39_image_references(fastai_deck):
    numbers = list(Card.objects.filter(deck=fastai_deck).values_list("number", flat=True))
    assert numbers == list(range(1, 80))
    assert CardImage.objects.filter(side="question").count() == 24
    assert CardImage.objects.filter(side="answer").count() == 15
    assert CachedImage.objects.count() == CardImage.objects.values("image").distinct().count()


def test_loading_twice_changes_no_counts(fastai_deck):
    before = [Model.objects.count() for Model in (Deck, Card, CachedImage, CardImage)]
    call_command("loaddata", "fastai", verbosity=0)
    assert [Model.objects.count() for Model in (Deck, Card, CachedImage, CardImage)] == before


def test_reloading_keeps_the_local_image_cache_and_card_ids(fastai_deck):
    image = CachedImage.objects.first()
    CachedImage.objects.filter(pk=image.pk).update(
        status=CachedImage.Status.CACHED, file="images/ab/cached.png", width=10, height=20
    )
    card_ids = set(Card.objects.values_list("pk", flat=True))
    call_command("loaddata", "fastai", verbosity=0)
    image.refresh_from_db()
    assert (image.status, image.file.name, image.width) == ("cached", "images/ab/cached.png", 10)
    assert set(Card.objects.values_list("pk", flat=True)) == card_ids


def test_reloading_restores_an_edited_card_from_the_source(fastai_deck):
    card = Card.objects.get(number=1)
    original = card.question_html
    card.question_html = "<p>edited</p>"
    card.save()
    call_command("loaddata", "fastai", verbosity=0)
    card.refresh_from_db()
    assert card.question_html == original
