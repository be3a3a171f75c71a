"""One table builder for every face: rows of raw values with, per column, how to write them.

The dashboard shows a grid as a DataFrame (numbers stay numbers it can sort and format), the report
and the terminal print each cell's text. Plotly-, pandas- and torch-free until `frame` is called.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from calculator.approaches import REGISTRY
from calculator.costs import ApproachCosts, CostReport
from calculator.fields import COST_PER_REQUEST, field_label
from calculator.recommend.wording import Scale, amount, count, money, pct
from core.approaches import title
from core.metrics import METRICS

if TYPE_CHECKING:
    import pandas as pd

    from calculator.breakeven import BreakEven


# Units of a share, written as a percentage: a fraction, or a score on a metric that is one (accuracy 93%)
SHARES = {"fraction"} | {metric.title for metric in METRICS.values() if metric.unit == "percent"}


@dataclass(frozen=True)
class Column:
    """One column: its header, the raw value of an item and that value as text."""

    name: str
    value: Callable[[Any], Any]
    text: Callable[[Any], str] | None = None  # from the item; default: fmt of the value
    fmt: Callable[[Any], str] = str
    numeric: bool = False  # the dashboard shows the value (a number), not the text
    missing: str = "—"  # the text of a value that is None
    width: float = 1.0  # relative width in the PDF
    short: str | None = None  # terminal header; None: not in the terminal table

    def cell(self, item: Any) -> str:
        if self.text is not None:
            return self.text(item)
        value = self.value(item)
        return self.missing if value is None else self.fmt(value)


@dataclass(frozen=True)
class Grid:
    columns: tuple[Column, ...]
    items: list[Any] = field(default_factory=list)

    def pick(self, names: Sequence[str]) -> Grid:
        """The same rows with only these columns, in this order."""
        by_name = {c.name: c for c in self.columns}
        return Grid(tuple(by_name[n] for n in names), self.items)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def widths(self) -> list[float]:
        return [c.width for c in self.columns]

    def texts(self) -> list[list[str]]:
        return [[c.cell(item) for c in self.columns] for item in self.items]

    def frame(self) -> pd.DataFrame:
        """Numeric columns as floats (a missing value is NaN, a blank cell), the others as text."""
        import pandas as pd

        table = pd.DataFrame([{c.name: c.value(item) if c.numeric else c.cell(item) for c in self.columns}
                              for item in self.items], columns=self.names)
        return table.astype({c.name: float for c in self.columns if c.numeric})


def grid(columns: Iterable[Column], items: Iterable[Any]) -> Grid:
    return Grid(tuple(columns), list(items))


def number(value: float) -> str:
    """3,000,000 / 2.99 / 0.0021195 / 989 trillion: exact where short, six significant figures otherwise,
    four with "trillion" where huge; never scientific notation."""
    if abs(value) >= 1e12:
        return f"{_figures(value / 1e12, 4)} trillion"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return _figures(value, 6)


def in_unit(value: float, unit: str) -> str:
    """A value as a table or hover writes it: a share as a percentage ("35%"), money as the sentences write
    it ("$2.50 per 1M tokens", "$0.80/GPU-hour"), else the number and its unit ("3,000,000 requests/month")."""
    if unit in SHARES:
        return pct(value)
    return amount(value, unit) if unit.startswith("USD") else f"{number(value)} {unit}".strip()


def _figures(value: float, figures: int) -> str:
    """`value` to `figures` significant figures in fixed point with thousands separators (0.00211950 → 0.0021195)."""
    if not value:
        return "0"
    decimals = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- the cost of each approach ----------------------------------------------------------------


def _parts(profile: Any) -> str:
    """"one-off: labels $8,000, engineering $800; fixed: hosting $584": the sums behind each total."""
    kinds = (("one-off", profile.one_off), ("fixed", profile.fixed), ("per request", profile.per_request))
    found = ["{}: {}".format(kind, ", ".join(f"{part.replace('_', ' ')} {money(float(value))}"
                                              for part, value in parts.items() if float(value)))
             for kind, parts in kinds if any(float(v) for v in parts.values())]
    return "; ".join(found) or "—"


def costs_grid(report: CostReport) -> Grid:
    """One row per approach, cheapest first: one-off, fixed, cost per request (running, incl. fleet), per
    correct answer, the score on the task's metric, TCO, labels needed and the parts of each cost."""
    scale = Scale(report.scenario.metric)
    errors = (
        Column("running (USD)", lambda c: c.running_usd, fmt=money, numeric=True, width=1.3),
        Column("errors (USD)", lambda c: c.error_usd, fmt=money, numeric=True, width=1.3),
    ) if any(c.error_usd for c in report.approaches.values()) else ()  # only when errors are priced
    columns = (
        Column("approach", lambda c: title(c.name), width=2),
        Column("one-off (USD)", lambda c: float(c.profile.one_off_usd), fmt=money, numeric=True, width=1.3),
        Column("fixed (USD/month)", lambda c: float(c.profile.monthly_fixed_usd), fmt=money, numeric=True,
               width=1.3),
        # fractions of a cent: text with three significant figures on every face, never $0.00
        Column(COST_PER_REQUEST, lambda c: c.cost_per_request_usd, fmt=money, width=1.3),
        Column("per correct answer", lambda c: c.cost_per_correct_usd, fmt=money, width=1.3),
        Column(scale.name, lambda c: c.score, fmt=scale.value, width=1),
        *errors,
        Column(f"TCO {report.horizon_months} months (USD)", lambda c: c.tco_usd, fmt=money, numeric=True,
               width=1.3),
        Column("labels needed", lambda c: c.labels_needed, fmt=count, numeric=True, width=1),
        Column("parts", lambda c: _parts(c.profile), width=4),
    )
    return grid(columns, sorted(report.approaches.values(), key=lambda c: c.tco_usd))


# --- every number with its source -------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    what: str
    number: str  # the dotted name of an input, or approach.kind.part of a cost part
    value: float
    unit: str
    source: str


def _cost_parts(name: str, costs: ApproachCosts) -> list[Source]:
    formula = f"formula ({title(name)}): {REGISTRY[name].formula}"
    profile = costs.profile
    rows = [Source(f"{title(name)}: {kind}, {part.replace('_', ' ')}", f"{name}.{kind}.{part}", float(value),
                   unit, formula)
            for kind, parts, unit in (("one-off", profile.one_off, "USD"),
                                      ("fixed", profile.fixed, "USD/month"),
                                      ("per request", profile.per_request, "USD/request"))
            for part, value in parts.items()]
    rows.append(Source(f"{title(name)}: total cost of ownership", f"{name}.tco", costs.tco_usd, "USD",
                       "formula: one-off + Σ_m (fixed + V_m × per request)"))
    return rows


def sources_grid(report: CostReport, keys: Iterable[str] | None = None, parts: bool = True) -> Grid:
    """Every input (user, default, price table with its date, benchmark run) by its label and dotted
    name, or only `keys`; with `parts`, every cost part too (the formula over those inputs)."""
    quantities = report.inputs.quantities
    chosen = quantities if keys is None else [k for k in keys if k in quantities]
    rows = [Source(field_label(key), key, float(quantities[key].value), quantities[key].unit,
                   quantities[key].source) for key in chosen]
    if parts:
        rows += [row for name, costs in report.approaches.items() for row in _cost_parts(name, costs)]
    columns = (
        Column("what", lambda s: s.what, width=3),
        Column("number", lambda s: s.number, width=2.6),
        # text on every face: never 9.89e+14; a share as a percentage (MFU 35%, not 0.35 fraction)
        Column("value", lambda s: s.value, text=lambda s: pct(s.value) if s.unit in SHARES else number(s.value),
               width=1.4),
        Column("unit", lambda s: "" if s.unit == "fraction" else s.unit, width=1.4),
        Column("source", lambda s: s.source, width=3.6),
    )
    return grid(columns, rows)


# --- break-even between approaches ------------------------------------------------------------


BREAK_EVEN_HELP = {  # what each column means, its empty value ("—") said
    "break-even (requests/month)": "The first month's volume (later months grown as the scenario grows) at which "
                                   "both cost the same over the horizon, the crossing nearest yours ('1 of 3': the "
                                   "pair crosses 3 times, as a fleet grows in whole replicas); 'none': one of the two "
                                   "is cheaper from 1,000× below to 1,000× above your volume.",
    "curves cross in month": "The month in which the cumulative costs cross at this scenario's own volume; "
                             "—: they do not cross within the horizon.",
}


def break_even_grid(report: CostReport) -> Grid:
    """Every pair of approaches: the volume at which they cost the same (in the reader's units: 3.71M
    requests/month), which is cheaper above it, and the month the cumulative curves cross ("—": none)."""
    def volume(be: BreakEven) -> str:
        if be.requests_per_month is None:
            return "none (one is cheaper throughout)"
        more = f", 1 of {len(be.crossings)}" if len(be.crossings) > 1 else ""  # a fleet step: it crosses again
        return f"{count(be.requests_per_month)} requests/month{more}"

    columns = (
        Column("approach", lambda be: title(be.approach), width=2),
        Column("versus", lambda be: title(be.versus), width=2),
        Column("break-even (requests/month)", lambda be: be.requests_per_month, text=volume, width=3),
        Column("cheaper above", lambda be: title(be.cheaper_above) if be.cheaper_above else
               "one is always cheaper", width=2),
        Column("curves cross in month", lambda be: be.month, width=1.4),
    )
    return grid(columns, report.break_even)
