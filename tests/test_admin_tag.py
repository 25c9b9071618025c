"""Staff rename tags in the admin; the deck fixture's next load still finds them."""

from dataclasses import replace
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.importing.fixtures import read_deck_fixture
from quizzes.models import Card, Tag
from quizzes.services.deck_sync import deck_sync
from tests.editing_helpers import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def fixture_with_a_new_card(tagged: str):
    """The deck fixture with one card more, number 80, a copy of its first card tagged
    `tagged`."""
    path = Path(settings.FIXTURE_DIRS[0]) / "fastai.json"
    (fixture,) = read_deck_fixture(path.read_text(encoding="utf-8"), source=path.name)
    first = fixture.cards[0]
    content = replace(first.content, number=80, question_html="<p>New in the fixture?</p>")
    new = replace(first, tags=(tagged,), content=content)
    return replace(fixture, cards=(*fixture.cards, new))


def test_a_fixture_tag_staff_gave_another_slug_is_found_by_its_name(staff_client):
    call_command("sync_decks", stdout=StringIO())
    tag = Tag.objects.get(slug="pytorch")
    url = reverse("admin:quizzes_tag_change", args=[tag.pk])
    staff_client.post(url, admin_form_data(staff_client.get(url), slug="torch"))

    report = deck_sync(fixture=fixture_with_a_new_card("pytorch"))

    assert report.added == [80]
    assert list(Tag.objects.filter(name="pytorch").values_list("slug", flat=True)) == ["torch"]
    assert Card.objects.get(number=80).tags.get() == tag


TAGS = reverse("admin:quizzes_tag_changelist")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def merge(client, *tags):
    return client.post(
        TAGS, {"action": "merge", "_selected_action": [tag.pk for tag in tags]}, follow=True
    )


def test_an_editor_merges_tags_into_the_one_on_most_cards(editor_client, client, make_deck):
    deck = make_deck(6, tags=("pytorch",))
    torch = Tag.objects.create(name="torch", slug="torch")
    deck.cards.get(number=1).tags.add(torch)
    # The learners' deck page, kept in the cache.
    assert "?tag=torch" in client.get(f"/decks/{deck.slug}/").text

    response = merge(editor_client, Tag.objects.get(name="pytorch"), torch)

    assert "Merged torch into pytorch" in response.text
    assert list(Tag.objects.values_list("name", flat=True)) == ["pytorch"]
    assert Card.objects.filter(tags__name="pytorch").count() == 6
    deck_page = client.get(f"/decks/{deck.slug}/").text
    assert "?tag=torch" not in deck_page and "?tag=pytorch" in deck_page


def test_a_merge_needs_two_tags(editor_client, make_deck):
    make_deck(2, tags=("pytorch",))

    response = merge(editor_client, Tag.objects.get())

    assert "Select two tags or more to merge." in response.text
    assert Tag.objects.count() == 1


@pytest.mark.parametrize(("taken", "typed"), [("pytorch", "PyTorch"), ("émigré", "ÉMIGRÉ")])
def test_a_tag_named_as_another_but_for_case_is_refused(editor_client, taken, typed):
    # Tags are one whatever their case, as in Anki and in imports: the admin made a second.
    Tag.objects.create(name=taken, slug="taken")
    add = reverse("admin:quizzes_tag_add")

    response = editor_client.post(add, {"name": typed, "slug": "typed"})

    assert response.status_code == 200
    assert (
        f"The tag {taken} exists: tags are one whatever their case, as in Anki (rename or "
        "merge that one instead)."
    ) in response.context["adminform"].form.errors["name"]
    assert Tag.objects.count() == 1


def test_a_tag_may_change_its_own_case(editor_client):
    tag = Tag.objects.create(name="pytorch", slug="pytorch")
    url = reverse("admin:quizzes_tag_change", args=[tag.pk])

    response = editor_client.post(url, admin_form_data(editor_client.get(url), name="PyTorch"))

    assert response.status_code == 302
    assert Tag.objects.get().name == "PyTorch"


def test_a_tag_renamed_dates_its_cards_changed_and_no_other(staff_client):
    # Their Anki notes carry the tag's name and go out dated by their cards' last change:
    # a rename here never reached a course's Anki that had the notes.
    call_command("sync_decks", stdout=StringIO())
    long_ago = timezone.now() - timedelta(days=30)
    Card.objects.update(updated_at=long_ago)
    tag = Tag.objects.get(slug="pytorch")
    url = reverse("admin:quizzes_tag_change", args=[tag.pk])

    staff_client.post(url, admin_form_data(staff_client.get(url), name="PyTorch-2"))

    dated = set(Card.objects.filter(updated_at__gt=long_ago).values_list("pk", flat=True))
    assert dated == set(tag.cards.values_list("pk", flat=True))
    assert dated
