"""The decks' tree the home page shows (services.decks.deck_tree): pure, no database."""

from types import SimpleNamespace

from quizzes.models import Deck
from quizzes.services.decks import (
    DECK_TREE_MAX_DEPTH,
    deck_menu,
    deck_path,
    deck_tree,
    study_scope_of_branch,
    tree_scopes,
)


def decks(*names_and_counts):
    """Decks as deck_summaries gives them, never saved."""
    made = []
    for pk, (name, count) in enumerate(names_and_counts, start=1):
        deck = Deck(pk=pk, name=name, slug=f"deck-{pk}")
        deck.card_count = count
        made.append(deck)
    return made


def menu(named):
    return deck_menu(named, tree_scopes(named).named_alike)


def outline(branches, depth=0):
    return [
        line
        for branch in branches
        for line in [
            (
                depth,
                branch.name,
                branch.deck.pk if branch.deck else None,
                branch.deck_count,
                branch.card_count,
            ),
            *outline(branch.branches, depth + 1),
        ]
    ]


def test_a_parent_gathers_its_subdecks_cards_as_ankis_tree_does():
    tree = deck_tree(
        decks(
            ("Medicine::Neurology", 5),
            ("Medicine::Cardiology::Drugs", 7),
            ("Medicine::Cardiology", 3),
            ("fastai", 79),
        )
    )
    assert outline(tree) == [
        (0, "fastai", 4, 1, 79),
        (0, "Medicine", None, 3, 15),
        (1, "Cardiology", 3, 2, 10),
        (2, "Drugs", 2, 1, 7),
        (1, "Neurology", 1, 1, 5),
    ]


def test_a_filter_keeps_the_matching_decks_and_the_branches_that_lead_to_them():
    tree = deck_tree(
        decks(("Medicine::Cardiology::Drugs", 7), ("Medicine::Neurology", 5), ("Spanish", 4)),
        matching="CARDIO",
    )
    assert outline(tree) == [
        (0, "Medicine", None, 1, 7),
        (1, "Cardiology", None, 1, 7),
        (2, "Drugs", 1, 1, 7),
    ]
    assert deck_tree(decks(("Spanish", 4)), matching="cardio") == []


def test_two_decks_of_one_name_are_two_branches_and_ids_stay_apart():
    tree = deck_tree(decks(("Verbs", 3), ("Verbs", 4)))
    assert [(branch.deck.pk, branch.card_count) for branch in tree] == [(1, 3), (2, 4)]
    assert tree[0].number != tree[1].number


def test_two_decks_of_one_name_side_by_side_are_named_with_their_slugs():
    tree = deck_tree(decks(("Biology", 3), ("Biology", 4), ("Biology::Cell", 1), ("Chem", 2)))
    assert [branch.label for branch in tree] == ["Biology (deck-1)", "Biology (deck-2)", "Chem"]
    assert [branch.label for branch in tree[0].branches] == ["Cell"]


def test_the_deck_menu_names_two_decks_of_one_name_with_their_slugs_and_loses_neither():
    groups = menu(decks(("Biology", 3), ("Biology", 4), ("Biology::Cell", 1), ("Chem", 2)))
    named = [(group.branch, [(deck.pk, name) for deck, name in group.decks]) for group in groups]
    assert named == [
        ("", [(2, "Biology (deck-2)"), (4, "Chem")]),
        ("Biology", [(1, "Biology (deck-1)"), (3, "Cell")]),
    ]


def test_the_deck_menu_groups_a_branch_whatever_its_names_case():
    # "Biology" and "biology::Cell" made two groups: the tree has them in one branch.
    groups = menu(decks(("Biology", 3), ("biology::Cell", 1), ("BIOLOGY::Genes", 2)))
    named = [(group.branch, [name for _deck, name in group.decks]) for group in groups]
    assert named == [("Biology", ["Biology", "Cell", "Genes"])]
    groups = menu(decks(("biology::Cell", 1), ("BIOLOGY::Genes", 2)))
    assert [group.branch for group in groups] == ["biology"]


def test_a_decks_study_is_itself_and_what_the_tree_puts_below_it_never_a_namesakes():
    scopes = tree_scopes(
        decks(("Biology", 1), ("Biology", 2), ("Biology::Cell", 3), ("Biology :: Cell", 4))
    )
    # The tree puts both Cells under the first Biology: the second has nothing below it.
    assert scopes.of_deck == {1: {1, 3, 4}, 2: {2}, 3: {3}, 4: {4}}
    assert scopes.of_branch == {("biology",): {1, 2, 3, 4}, ("biology", "cell"): {3, 4}}


def test_names_are_alike_whatever_their_case_as_anki_reads_them():
    """Anki keeps one deck of a name in any case: "biology" beside "Biology" would be taken
    for it, so both are named with their slugs, everywhere names are said, and a subdeck
    "BIOLOGY::Cell" goes below the first of them, as Anki would put it."""
    named = decks(("Biology", 3), ("biology", 4), ("BIOLOGY::Cell", 1), ("Chem", 2))
    tree = deck_tree(named)
    assert [branch.label for branch in tree] == ["Biology (deck-1)", "biology (deck-2)", "Chem"]
    assert [branch.label for branch in tree[0].branches] == ["Cell"]
    scopes = tree_scopes(named)
    assert scopes.named_alike == {1, 2}
    assert scopes.of_deck[1] == {1, 3} and scopes.of_deck[2] == {2}
    assert study_scope_of_branch("biology::CELL", scopes).deck_ids == {3}
    groups = menu(decks(("Biology", 3), ("BIOLOGY", 4), ("Chem", 2)))
    assert [name for _deck, name in groups[0].decks] == [
        "Biology (deck-1)",
        "BIOLOGY (deck-2)",
        "Chem",
    ]


def test_a_filtered_trees_rows_study_what_the_whole_trees_do():
    every = decks(("Medicine", 1), ("Medicine::Cardiology", 2), ("Medicine::Neurology", 3))
    scopes = tree_scopes(every)
    (medicine,) = deck_tree(every, matching="neuro")
    # Medicine shows no deck of its own here: its Study link is the branch's, all of it.
    assert medicine.deck is None
    assert scopes.of(medicine) == {1, 2, 3}
    assert scopes.of(medicine.branches[0]) == {3}


def test_empty_parts_are_dropped_and_deep_names_end_in_one_branch():
    assert deck_path("::A::::B::") == ["A", "B"]
    assert deck_path("::") == ["::"]
    deep = "::".join("abcdefghij")
    assert deck_path(deep) == ["a", "b", "c", "d", "e::f::g::h::i::j"]
    assert len(deck_path(deep)) == DECK_TREE_MAX_DEPTH


def test_many_decks_side_by_side_take_work_in_proportion():
    # Each deck looked for its branch among all its siblings: 5,000 decks under one
    # branch took 2 s, 20,000 half a minute. Counted in lines run, not in seconds.
    import sys

    lines = 0

    def count(frame, event, arg):
        nonlocal lines
        lines += event == "line"
        return count

    # Plain objects, as before decks() made models: a model's pk is a property, its lines
    # counted too.
    many = [
        SimpleNamespace(pk=pk, name=f"Top::Deck {pk}", card_count=1, slug=f"deck-{pk}")
        for pk in range(1000)
    ]
    sys.settrace(count)
    try:
        tree = deck_tree(many)
    finally:
        sys.settrace(None)

    assert tree[0].deck_count == 1000
    assert lines < 50 * len(many)
