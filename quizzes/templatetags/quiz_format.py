from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A time taken, e.g. "8.4 s" or "2 min 05 s"; "-" when there is none."""
    if value is None:
        return "-"
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


@register.filter
def minutes(seconds: int | None) -> str:
    """A whole-quiz limit in seconds, in minutes: "5 min"."""
    if not seconds:
        return ""
    whole, rest = divmod(seconds, 60)
    return f"{whole} min" if not rest else f"{whole} min {rest:02d} s"


@register.filter
def clock(milliseconds: int | None) -> str:
    """A countdown, e.g. "0:20", rounded up so it reads 0:00 only when time is up."""
    if milliseconds is None:
        return ""
    seconds = -(-max(milliseconds, 0) // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"
