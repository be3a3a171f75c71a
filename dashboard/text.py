"""Text for the reader: user text made inert in Markdown (and `$` never read as LaTeX), and
rejected inputs said with the field's title and allowed range instead of its dotted name."""

from __future__ import annotations

import contextlib
import re

from calculator.fields import field_bounds, field_label, field_unit

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=])")


def escape_md(text: str) -> str:
    """User text shown through st.markdown renders as the characters typed, nothing else."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def dollars(text: str) -> str:
    """Our own sentences with amounts: escape only `$` so Markdown does not start LaTeX."""
    return text.replace("$", r"\$")


def opening(words: str) -> str:
    """Words that open a label or sentence: "Accuracy", "Field F1", but "chrF" as it is written."""
    return words[:1].upper() + words[1:] if words.split(" ", 1)[0].islower() else words


def field_title(dotted: str) -> str:
    """A scenario field as the reader knows it ("Requests per month"); a range or a list entry
    by its field ("the range of Requests per month", "Approaches")."""
    if dotted.startswith("uncertainty."):
        return f"The range of {field_title(dotted.removeprefix('uncertainty.')).lower()}"
    head, _, last = dotted.rpartition(".")
    if last.isdigit():  # one entry of a list field
        return field_title(head)
    try:
        return field_label(dotted)
    except (KeyError, AttributeError):
        return dotted


def _number(value: float, unit: str) -> str:
    if unit == "fraction":
        return f"{value * 100:g}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def allowed(dotted: str) -> str | None:
    """The allowed range in words, with the unit: "between 0 and 10,000,000,000 requests/month"."""
    try:
        bounds, unit = field_bounds(dotted), field_unit(dotted)
    except (KeyError, AttributeError):
        return None
    low = None if bounds.low is None else _number(bounds.low, unit)
    high = None if bounds.high is None else _number(bounds.high, unit)
    if low is None and high is None:
        return None
    if low is not None and high is not None and not (bounds.low_open or bounds.high_open):
        text = f"between {low} and {high}"
    else:
        sides = [] if low is None else [f"{'more than' if bounds.low_open else 'at least'} {low}"]
        sides += [] if high is None else [f"{'less than' if bounds.high_open else 'at most'} {high}"]
        text = " and ".join(sides)
    return f"{text} {unit}" if unit and unit != "fraction" else text


def in_words(exc: Exception, dotted: str | None = None) -> str:
    """A rejected input as one sentence that names the field by its title and the allowed range
    ("Requests per month must be between 0 and 10,000,000,000 requests/month; you entered -5")."""
    dotted = getattr(exc, "field", None) or dotted
    head, *rest = str(exc).split("; ")
    if not dotted:
        return str(exc)
    title, problem = field_title(dotted), head.removeprefix(f"{dotted}: ")
    entered = next((part.removeprefix("got ") for part in rest if part.startswith("got ")), None)
    more = [part for part in rest if part.startswith("and ")]
    span = allowed(dotted)
    if span and ("greater than" in problem or "less than" in problem):
        sentence = f"{title} must be {span}"
    else:
        sentence = f"{title} — {problem[:1].lower()}{problem[1:]}"
    if entered is not None and ", got " not in problem:
        with contextlib.suppress(ValueError, KeyError, AttributeError):  # not a number: as given
            entered = _number(float(entered), field_unit(dotted))
        sentence += f"; you entered {entered}"
    return "; ".join([sentence, *more]) + ("" if sentence.endswith(".") else ".")
