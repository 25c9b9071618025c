import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes import engine
from quizzes.models import Attempt, CachedImage, Card, CardImage, Deck
from quizzes.services.card_pages import cards_rerender
from quizzes.templatetags.quiz_format import unbroken_units
from tests.factories import give_typed_answers

pytestmark = pytest.mark.django_db

URL = reverse("quiz_setup")
ANGLE = "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"


@pytest.fixture
def deck(make_deck):
    return make_deck(12, tags=("cnn", "rnn"))


def valid(chosen_deck, /, **changes):
    data = {
        "deck": chosen_deck.pk,
        "question_count": 5,
        "mode": "multiple_choice",
        "time_limit_kind": "per_question",
        "seconds_per_question": 15,
        "quiz_minutes": "",
    }
    return {**data, **changes}


def test_it_shows_the_form_and_what_the_deck_offers(client, deck):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Number of questions" in response.text
    assert "Multiple choice:</strong> 12 cards available" in response.text


def test_it_says_when_the_pool_is_cut(client, deck):
    card = deck.cards.get(number=1)
    image = CachedImage.objects.create(url="https://aiquizzes.com/a.png")
    CardImage.objects.create(card=card, image=image, side="question", position=0)
    card.question_html = f'<img src="{image.url}"> What does it show?'
    card.save()
    cards_rerender(Card.objects.filter(pk=card.pk))
    response = client.get(URL)
    assert "11 cards available; 1 card left out: its question needs a picture" in response.text


def test_it_starts_a_quiz_with_the_chosen_settings(client, alice, deck):
    client.force_login(alice)

    response = client.post(URL, valid(deck))

    attempt = Attempt.objects.get()
    assert response["Location"] == reverse("attempt_play", args=[attempt.pk])
    assert (attempt.question_count, attempt.mode) == (5, "multiple_choice")
    assert (attempt.time_limit_kind, attempt.time_limit_seconds) == ("per_question", 15)
    assert not attempt.is_quick


def test_a_whole_quiz_limit_is_set_in_minutes(client, alice, deck):
    client.force_login(alice)
    client.post(URL, valid(deck, time_limit_kind="whole_quiz", quiz_minutes=3))
    attempt = Attempt.objects.get()
    assert (attempt.time_limit_kind, attempt.time_limit_seconds) == ("whole_quiz", 180)
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=3)


def test_an_untimed_flashcard_quiz(client, alice, deck):
    client.force_login(alice)
    client.post(URL, valid(deck, mode="flashcard", time_limit_kind="none", seconds_per_question=""))
    attempt = Attempt.objects.get()
    assert (attempt.mode, attempt.time_limit_kind, attempt.time_limit_seconds) == (
        "flashcard",
        "none",
        None,
    )


def test_tags_restrict_the_questions_and_the_count_is_capped(client, alice, deck):
    cnn = deck.cards.first().tags.get()
    client.force_login(alice)

    response = client.post(URL, valid(deck, tags=[cnn.pk], question_count=50), follow=True)

    attempt = Attempt.objects.get()
    assert attempt.question_count == 6
    assert "Only 6 cards fit these settings" in response.text
    assert set(attempt.questions.values_list("card__tags", flat=True)) == {cnn.pk}


def test_a_guest_can_start_a_quiz(client, deck):
    response = client.post(URL, valid(deck))
    assert client.get(response["Location"], follow=True).status_code == 200


def test_time_for_length_is_offered_beside_fixed_seconds_and_explained(client, alice, deck):
    page = client.get(URL)
    assert "Time for length" in page.text and "Fixed seconds per question" in page.text
    assert unbroken_units(engine.TIME_FOR_LENGTH_RULE) in page.text

    client.force_login(alice)
    client.post(URL, valid(deck, time_limit_kind="for_length"))

    attempt = Attempt.objects.get()
    assert (attempt.time_limit_kind, attempt.time_limit_seconds) == ("for_length", None)
    assert all(q.seconds_allowed for q in attempt.questions.all())


def test_the_deck_can_be_picked(client, deck, make_deck):
    make_deck(3, slug="tiny")
    page = client.get(URL, {"deck": "tiny"})
    assert "Multiple choice:</strong> 3 cards available" in page.text
    assert 'name="deck" value="' in page.text


def test_decks_named_by_ankis_path_are_grouped_by_their_top_branch(client, deck, make_deck):
    """Fifty "Languages::Spanish::Verbs" in one list ran together, their ends cut on a
    phone: the menu groups them under their top branch, each by the rest of its path."""
    for slug, name in [
        ("es-verbs", "Languages::Spanish::Verbs"),
        ("de-verbs", "Languages::German::Verbs"),
        ("languages", "Languages"),
        ("ecg", "Medicine::Cardiology::ECG <b>"),
    ]:
        Deck.objects.filter(pk=make_deck(2, slug=slug).pk).update(name=name)

    html = client.get(URL).text
    assert "{#" not in html  # the menu's template comment, shown as text once
    menu = html[html.index('<select name="deck"') : html.index("</select>")]

    plain = menu[: menu.index("<optgroup")]
    assert "Synthetic synthetic (12 cards)" in plain
    assert menu.count("<optgroup") == 2
    languages = menu[menu.index('<optgroup label="Languages">') : menu.index("</optgroup>")]
    names = re.findall(r">([^<]+) \(\d+ cards\)</option>", languages)
    assert names == ["Languages", f"German {ANGLE} Verbs", f"Spanish {ANGLE} Verbs"]
    assert '<optgroup label="Medicine">' in menu
    assert f"Cardiology {ANGLE} ECG &lt;b&gt; (2 cards)" in menu


def test_decks_named_alike_are_named_apart_and_their_branch_is_one_group(client, make_deck):
    # "Biology" and "biology::Cell" were two groups, and two "Biology" read the same.
    for slug, name in [("bio-a", "Biology"), ("bio-b", "biology"), ("cell", "biology::Cell")]:
        make_deck(2, slug=slug, name=name)
    soup = BeautifulSoup(client.get(URL, {"deck": "bio-b"}).text, "html.parser")
    groups = [
        (group["label"], [option.get_text() for option in group.select("option")])
        for group in soup.select("#deck-picker optgroup")
    ]
    assert groups == [("Biology", ["Biology (bio-a) (2 cards)", "Cell (2 cards)"])]
    # The second of the name is on its own, as the tree has Cell below the first alone.
    plain = soup.select("#deck-picker > option")
    assert [option.get_text() for option in plain] == ["biology (bio-b) (2 cards)"]


@pytest.mark.parametrize(
    "changes",
    [
        {"question_count": 0},
        {"question_count": 10**20},
        {"question_count": "ten"},
        {"deck": 999999},
        {"deck": "abc"},
        {"mode": "essay"},
        {"time_limit_kind": "forever"},
        {"time_limit_kind": "per_question", "seconds_per_question": ""},
        {"time_limit_kind": "per_question", "seconds_per_question": 10**12},
        {"time_limit_kind": "whole_quiz", "quiz_minutes": ""},
        {"tags": ["abc"]},
        {"tags": ["999999999999999999999999999999"]},
        {"tags": ["-999999999999999999999999999999"]},
        {"deck": "999999999999999999999999999999"},
    ],
)
def test_invalid_settings_rerender_the_form_with_200(client, deck, changes):
    response = client.post(URL, valid(deck, **changes))
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not Attempt.objects.exists()


def test_a_deck_with_nothing_to_ask_says_so(client, deck, make_deck):
    empty = make_deck(0, slug="empty")
    response = client.post(URL, valid(empty))
    assert response.status_code == 200
    assert "No card of this deck can be asked" in response.text


def test_without_a_deck_it_says_so(client):
    assert "No deck is loaded yet" in client.get(URL).text


def test_it_rejects_put(client):
    assert client.put(URL).status_code == 405


def test_it_answers_head_as_get(client, deck):
    assert client.head(URL).status_code == 200


def test_each_time_field_says_which_limit_it_belongs_to(client, deck):
    response = client.get(URL)
    assert 'data-time-limit="per_question"' in response.text
    assert 'data-time-limit="whole_quiz"' in response.text
    assert "<script>" not in response.text
    assert " style=" not in response.text


def test_the_smart_choice_is_described_by_its_help_text(client, alice, deck):
    client.force_login(alice)
    soup = BeautifulSoup(client.get(URL).text, "html.parser")
    described = soup.find(id=soup.select_one("input[name=smart]")["aria-describedby"])
    assert described is not None and "hint" in described["class"]


def test_the_number_of_questions_is_described_by_its_hint_and_its_error(client, deck):
    soup = BeautifulSoup(client.get(URL).text, "html.parser")
    field = soup.select_one("input[name=question_count]")
    hint = soup.find(id=field["aria-describedby"])
    assert hint.get_text() == "At most the number of cards available."
    assert "aria-invalid" not in field.attrs
    refused = client.post(URL, valid(deck, question_count=0))
    soup = BeautifulSoup(refused.text, "html.parser")
    field = soup.select_one("input[name=question_count]")
    assert field["aria-invalid"] == "true"
    described = [soup.find(id=name).get_text() for name in field["aria-describedby"].split()]
    assert described[0] == "At most the number of cards available."
    assert "greater than or equal to 1" in described[1]


def test_a_number_for_the_other_time_limit_is_ignored(client, alice, deck):
    client.force_login(alice)
    client.post(
        URL, valid(deck, time_limit_kind="whole_quiz", quiz_minutes=3, seconds_per_question=1)
    )
    attempt = Attempt.objects.get()
    assert (attempt.time_limit_kind, attempt.time_limit_seconds) == ("whole_quiz", 180)


def test_type_the_answer_is_offered_for_the_cards_with_an_answer_to_type(client, alice, deck):
    give_typed_answers(deck, {1: "ReLU", 2: "dropout", 3: "momentum"})
    page = client.get(URL)
    assert "Type the answer:</strong> 3 cards available" in page.text
    assert "9 cards left out: their answer is no typed answer, term or code" in page.text
    client.force_login(alice)

    response = client.post(URL, valid(deck, mode="typed", time_limit_kind="for_length"))

    attempt = Attempt.objects.get()
    assert response.status_code == 302
    assert (attempt.mode, attempt.question_count, attempt.is_quick) == ("typed", 3, False)
    questions = attempt.questions.order_by("card__number")
    assert [question.typed_expected for question in questions] == ["ReLU", "dropout", "momentum"]
    # Time for length: the question read, and its answer typed at 36 words a minute.
    assert all(question.choices == [] for question in questions)
    first = questions[0]
    words = engine.words_to_read(first.card.question_text) + engine.typing_words(len("ReLU"))
    assert first.reading_words == words
    assert first.seconds_allowed == engine.reading_allowance(words)


def test_type_the_answer_on_a_deck_without_answers_to_type_says_why(client, alice, deck):
    client.force_login(alice)

    response = client.post(URL, valid(deck, mode="typed"))

    assert response.status_code == 200
    assert "No card of this deck can be asked with these settings." in response.text
    assert not Attempt.objects.exists()
