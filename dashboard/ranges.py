"""An uncertainty range follows its field's value when the user edits the value.

An absolute range (requests 1.5M–4.5M around 3M, as older scenario files write it) says how
unsure the value is; once the user types 200k, the Monte Carlo should draw around 200k, not
around 3M. A relative range (±50%) follows by itself; an absolute one is scaled by the same
factor as the value (or, when the value crosses or leaves zero, shifted by the same amount),
then clamped to the field's allowed bounds.
"""

from __future__ import annotations

from calculator.fields import Bounds, field_bounds, get_dotted
from calculator.recommend.wording import count
from calculator.scenario import Range, Scenario


def _clamp(side: float, bounds: Bounds, fallback: float) -> float:
    """Inside closed bounds; a side on or beyond an open bound becomes `fallback` (the valid value)."""
    if bounds.low is not None and side <= bounds.low:
        side = fallback if bounds.low_open else bounds.low
    if bounds.high is not None and side >= bounds.high:
        side = fallback if bounds.high_open else bounds.high
    return side


def moved_range(span: Range, old: float, new: float, bounds: Bounds) -> Range:
    """`span` moved with a value going from `old` to `new`: scaled, or shifted across zero."""
    if old and new / old > 0:
        low, high = span.low * new / old, span.high * new / old
    else:
        low, high = span.low + new - old, span.high + new - old
    low, high = _clamp(low, bounds, new), _clamp(high, bounds, new)
    return Range(low=min(low, high), high=max(low, high))


def amount(value: float) -> str:
    """100k, 4.5M, 0.25: a range end as a reader says it."""
    return count(value) if abs(value) >= 1000 else f"{value:.3g}"


def ranges_after_edit(scenario: Scenario, dotted: str, new: object) -> dict[str, Range] | None:
    """The scenario's ranges with `dotted`'s absolute range moved to follow `new`; None when it has
    none (a relative range follows by itself) or the old or new value is not a number."""
    ranges = scenario.uncertainty
    if dotted not in ranges or ranges[dotted].relative:
        return None
    old = get_dotted(scenario, dotted)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    if not numbers or old == new:
        return None
    return {**ranges, dotted: moved_range(ranges[dotted], float(old), float(new), field_bounds(dotted))}
