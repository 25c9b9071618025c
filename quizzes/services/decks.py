"""A deck's address: its slug, and the slugs it had before staff changed it, which links
learners kept and the deck fixture still use; and the decks' tree, as Anki shows it."""

from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.validators import slug_re as slug_pattern
from django.db import transaction

from quizzes.models import Deck, FormerDeckSlug
from quizzes.models.deck import named_apart


def deck_slug_taken_before(*, slug: str, deck: Deck | None) -> FormerDeckSlug | None:
    """The former slug `slug` of a deck other than `deck`, whose old links would lead
    elsewhere if `deck` took it; None when `slug` is free to take."""
    former = FormerDeckSlug.objects.filter(slug=slug).select_related("deck").first()
    if former is None or (deck is not None and former.deck_id == deck.pk):
        return None
    return former


@transaction.atomic
def deck_slug_changed(*, deck: Deck, old_slug: str) -> None:
    """Remember `old_slug` after `deck` moved to its current slug (one it had before is its
    own again, and no longer a former one)."""
    FormerDeckSlug.objects.filter(slug=deck.slug).delete()
    FormerDeckSlug.objects.update_or_create(slug=old_slug, defaults={"deck": deck})


def deck_by_former_slug(slug: str) -> Deck | None:
    """The deck that had `slug` before its slug changed."""
    return Deck.objects.filter(former_slugs__slug=slug).first()


# Anki names a subdeck by its path, "Medicine::Cardiology::Drugs", and the decks an Anki
# import makes here keep those names (services.anki_io).
DECK_PATH_SEPARATOR = "::"
# A name deeper than this keeps its remaining parts in its last branch's name: a tree
# five levels deep is already more than a phone shows, and each level is a template
# include when the page renders.
DECK_TREE_MAX_DEPTH = 5


@dataclass
class DeckBranch:
    """A part of the decks' tree: the deck named by its path, if there is one (Anki's
    "Medicine" may have no cards of its own, and so no deck here), and the branches below
    it, with the cards and decks of the whole branch counted."""

    name: str
    path: str
    number: int  # the branch's place in the tree, for its elements' ids
    deck: Deck | None = None
    branches: list["DeckBranch"] = field(default_factory=list)
    card_count: int = 0
    deck_count: int = 0
    linked: bool = False  # shown as a link to the filter on its path: deck_tree_linked
    # Another branch beside it bears the same name (two decks "Biology"): each is named
    # with its deck's slug, as an export names them, so that the two read apart.
    shared_name: bool = False

    @property
    def label(self) -> str:
        """Its name as the page shows it: "Biology", or beside another "Biology",
        "Biology (bio-b)"."""
        if self.deck is None:
            return self.name
        return named_apart(self.name, self.deck.slug, shared_name=self.shared_name)


def deck_path(name: str) -> list[str]:
    """The parts of a deck's name as Anki's tree reads it ("Medicine::Cardiology" is
    Cardiology under Medicine); empty parts ("A::::B", "::A") are dropped, and a name
    with no other part is one part, itself."""
    parts = [part.strip() for part in name.split(DECK_PATH_SEPARATOR)]
    parts = [part for part in parts if part] or [name]
    if len(parts) > DECK_TREE_MAX_DEPTH:
        rest = DECK_PATH_SEPARATOR.join(parts[DECK_TREE_MAX_DEPTH - 1 :])
        parts = [*parts[: DECK_TREE_MAX_DEPTH - 1], rest]
    return parts


def name_key(parts: list[str]) -> tuple[str, ...]:
    """A deck's name (its path's parts, deck_path) as Anki compares names: whatever their
    case, "biology" is "Biology" and "biology::Cell" is below it. The one rule by which two
    decks are named alike (each then named with its slug: named_apart) and a subdeck finds
    its branch."""
    return tuple(part.casefold() for part in parts)


def deck_tree(decks: list[Deck], *, matching: str = "") -> list[DeckBranch]:
    """The decks (deck_summaries, with `card_count`) as Anki shows them, a tree by their
    names' paths, in name order; each branch counts the cards and decks below it. With
    `matching`, only the decks whose name holds it (any case), and the branches that lead
    to them. Two decks of the same name (name_key: "Biology" and "biology" too) are two
    branches, each `shared_name`; a subdeck goes below the first of them. No query."""
    wanted = matching.casefold()
    top = DeckBranch(name="", path="", number=0)
    made = 0
    first_of_name: dict[tuple[int, str], DeckBranch] = {}  # (parent's number, name)
    paths = [(deck_path(deck.name), deck) for deck in decks if wanted in deck.name.casefold()]
    keyed = [(name_key(parts), parts, deck) for parts, deck in paths]
    keyed.sort(key=lambda item: (item[0], item[2].pk))
    for keys, parts, deck in keyed:
        branch = top
        for depth, part in enumerate(parts, start=1):
            # A dict, not a search of the siblings: 5,000 decks side by side took 2 s.
            below = first_of_name.get((branch.number, keys[depth - 1]))
            if below is None or (depth == len(parts) and below.deck):
                made += 1
                path = DECK_PATH_SEPARATOR.join(parts[:depth])
                shared = below is not None
                if shared:
                    below.shared_name = True
                below = DeckBranch(name=part, path=path, number=made, shared_name=shared)
                branch.branches.append(below)
                first_of_name.setdefault((branch.number, keys[depth - 1]), below)
            branch = below
            branch.card_count += deck.card_count
            branch.deck_count += 1
        branch.deck = deck
    return top.branches


def deck_tree_linked(tree: list[DeckBranch], *, matching: str = "") -> None:
    """Marks each branch below the top panels `linked`: shown as a link to the filter on
    its path instead of its decks folded into the page (for a site of very many decks).
    Not a branch the filter already opens or leads into: its link would open this same
    page, its decks out of reach."""
    opened = matching.casefold()
    below_top = [branch for panel in tree for branch in panel.branches]
    while below_top:
        branch = below_top.pop()
        branch.linked = bool(branch.branches) and not opened.startswith(branch.path.casefold())
        below_top.extend(branch.branches)


@dataclass(frozen=True)
class DeckPlace:
    """Where a deck sits in the tree: the branches above it, each with the path the home
    page's filter opens it by, and its own name below them."""

    above: list[tuple[str, str]]  # (name, path)
    name: str


def deck_place(deck: Deck, named_alike: Collection[int]) -> DeckPlace:
    """`named_alike`: the tree's (TreeScopes), by which the deck's own name is said with its
    slug beside another of its name, as the tree says it."""
    parts = deck_path(deck.name)
    above = [
        (part, DECK_PATH_SEPARATOR.join(parts[: depth + 1]))
        for depth, part in enumerate(parts[:-1])
    ]
    name = parts[-1] if above else deck.name
    return DeckPlace(above=above, name=deck.label_among(named_alike, name=name))


@dataclass(frozen=True)
class DeckMenuGroup:
    """Decks a menu offers together: those of one top branch under its name, each by the
    rest of its path; `branch` is empty for the decks whose name has no path."""

    branch: str
    decks: list[tuple[Deck, str]]  # (deck, its name in the group)


def deck_menu(decks: list[Deck], named_alike: Collection[int]) -> list[DeckMenuGroup]:
    """The decks of a quiz's deck menu grouped by their top branch, as Anki's deck list,
    so that fifty "Languages::Spanish::Verbs" names do not run together in one list and
    lose their ends on a phone. Decks without a path come first, in the order given (most
    cards first); the branches follow by name, their decks by path, a deck named as the
    branch itself first. A branch is one whatever its names' case ("Biology::Cell" and
    "biology::Genes", name_key), as in the tree; a deck that bears another's name
    (`named_alike`, the tree's: TreeScopes) is named with its slug too, "Biology (bio-b)"."""
    plain, plain_tops, branches, spelt = [], [], {}, {}
    for deck in decks:
        parts = deck_path(deck.name)
        top = name_key(parts[:1])
        if len(parts) == 1:
            plain.append((deck, deck.label_among(named_alike)))
            plain_tops.append(top)
        else:
            spelt.setdefault(top, parts[0])
            rest = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} ".join(parts[1:])
            branches.setdefault(top, []).append((deck, deck.label_among(named_alike, name=rest)))
    # Anki's "Medicine" may hold cards of its own beside its subdecks': it leads its group
    # (the first of that name, as the tree puts its subdecks below that one).
    leading = {}
    for item, top in zip(plain, plain_tops, strict=True):
        if top in branches:
            leading.setdefault(top, item)
    plain = [
        item for item, top in zip(plain, plain_tops, strict=True) if leading.get(top) is not item
    ]
    groups = [DeckMenuGroup(branch="", decks=plain)] if plain else []
    for top in sorted(branches):
        in_order = sorted(branches[top], key=lambda named: named[1].casefold())
        branch = spelt[top]
        if top in leading:
            in_order.insert(0, leading[top])
            branch = deck_path(leading[top][0].name)[0]
        groups.append(DeckMenuGroup(branch=branch, decks=in_order))
    return groups


@dataclass(frozen=True)
class StudyScope:
    """What one study session takes its cards from, as Anki's deck list does when a deck is
    clicked: a deck and its subdecks (a branch of the tree), named by the deck's slug (which
    outlives a rename: FormerDeckSlug), or by the branch's path when no deck bears the
    branch's own name (Anki's "Medicine" with cards only in its subdecks), which is the only
    name such a branch has."""

    field: str  # the address's parameter that names it: "deck", "own" or "branch"
    value: str  # the deck's slug, or the branch's path
    name: str  # the deck's name, or the branch's path
    deck_ids: frozenset[int]
    shared_name: bool = False  # another deck bears the name: named with its slug too

    @property
    def suffix(self) -> str:
        """What follows the name where it heads the page, so that two decks "Biology" read
        apart there as on the home page, " (bio-b)", and a deck's own cards apart from the
        deck with its subdecks, " (its own cards)"."""
        said = [self.value] if self.shared_name else []
        if self.field == "own":
            said.append("its own cards")
        return f" ({', '.join(said)})" if said else ""

    @property
    def label(self) -> str:
        return f"{self.name}{self.suffix}"

    @property
    def query(self) -> str:
        return urlencode({self.field: self.value})

    @property
    def parts(self) -> list[str]:
        """The name's parts, for a page to break a long path between them, not in a word."""
        return deck_path(self.name)


@dataclass(frozen=True)
class TreeScopes:
    """The decks each Study link of the tree studies, as the home page's tree places them
    (deck_tree of every deck), never as their names read: a deck's own and those strictly
    below it there (a deck's name is not unique: of two decks "Biology", "Biology::Cell" is
    below the first alone, as the tree shows it), and a branch's, by its path's name_key
    (any case), every deck along the path (a branch has no other name)."""

    of_deck: dict[int, frozenset[int]]
    of_branch: dict[tuple[str, ...], frozenset[int]]
    # The decks that bear another deck's name (DeckBranch.shared_name).
    named_alike: frozenset[int] = frozenset()

    def of(self, branch: DeckBranch) -> frozenset[int]:
        """What `branch`'s Study link studies: its deck's, or for a branch that shows no
        deck of its own (_deck_study.html), the decks along its path."""
        if branch.deck is not None:
            return self.of_deck.get(branch.deck.pk, frozenset({branch.deck.pk}))
        return self.of_branch.get(name_key(deck_path(branch.path)), frozenset())

    def label(self, *, deck_id: int, name: str, slug: str) -> str:
        """The deck's name as the tree shows it (named_apart): with its slug when another
        deck bears its name."""
        return named_apart(name, slug, shared_name=deck_id in self.named_alike)


def tree_scopes(decks: list[Deck]) -> TreeScopes:
    """The TreeScopes of `decks` (every deck), in one walk of their tree: a site of 2,000
    decks reads each once, not once for each of its branches."""
    of_deck: dict[int, frozenset[int]] = {}
    of_branch: dict[tuple[str, ...], frozenset[int]] = {}
    named_alike: set[int] = set()

    def below(branch: DeckBranch, parts: tuple[str, ...]) -> frozenset[int]:
        # The tree is at most DECK_TREE_MAX_DEPTH deep: so is this recursion.
        parts = (*parts, *name_key([branch.name]))
        own = {branch.deck.pk} if branch.deck is not None else set()
        ids = frozenset(own).union(*(below(sub, parts) for sub in branch.branches))
        if branch.deck is not None:
            of_deck[branch.deck.pk] = ids
            if branch.shared_name:
                named_alike.add(branch.deck.pk)
        of_branch[parts] = of_branch.get(parts, frozenset()) | ids
        return ids

    for branch in deck_tree(decks):
        below(branch, ())
    return TreeScopes(of_deck=of_deck, of_branch=of_branch, named_alike=frozenset(named_alike))


def study_scope_of_deck(deck: Deck, scopes: TreeScopes, *, own: bool = False) -> StudyScope:
    """The deck `deck` and the decks below it in the tree (`scopes`: tree_scopes of every
    deck); with `own`, its own cards alone, without its subdecks' (which Anki's deck list
    has no way to study, short of a filtered deck)."""
    alone = frozenset({deck.pk})
    deck_ids = alone if own else scopes.of_deck.get(deck.pk, alone)
    return StudyScope(
        field="own" if own else "deck",
        value=deck.slug,
        name=deck.name,
        deck_ids=deck_ids,
        shared_name=deck.pk in scopes.named_alike,
    )


def study_scope_of_slug(
    slug: str, *, decks: list[Deck], scopes: TreeScopes, own: bool = False
) -> StudyScope | None:
    """The study of the deck whose slug is, or was (deck_by_former_slug), `slug`, among
    `decks` (every deck, with `scopes` their tree_scopes), or of its own cards alone with
    `own`; None when there is no such deck."""
    deck = next((deck for deck in decks if deck.slug == slug), None)
    if deck is None and slug_pattern.fullmatch(slug):
        former = deck_by_former_slug(slug)
        deck = next((deck for deck in decks if former and deck.pk == former.pk), None)
    if deck is None:
        return None
    return study_scope_of_deck(deck, scopes, own=own)


def study_scope_of_branch(path: str, scopes: TreeScopes) -> StudyScope | None:
    """The decks of the branch at `path` ("Medicine::Cardiology", as Anki writes it; its
    parts trimmed as the tree trims them), in `scopes` (tree_scopes of every deck); None
    when no deck is in that branch."""
    parts = deck_path(path)
    deck_ids = scopes.of_branch.get(name_key(parts), frozenset())
    if not deck_ids:
        return None
    name = DECK_PATH_SEPARATOR.join(parts)
    return StudyScope(field="branch", value=name, name=name, deck_ids=deck_ids)


def tree_branches_shown(tree: list[DeckBranch]) -> list[DeckBranch]:
    """The branches the home page shows of `tree`: every one, but those below a branch
    shown as a link (deck_tree_linked)."""
    shown, left = [], list(reversed(tree))
    while left:
        branch = left.pop()
        shown.append(branch)
        if not branch.linked:
            left.extend(reversed(branch.branches))
    return shown
