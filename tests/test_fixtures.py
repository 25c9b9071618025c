"""The committed fixtures are a fresh build of the source."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from quizzes.importing.fixtures import build_deck_fixture, read_deck_sources

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


def test_curated_choices_are_sanitized_and_checked(tmp_path):
    from quizzes.importing.fixtures import DeckSourceError, read_choices_file

    path = tmp_path / "choices.toml"
    path.write_text(
        '[[card]]\nnumber = 3\nshort_answer = "<b onclick=x>Two</b>"\n'
        'distractors = ["<script>no</script>One", "Three"]\n',
        encoding="utf-8",
    )
    choices = read_choices_file(path)
    assert choices[3].short_answer_html == "<b>Two</b>"
    assert choices[3].distractors == ("One", "Three")

    path.write_text('[[card]]\nnumber = 3\ndistractors = ["<p> </p>"]\n', encoding="utf-8")
    with pytest.raises(DeckSourceError):
        read_choices_file(path)
