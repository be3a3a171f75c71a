"""A searched prompt: the prompting family's per-request cost, with the search paid once.

The search scores each candidate prompt (instructions, paraphrases, example sets) on a labeled
validation set through the API model, then serves the one that scored best. Per request it is the
chosen prompt, priced like a few-shot prompt with k examples (prompting.api_per_request_usd; a search
may choose fewer, so this is the upper bound for a fixed example set). A run whose search chose each
request's own nearest examples prices them outside the cached prefix, since they change with every
request (calculator/inputs.py). One-off: its hours, the search's calls (trials × validation
examples, each a request of that size), and the labels it uses: the validation set plus
the examples its candidates show, a run's count when one is applied, else k per trial (the
instruction-only trials show none; a nearest-example trial shows each validation input its own k, so
a run's count can be higher).
"""

from __future__ import annotations

from calculator.approaches.base import Number, Params, PricedApproach
from calculator.approaches.prompting import api_per_request_usd, api_profile, output_tokens
from core.approaches import ApproachSpec

FORMULA = (
    "one-off = search hours × rate + trials × validation examples × the per-request cost (the search's "
    "calls) + (validation labels + k shown examples per trial, or a run's count) beyond those on hand × "
    "cost per label + evaluation labels; fixed = 0; per request = the chosen prompt's tokens priced like "
    "the few-shot prompt's (k examples; examples chosen per request are not in the cached prefix)"
)


def search_labels(p: Params, spec: ApproachSpec) -> Number:
    """Labels the search uses: an applied run's count (labels.<name>), else validation + k per trial."""
    if f"labels.{spec.name}" in p:
        return p[f"labels.{spec.name}"]
    return p["task.prompt_search_validation"] + p["task.few_shot_k"] * p["task.prompt_search_trials"]


def search_calls_usd(p: Params, spec: ApproachSpec) -> Number:
    """Every trial asks the API model once per validation example, each a request the chosen prompt's size."""
    calls = p["task.prompt_search_trials"] * p["task.prompt_search_validation"]
    return calls * api_per_request_usd(p, spec)


def priced(spec: ApproachSpec) -> PricedApproach:
    return PricedApproach(
        spec, FORMULA,
        lambda p: api_profile(p, spec, search_labels(p, spec), **{"search calls": search_calls_usd(p, spec)}),
        lambda p: output_tokens(p, spec), labels=lambda p: search_labels(p, spec))
