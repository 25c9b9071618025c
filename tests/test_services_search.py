"""Card search through the database's engine (FTS5 or PostgreSQL text search): what
matches, in what order, spelling suggestions, and an index that follows every write."""

import pytest
from django.db import connection

from quizzes import caching, search_schema
from quizzes.models import Card, Deck, Tag
from quizzes.services import search
from quizzes.services.anki_io import anki_import_apply
from quizzes.services.search import card_search, edit_distance, search_words

pytestmark = pytest.mark.django_db


def numbers(result: search.SearchResult) -> list[int]:
    by_id = dict(Card.objects.filter(pk__in=result.card_ids).values_list("pk", "number"))
    return [by_id[card_id] for card_id in result.card_ids]


def found(deck: Deck, query: str) -> list[int]:
    """The numbers of the cards a search finds now: the ORM writes below skip the services
    that tell the page cache the deck changed, so this does."""
    caching.deck_pages_changed()
    return numbers(card_search(deck=deck, query=query))


def card(deck: Deck, number: int, question: str, answer: str = "An answer.") -> Card:
    return Card.objects.create(
        deck=deck,
        number=number,
        question_html=f"<p>{question}</p>",
        answer_html=f"<p>{answer}</p>",
        question_text=question,
        answer_text=answer,
    )


@pytest.fixture
def small_deck(db):
    return Deck.objects.create(name="Small", slug="small")


def test_a_tag_name_matches_every_card_tagged_with_it(fastai_deck):
    tagged = set(fastai_deck.cards.filter(tags__slug="pytorch").values_list("pk", flat=True))

    result = card_search(deck=fastai_deck, query="pytorch")

    assert len(tagged) == 11
    assert tagged <= set(result.card_ids)


@pytest.mark.parametrize(("typo", "word"), [("sofmax", "softmax"), ("pytroch", "pytorch")])
def test_a_misspelt_word_is_searched_as_the_nearest_word_the_cards_use(fastai_deck, typo, word):
    result = card_search(deck=fastai_deck, query=typo)

    assert result.suggested
    assert result.words == (word,)
    assert result.card_ids == card_search(deck=fastai_deck, query=word).card_ids
    assert result.card_ids


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("pytroch tensr", ("pytorch", "tensor")),
        ("tensr pytorch", ("tensor", "pytorch")),
        # No card says softmax and a word in "lo": the word that keeps the misspelt one
        # from finding anything is left out, and the page says what was searched.
        ("sofmax lo", ("softmax",)),
        ("lo sofmax", ("softmax",)),
    ],
)
def test_a_misspelt_word_among_others_is_searched_as_the_nearest_word(fastai_deck, query, words):
    result = card_search(deck=fastai_deck, query=query)

    assert result.suggested
    assert result.words == words
    assert result.card_ids == card_search(deck=fastai_deck, query=" ".join(words)).card_ids
    assert result.card_ids


def test_a_word_near_no_word_of_the_cards_leaves_the_others_unreplaced(fastai_deck):
    result = card_search(deck=fastai_deck, query="sofmax zzyzx")

    assert result == search.SearchResult(
        card_ids=(), more=False, words=("sofmax", "zzyzx"), suggested=False
    )


def test_words_spelt_right_that_no_card_has_together_are_not_replaced(fastai_deck):
    result = card_search(deck=fastai_deck, query="softmax loss")

    assert result == search.SearchResult(
        card_ids=(), more=False, words=("softmax", "loss"), suggested=False
    )


def test_a_spelling_suggestion_runs_the_same_queries_for_any_number_of_words(
    fastai_deck, django_assert_max_num_queries
):
    # The search, which words match, the candidates for every misspelt word, which sets of
    # suggested words match, the search with the best of them: five queries at most.
    for query in ("sofmax", "sofmax lo", "pytroch tensr gradiant convolutoin sofmax lo"):
        caching.deck_pages_changed()
        with django_assert_max_num_queries(5):
            card_search(deck=fastai_deck, query=query)


def test_a_word_that_matches_is_never_replaced(fastai_deck):
    result = card_search(deck=fastai_deck, query="soft")

    assert not result.suggested
    assert result.words == ("soft",)


def test_a_word_far_from_every_word_finds_nothing(fastai_deck):
    result = card_search(deck=fastai_deck, query="zzyzx")

    assert result == search.SearchResult(card_ids=(), more=False, words=("zzyzx",), suggested=False)


def test_words_are_found_inside_code_and_identifiers(small_deck):
    card(small_deck, 1, "What does F.softmax(x, dim=-1) return?")
    card(small_deck, 2, "Why set requires_grad on a tensor?")
    card(small_deck, 3, "What is nn.Linear?")

    assert numbers(card_search(deck=small_deck, query="softmax")) == [1]
    assert numbers(card_search(deck=small_deck, query="grad")) == [2]
    assert numbers(card_search(deck=small_deck, query="requires_grad")) == [2]
    assert numbers(card_search(deck=small_deck, query="linear")) == [3]
    assert numbers(card_search(deck=small_deck, query="nn.Linear")) == [3]


def test_question_matches_come_before_answer_matches_then_card_numbers(small_deck):
    card(small_deck, 1, "Something else", "Dropout zeroes activations.")
    card(small_deck, 2, "What is dropout?")
    card(small_deck, 3, "Why use dropout?")

    assert numbers(card_search(deck=small_deck, query="dropout")) == [2, 3, 1]


def test_only_the_decks_own_cards_match(small_deck):
    other = Deck.objects.create(name="Other", slug="other")
    card(small_deck, 1, "What is attention?")
    card(other, 1, "What is attention?")

    result = card_search(deck=small_deck, query="attention")

    assert Card.objects.get(pk__in=result.card_ids).deck == small_deck


def test_a_tag_filter_keeps_the_tagged_matches(small_deck):
    vision = Tag.objects.create(name="vision", slug="vision")
    card(small_deck, 1, "Convolution?").tags.add(vision)
    card(small_deck, 2, "Convolution again?")

    assert numbers(card_search(deck=small_deck, query="convolution", tag=vision)) == [1]


def test_past_the_limit_the_result_says_there_are_more(small_deck, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    for number in range(1, 6):
        card(small_deck, number, f"Question {number}")

    result = card_search(deck=small_deck, query="question")

    assert len(result.card_ids) == 3
    assert result.more


def test_a_word_is_found_in_its_other_english_forms(small_deck):
    card(small_deck, 1, "Why make sure your model can overfit first?")
    card(small_deck, 2, "What does the learning rate finder plot?")
    card(small_deck, 3, "Which query does the attention layer compare?")
    card(small_deck, 4, "How do we scale each batch?", "Normalize it.")
    card(small_deck, 5, "What rates a learning curve?")

    assert found(small_deck, "overfitting") == [1]
    assert sorted(found(small_deck, "learning rates")) == [2, 5]
    assert found(small_deck, "queries") == [3]
    assert found(small_deck, "scaling batches") == [4]
    assert found(small_deck, "normalization") == [4]
    # A word still found as typed, letter by letter.
    assert found(small_deck, "overf") == [1]


@pytest.mark.parametrize(
    ("word", "prefix"),
    [
        ("overfitting", "overfit"),
        ("stopped", "stop"),
        ("learning", "learn"),
        ("rates", "rate"),
        ("batches", "batch"),
        ("losses", "loss"),
        ("probabilities", "probabilit"),
        ("normalization", "normaliz"),
        ("activations", "activ"),
        # Words too short for their ending, or whose "s" is their own, are searched as typed.
        ("string", "string"),
        ("running", "running"),
        ("series", "series"),
        ("loss", "loss"),
        ("focus", "focus"),
        ("axis", "axis"),
        ("its", "its"),
        ("need", "need"),
        ("rotation", "rotation"),
        ("softmax", "softmax"),
    ],
)
def test_a_word_is_searched_without_its_english_ending(word, prefix):
    assert search.search_prefix(word) == prefix


def test_search_words_are_lowercased_letters_and_digits_without_repeats():
    assert search_words("Soft-Max soft_max  SOFT x2 !!") == ["soft", "max", "x2"]
    assert search_words("%_* \" ' NEAR(") == ["near"]
    assert len(search_words(" ".join(f"w{n}" for n in range(50)))) == search.MAX_SEARCH_WORDS


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("sofmax", "softmax", 1), ("pytroch", "pytorch", 1), ("kitten", "sitting", 3)],
)
def test_edit_distance_counts_swaps_of_neighbours_as_one(a, b, distance):
    assert edit_distance(a, b, limit=5) == distance
    assert edit_distance(a, b, limit=distance - 1) == distance


# --- the index follows every write ---


def test_a_new_edited_or_deleted_card_is_found_or_not_at_once(small_deck):
    added = card(small_deck, 1, "What is a transformer?")
    assert found(small_deck, "transformer") == [1]

    added.question_text = "What is a convolution?"
    added.save()
    assert found(small_deck, "transformer") == []
    assert found(small_deck, "convolution") == [1]

    added.delete()
    assert found(small_deck, "convolution") == []


def test_tags_added_removed_and_renamed_are_found_at_once(small_deck):
    tag = Tag.objects.create(name="optimizers", slug="optimizers")
    first = card(small_deck, 1, "What is Adam?")

    first.tags.add(tag)
    assert found(small_deck, "optimizers") == [1]

    tag.name = "training"
    tag.save()
    assert found(small_deck, "optimizers") == []
    assert found(small_deck, "training") == [1]

    first.tags.remove(tag)
    assert found(small_deck, "training") == []


def test_cards_written_in_bulk_by_an_anki_import_are_found(small_deck):
    data = (
        "#separator:tab\n#html:true\n#tags column:3\n"
        "What is a tensor?\tAn array with any number of axes.\tbasics\n"
        "What is SGD?\tStochastic gradient descent.\ttraining optim\n"
    )

    anki_import_apply(deck=small_deck, data=data, source="deck.txt")

    assert len(card_search(deck=small_deck, query="stochastic").card_ids) == 1
    assert len(card_search(deck=small_deck, query="optim").card_ids) == 1
    assert len(card_search(deck=small_deck, query="basics tensor").card_ids) == 1
    if connection.vendor == "sqlite":
        # The import indexed its cards' tags once per batch; the tag trigger is back for
        # every later write.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid, tags FROM {search_schema.SQLITE_TABLE} ORDER BY tags")
            assert [tags for _, tags in cursor.fetchall()] == ["basics", "optim training"]
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["quizzes_card_search_tag_added"],
            )
            assert cursor.fetchone() == (1,)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite rebuilds tables")
def test_a_table_rebuild_that_drops_the_triggers_is_repaired_after_migrate(small_deck):
    first = card(small_deck, 1, "What is a transformer?")
    with connection.cursor() as cursor:
        for name in search_schema.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    Card.objects.filter(pk=first.pk).update(question_text="What is a convolution?")

    assert search_schema.ensure(connection)
    assert found(small_deck, "convolution") == [1]
    assert not search_schema.ensure(connection)
    card(small_deck, 2, "What is attention?")
    assert found(small_deck, "attention") == [2]


def test_a_search_runs_the_same_queries_for_any_deck_size(
    make_deck, django_assert_num_queries, cache
):
    small, large = make_deck(10, slug="small"), make_deck(2000, slug="large")

    for deck in (small, large):
        with django_assert_num_queries(1):
            card_search(deck=deck, query="question tensor1")
    with django_assert_num_queries(0):
        card_search(deck=large, query="question tensor1")


def test_the_search_query_reads_the_index_not_the_cards(make_deck):
    deck = make_deck(500, slug="large")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"EXPLAIN QUERY PLAN SELECT c.id FROM {search_schema.SQLITE_TABLE} s "
                "CROSS JOIN quizzes_card c ON c.id = s.rowid "
                f"WHERE {search_schema.SQLITE_TABLE} MATCH %s AND c.deck_id = %s",
                ['"tensor1"*', deck.pk],
            )
            plan = " / ".join(row[-1] for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan
            assert "USING INTEGER PRIMARY KEY" in plan
        else:
            # Whether the planner prefers the index depends on the table's size; that it
            # can use it is what this checks.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT id FROM quizzes_card "
                "WHERE search_document @@ to_tsquery('simple', 'tensor1:*')"
            )
            plan = " / ".join(row[0] for row in cursor.fetchall())
            assert "quizzes_card_search_document" in plan


def test_words_a_learner_sees_only_in_an_image_are_found(fastai_deck):
    # Card 70's answer ends in an image (mixed_precision_training.png, not cached here):
    # its page shows "Image not cached (Screenshot: mixed precision training)".
    assert found(fastai_deck, "mixed precision") == [70]
    # The words the site adds around an image are not the card's.
    assert found(fastai_deck, "screenshot") == []


def test_an_images_alt_text_is_found_and_follows_an_edit(small_deck):
    from quizzes.services.card_editing import card_content_from_form, card_store

    def store(card: Card, alt: str) -> None:
        answer = f'<p>See the plot.</p><img src="https://example.com/a1b2c3d4e5.png" alt="{alt}">'
        content = card_content_from_form(question_html="<p>What is shown?</p>", answer_html=answer)
        card_store(card=card, content=content)

    shown = Card(deck=small_deck, number=1)
    store(shown, "A confusion matrix")
    assert found(small_deck, "confusion matrix") == [1]

    store(shown, "A loss curve")
    assert found(small_deck, "confusion") == []
    assert found(small_deck, "loss curve") == [1]


def test_an_anki_imports_image_alt_text_is_found(small_deck):
    data = (
        "#separator:tab\n#html:true\n"
        'What is this?\tA kernel. <img src="https://example.com/k.png" alt="sliding window">\n'
    )

    anki_import_apply(deck=small_deck, data=data, source="deck.txt")

    assert found(small_deck, "sliding window") == [1]


def test_an_image_rendered_again_keeps_its_card_found(small_deck):
    from quizzes.services.card_pages import cards_rerender

    image = '<img src="https://example.com/k.png" alt="stride">'
    data = f"#separator:tab\n#html:true\nWhat?\tThis. {image}\n"
    anki_import_apply(deck=small_deck, data=data, source="deck.txt")
    Card.objects.filter(deck=small_deck).update(image_text="")  # as a card saved before 0045

    assert cards_rerender(Card.objects.filter(deck=small_deck)) == 1
    assert found(small_deck, "stride") == [1]


def test_the_admins_search_finds_a_card_by_its_images_text_too(fastai_deck):
    matching = search.cards_matching(cards=Card.objects.all(), query='"mixed precision"')

    assert list(matching.values_list("number", flat=True)) == [70]
