"""Holding a card out of the review by hand, as an Anki user does from the reviewer: bury it
(out until the next study day starts) or suspend it (out until brought back), undo either,
and list the learner's suspended and buried cards with the way back.

A hold is a CardHold row, apart from the card's memory: a new card has none, and a hold
outlasts a Forget. The review's queue and counts leave held cards out (reviews.held_out,
play_sql.memory_figures). A leech stays suspended on its memory (CardMemory.suspended), as
the rule suspended it: the list shows it too, and brings it back the same way. Every write
ends with caching.learner_memory_changed, so that "Review (N)" is counted afresh at once.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from quizzes import caching
from quizzes.models import Card, CardHold, CardMemory, ReviewLog
from quizzes.services.reviews import (
    NOTE_STEP,
    learner_settings,
    study_day_bounds,
    undoable_review,
)

Action = CardHold.Action


def _hold(*, user, cards: list[tuple[Card, datetime]], action: str, **changes) -> list[CardHold]:
    """Hold each card as of its instant (`action` and `changes` written over the hold it
    had, if any)."""
    holds = []
    with transaction.atomic():
        for card, held_at in cards:
            values = {"last_action": action, "held_at": held_at, **changes}
            hold, created = CardHold.objects.select_for_update().get_or_create(
                user=user, card=card, defaults=values
            )
            if not created:
                for name, value in values.items():
                    setattr(hold, name, value)
                hold.save()
            holds.append(hold)
    caching.learner_memory_changed(user.pk)
    return holds


def _siblings_to_hold(*, user, card: Card, now: datetime, suspend: bool) -> list[Card]:
    """The other cards of `card`'s note that the learner does not hold that way already: a
    suspended card (a leech too) is not buried, nor suspended again, and a buried one not
    buried again, so that Undo brings back only what the note's hold took out."""
    held = CardHold.objects.filter(user=user, card=OuterRef("pk"), suspended=True)
    if not suspend:
        held = CardHold.objects.active(now).filter(user=user, card=OuterRef("pk"))
    leech = CardMemory.objects.filter(user=user, card=OuterRef("pk"), suspended=True)
    return list(
        card.note_cards()
        .exclude(pk=card.pk)
        .filter(~Exists(held), ~Exists(leech))
        .order_by("card_ord", "number")
    )


def _note_hold(*, user, card: Card, now: datetime, suspend: bool, **changes) -> list[Card]:
    siblings = _siblings_to_hold(user=user, card=card, now=now, suspend=suspend)
    action = Action.SUSPEND if suspend else Action.BURY
    held = [(sibling, now - NOTE_STEP) for sibling in siblings] + [(card, now)]
    _hold(user=user, cards=held, action=action, **changes)
    return siblings


def card_bury(*, user, card: Card, now: datetime) -> datetime:
    """Anki's Bury: `card` leaves the review until the learner's next study day starts, when
    it comes back as it was (a review card due then, as overdue as it was). Returns then."""
    day_end = _next_day_start(user=user, now=now)
    _hold(user=user, cards=[(card, now)], action=Action.BURY, buried_until=day_end)
    return day_end


def _next_day_start(*, user, now: datetime) -> datetime:
    _day_start, day_end = study_day_bounds(settings=learner_settings(user=user), now=now)
    return day_end


def card_suspend(*, user, card: Card, now: datetime) -> None:
    """Anki's Suspend: `card` leaves the review, its counts and Smart quizzes until the
    learner brings it back (card_unsuspend); its memory stays as it is."""
    _hold(user=user, cards=[(card, now)], action=Action.SUSPEND, suspended=True)


def note_bury(*, user, card: Card, now: datetime) -> list[Card]:
    """Anki's Bury note (=): `card` and its siblings (the other cards of its note: a
    reversed card, the other clozes) leave the review until the next study day starts.
    Returns the siblings buried with it."""
    day_end = _next_day_start(user=user, now=now)
    return _note_hold(user=user, card=card, now=now, suspend=False, buried_until=day_end)


def note_suspend(*, user, card: Card, now: datetime) -> list[Card]:
    """Anki's Suspend note (!): `card` and its siblings leave the review until brought
    back. Returns the siblings suspended with it."""
    return _note_hold(user=user, card=card, now=now, suspend=True, suspended=True)


@transaction.atomic
def card_unsuspend(*, user, card: Card) -> bool:
    """Bring `card` back into the review: unsuspended, unburied, and a suspended leech back
    too (four more lapses suspend it again). Whether it was held at all."""
    holds, _by_model = CardHold.objects.filter(user=user, card=card).delete()
    leeches = CardMemory.objects.filter(user=user, card=card, suspended=True).update(
        suspended=False
    )
    caching.learner_memory_changed(user.pk)
    return bool(holds or leeches)


@dataclass(frozen=True, kw_only=True)
class HeldCard:
    """One card the learner keeps out of the review, for the list of them."""

    card: Card
    suspended: bool  # by hand, or by the leech rule
    leech: bool
    buried_until: datetime | None  # when not suspended: the start of the next study day


def held_cards(*, user, now: datetime) -> list[HeldCard]:
    """The learner's suspended cards (leeches among them) and the cards buried now, in deck
    order. Two queries."""
    holds = {
        hold.card_id: hold
        for hold in CardHold.objects.active(now).filter(user=user).select_related("card__deck")
    }
    leeches = {
        memory.card_id: memory.card
        for memory in CardMemory.objects.filter(user=user, suspended=True).select_related(
            "card__deck"
        )
    }
    held = []
    for card_id in holds.keys() | leeches.keys():
        hold = holds.get(card_id)
        suspended = card_id in leeches or (hold is not None and hold.suspended)
        held.append(
            HeldCard(
                card=hold.card if hold else leeches[card_id],
                suspended=suspended,
                leech=card_id in leeches,
                buried_until=None if suspended else hold.buried_until,
            )
        )
    return sorted(held, key=lambda one: (one.card.deck.name, one.card.deck_id, one.card.number))


@dataclass(frozen=True, kw_only=True)
class HeldCounts:
    suspended: int  # by hand (leeches are counted apart: reviews.leeches_suspended)
    buried: int  # buried now, and not suspended


def held_counts(*, user, now: datetime, deck_ids: frozenset[int] | None = None) -> HeldCounts:
    """For the review's end screen (of a study of the decks `deck_ids`, when given). One
    query."""
    buried = Q(suspended=False, buried_until__gt=now)
    holds = CardHold.objects.filter(user=user)
    if deck_ids is not None:
        holds = holds.filter(card__deck_id__in=deck_ids)
    figures = holds.aggregate(
        suspended_count=Count("pk", filter=Q(suspended=True)),
        buried_count=Count("pk", filter=buried),
    )
    return HeldCounts(suspended=figures["suspended_count"], buried=figures["buried_count"])


def latest_undoable(*, user, now: datetime) -> ReviewLog | CardHold | None:
    """What Undo takes back: the learner's latest grade on the review page or Forget
    (reviews.undoable_review), or their latest bury or suspend still in force, whichever
    came last, in the study day under way: as Anki's undo, which ends with the session,
    it does not offer the morning's first card to take back last night's grade. A hold
    has `of_note`: whether its note's siblings were held with it."""
    day_start, _day_end = study_day_bounds(settings=learner_settings(user=user), now=now)
    review = undoable_review(user=user, since=day_start)
    note_held = CardHold.objects.filter(
        user=user, last_action=OuterRef("last_action"), held_at=OuterRef("held_at") - NOTE_STEP
    )
    hold = (
        CardHold.objects.active(now)
        .filter(user=user, held_at__gte=day_start)
        .annotate(of_note=Exists(note_held))
        .select_related("card__deck")
        .order_by("-held_at", "-pk")
        .first()
    )
    if hold is not None and (review is None or hold.held_at >= review.reviewed_at):
        return hold
    return review


@transaction.atomic
def hold_undo(*, user, card_id: int, action: str, now: datetime) -> list[Card]:
    """Take back the learner's latest `action` (bury or suspend) on card `card_id`, and on
    the siblings held with it (a note's bury or suspend): they are unburied or unsuspended,
    as they were before; a hold of the other kind made before stays, for the next Undo.
    Returns the cards, `card_id`'s first. CardHold.DoesNotExist when that is not the card's
    latest hold in force (undone already, or brought back since)."""
    hold = (
        CardHold.objects.active(now)
        .select_for_update(of=("self",))
        .select_related("card__deck")
        .get(user=user, card=card_id, last_action=action)
    )
    siblings = (
        CardHold.objects.active(now)
        .select_for_update(of=("self",))
        .select_related("card__deck")
        .filter(
            user=user,
            last_action=action,
            held_at=hold.held_at - NOTE_STEP,
            card__in=hold.card.note_cards().exclude(pk=card_id),
        )
        .order_by("card__card_ord", "card__number")
    )
    undone = [hold, *siblings]
    for each in undone:
        if action == Action.BURY:
            each.buried_until = None
        else:
            each.suspended = False
        if each.suspended:
            each.last_action = Action.SUSPEND  # an earlier suspend: the next Undo takes it back
            each.save()
        elif each.is_buried(now):
            each.last_action = Action.BURY
            each.save()
        else:
            each.delete()
    caching.learner_memory_changed(user.pk)
    return [each.card for each in undone]


@transaction.atomic
def holds_release(*, holds) -> int:
    """Staff's release of learners' holds (the admin): each card is back in its learner's
    review, unsuspended and unburied, and their "Review (N)" counted afresh. How many."""
    users = set(holds.values_list("user_id", flat=True))
    count, _by_model = CardHold.objects.filter(pk__in=holds.values("pk")).delete()
    for user_id in users:
        caching.learner_memory_changed(user_id)
    return count


def card_hold(*, user, card: Card) -> CardHold | None:
    """The learner's hold on `card`, in force or not (buried_until may have passed)."""
    return CardHold.objects.filter(user=user, card=card).first()
