import pytest

from quizzes.importing.cardhtml import MAX_CLOZE_CARDS, CardHtmlError
from quizzes.models import CachedImage
from quizzes.services.card_editing import (
    card_content_from_form,
    card_preview,
    card_save_from_admin,
)

pytestmark = pytest.mark.django_db

IMAGE = "https://aiquizzes.com/gcp_images/a.png"
OTHER_IMAGE = "https://aiquizzes.com/gcp_images/b.png"


@pytest.fixture
def deck(make_deck):
    return make_deck(4)


@pytest.fixture
def card(deck):
    return deck.cards.get(number=1)


def normalize(question_html, answer_html):
    content = card_content_from_form(question_html=question_html, answer_html=answer_html)
    return content.question_html, content.answer_html


def save(card):
    """Save `card` as the admin does: its form makes the content of the HTML typed."""
    content = card_content_from_form(question_html=card.question_html, answer_html=card.answer_html)
    return card_save_from_admin(card=card, content=content)


def test_normalizing_sanitizes_and_trims():
    question, answer = normalize(
        question_html="<p>Q</p><script>x()</script><br><br>",
        answer_html='\r\n<a href="javascript:alert(1)">A</a>\r\n',
    )

    assert question == "<p>Q</p>"
    assert answer == '<a rel="noopener noreferrer nofollow">A</a>'


def test_normalizing_keeps_a_link_that_ends_the_answer():
    _, answer = normalize(
        question_html="Q",
        answer_html="See <a href='https://aiquizzes.com/questions/5'>view answer on aiquizzes</a>",
    )

    assert "questions/5" in answer


def test_normalizing_refuses_an_empty_side():
    with pytest.raises(CardHtmlError, match="empty answer"):
        normalize(question_html="Q", answer_html="<p> </p>")


def test_normalizing_is_idempotent():
    once = normalize("<p>a<p>b", "<ul><li>x</ul>tail")

    assert normalize(*once) == once


def test_saving_recomputes_text_and_images(card):
    card.question_html = f'<p>Look:</p><img src="{IMAGE}"><img src="{OTHER_IMAGE}">'
    card.answer_html = f'<p>It is <img src="{IMAGE}"></p>'

    save(card)

    card.refresh_from_db()
    assert card.question_text == "Look:"
    places = list(card.card_images.values_list("side", "position", "image__url"))
    assert places == [("answer", 0, IMAGE), ("question", 0, IMAGE), ("question", 1, OTHER_IMAGE)]
    assert CachedImage.objects.count() == 2


def test_saving_again_keeps_rows_whose_image_did_not_move(card):
    card.question_html = f'<img src="{IMAGE}"><img src="{OTHER_IMAGE}">'
    save(card)
    first = card.card_images.get(position=0).pk

    card.question_html = f'<img src="{IMAGE}">'
    save(card)

    assert list(card.card_images.values_list("pk", flat=True)) == [first]


def test_saving_keeps_an_existing_image_cached(card):
    CachedImage.objects.create(url=IMAGE, status="cached")
    card.question_html = f'<img src="{IMAGE}">'

    save(card)

    assert CachedImage.objects.get(url=IMAGE).status == "cached"


def test_a_card_without_source_gets_a_stable_guid(card):
    save(card)
    guid = card.guid

    card.answer_html = "<p>Changed.</p>"
    save(card)

    assert guid
    assert card.guid == guid
    assert card.anki_guid == guid


def test_a_card_with_a_source_link_needs_no_stored_guid(card):
    card.source_url = "https://aiquizzes.com/questions/1"

    save(card)

    assert card.guid == ""
    assert len(card.anki_guid) == 16


def test_the_preview_of_a_side_saving_refuses_shows_its_spoken_words_as_a_saved_card_does():
    # It showed the raw `[anki:tts lang=de_DE]` directive, which a saved card never shows.
    preview = card_preview(
        question_html="[anki:tts lang=de_DE]der Hund[/anki:tts]", answer_html="<p> </p>"
    )

    (card,) = preview.cards
    assert "anki:tts" not in card.question and "der Hund" in card.question
    assert preview.problem == "empty answer (only markup, spaces or invisible characters)"


def test_the_preview_falls_back_to_sanitizing_an_empty_side():
    preview = card_preview(question_html="", answer_html="<script>x</script>A")

    (card,) = preview.cards
    assert (card.question, card.answer) == ("", "A")
    assert preview.problem == "empty question"


def test_the_preview_of_an_empty_form_reports_no_problem():
    preview = card_preview(question_html="", answer_html=" ")

    assert preview.problem == ""


def test_the_preview_of_a_cloze_card_is_one_card_per_number():
    preview = card_preview(question_html="{{c2::b}} {{c1::a::hint}}", answer_html="", cloze=2)

    assert [(card.cloze, card.is_this_card) for card in preview.cards] == [(1, False), (2, True)]
    assert preview.cards[0].question == 'b <span class="cloze">[hint]</span>'
    assert preview.cards[1].answer == '<span class="cloze">b</span> a'
    assert preview.problem == ""


def test_the_preview_of_a_cloze_note_too_big_to_save_shows_its_own_card_alone():
    # Each of its cards shows the whole text: 1,500 of them took 4 s of a web worker.
    too_many = " ".join(f"w{n} {{{{c{n}::a{n}}}}}" for n in range(1, MAX_CLOZE_CARDS + 2))

    preview = card_preview(question_html=too_many, answer_html="", cloze=3)

    assert [(card.cloze, card.is_this_card) for card in preview.cards] == [(3, True)]
    assert preview.problem.startswith(f"{MAX_CLOZE_CARDS + 1:,} cloze numbers in one note")


def test_an_image_url_too_long_to_store_is_refused():
    long_url = "https://aiquizzes.com/" + "a" * 500 + ".png"

    with pytest.raises(CardHtmlError, match="longer than 500 characters"):
        normalize(question_html=f'<img src="{long_url}">', answer_html="A")
