"""How sure the decision is: one measure, named and worded the same on every screen.

An approach's *chance cheapest* is the share of Monte Carlo draws over the uncertainty ranges in
which it is the cheapest of the qualifying approaches: those that meet the quality target and keep
every constraint (the ranking's own test, at the scenario's values). An approach that does not
qualify has no chance cheapest (None): it is out of the running, and the ranking says why. The
cheapest of all approaches whatever their score is not shown anywhere: it answers no question
a decision maker asks.
"""

from __future__ import annotations

from calculator.costs import CostReport
from calculator.recommend.wording import pct
from calculator.uncertainty import MonteCarlo, monte_carlo

NAME = "chance cheapest"
TITLE = "Chance cheapest"


def definition(draws: int) -> str:
    """The definition every screen quotes beside the figure."""
    return (f"{TITLE}: share of {draws:,} Monte Carlo draws over the uncertainty ranges in which the "
            f"approach is the cheapest of those that meet the quality target and the constraints; "
            f"an approach that does not qualify has none (—).")


def cheapest_shares(report: CostReport, mc: MonteCarlo, qualifying: list[str]) -> dict[str, float]:
    """Each qualifying approach's chance cheapest, over the same draws as `mc` (same seed)."""
    if len(qualifying) <= 1:
        return dict.fromkeys(qualifying, 1.0)
    if set(qualifying) == set(mc.p_cheapest):
        return {name: mc.p_cheapest[name] for name in qualifying}
    return monte_carlo(report.inputs, qualifying, report.scenario.uncertainty, mc.draws).p_cheapest


def sentence(share: float, qualifying: int, draws: int) -> str:
    """The reason that says how sure: "…in 62% of 20,000 Monte Carlo draws (chance cheapest 62%)"."""
    if qualifying <= 1:
        return (f"It is the only approach that meets the target within the constraints "
                f"({NAME} {pct(1.0)}).")
    return (f"It is the cheapest of the {qualifying} qualifying approaches in {pct(share)} of {draws:,} "
            f"Monte Carlo draws over the uncertainty ranges ({NAME} {pct(share)}).")
