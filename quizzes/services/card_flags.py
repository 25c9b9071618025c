"""A learner's coloured flags on cards, as Anki's (Ctrl+1..7 in its reviewer: red, orange,
green, blue, pink, turquoise, purple; the same flag again clears it). Each learner's own:
a CardFlag row per flagged card, apart from its memory, so that reviews, their undo and a
Forget leave it as it is."""

from datetime import datetime

from django.db.models import Count

from quizzes.models import Card, CardFlag

Colour = CardFlag.Colour


def card_flag_set(*, user, card: Card, flag: int, now: datetime) -> Colour | None:
    """Flag `card` with colour `flag` (1..7), or clear its flag (0). Returns the flag it
    has now."""
    if not flag:
        CardFlag.objects.filter(user=user, card=card).delete()
        return None
    CardFlag.objects.update_or_create(
        user=user, card=card, defaults={"flag": flag, "flagged_at": now}
    )
    return Colour(flag)


def card_flag(*, user, card: Card) -> Colour | None:
    """The learner's flag on `card`, None for none. One query."""
    flag = CardFlag.objects.filter(user=user, card=card).values_list("flag", flat=True).first()
    return None if flag is None else Colour(flag)


def flags_of(*, user, card_ids) -> dict[int, Colour]:
    """The learner's flags on these cards, by card id (an unflagged card is left out). One
    query, however many cards."""
    rows = CardFlag.objects.filter(user=user, card__in=card_ids).values_list("card_id", "flag")
    return {card_id: Colour(flag) for card_id, flag in rows}


def flag_counts(*, user) -> list[tuple[Colour, int]]:
    """Each colour and how many cards the learner flagged with it, for the filter. One
    query."""
    rows = dict(
        CardFlag.objects.filter(user=user)
        .order_by()
        .values_list("flag")
        .annotate(count=Count("pk"))
    )
    return [(colour, rows.get(colour.value, 0)) for colour in Colour]


def flagged_cards(*, user, flag: int) -> list[Card]:
    """The learner's cards flagged `flag`, in deck order. One query."""
    return list(
        Card.objects.filter(flags__user=user, flags__flag=flag)
        .select_related("deck")
        .only("number", "question_text", "deck__name", "deck__slug")
        .order_by("deck__name", "deck_id", "number")
    )
