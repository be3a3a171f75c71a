"""Prompting an API model: zero-shot, few-shot, chain-of-thought, persona and output-format.

Per request: prompt tokens × input price (the fixed prefix, when at least the provider's minimum
cacheable length, at the cached price for the cache-hit share and the cache-write price for the
rest) plus answer and hidden reasoning tokens × output price; a share of requests may go through
the batch API at its prices.
The prompt is the one calculator.prompts renders for the approach's prompt kind; the answer is
the label (or the JSON object around it), after the reasoning for chain-of-thought.
One-off: prompt design hours, the labeled examples a few-shot prompt shows, and the test set
every approach is evaluated on before launch.
"""

from __future__ import annotations

import numpy as np

from calculator.approaches.base import (
    CostProfile,
    Number,
    Params,
    PricedApproach,
    engineering_usd,
    evaluation_labels_usd,
    labels_needed,
    labels_usd,
)
from core.approaches import ApproachSpec
from core.units import MTOK


def output_tokens(p: Params, spec: ApproachSpec) -> Number:
    """Billed output: a reasoning model's hidden reasoning, the written reasoning of
    chain-of-thought, and the answer (as a run measured it for this approach, else the task's)."""
    reasoning = p["task.reasoning_tokens"] if spec.reasons else 0.0
    answer = p["tokens.json_answer"] if spec.answer_format == "json" else p["tokens.answer"]
    return p["api.reasoning_tokens_per_request"] + reasoning + p.get(f"tokens.output.{spec.name}", answer)


def api_per_request_usd(p: Params, spec: ApproachSpec) -> Number:
    kind = spec.prompt_kind  # a searched prompt's own tokens (tokens.<name>.*) when a run chose it
    prompt = p.get(f"tokens.{spec.name}.input", p[f"tokens.{kind}.input"])
    prefix = p.get(f"tokens.{spec.name}.prefix", p[f"tokens.{kind}.prefix"])
    output = output_tokens(p, spec)
    hit = p["api.cache_hit_share"]
    # a prefix below the provider's minimum is never cached: no discount, no write
    cacheable = np.where(prefix >= p["api.min_cacheable_tokens"], prefix, 0.0) * (np.asarray(hit) > 0)
    standard = (
        (prompt - cacheable) * p["api.input_usd_per_mtok"]
        + cacheable * hit * p["api.cached_input_usd_per_mtok"]
        + cacheable * (1.0 - hit) * p["api.cache_write_usd_per_mtok"]
        + output * p["api.output_usd_per_mtok"]
    ) / MTOK
    batch = (prompt * p["api.batch_input_usd_per_mtok"] + output * p["api.batch_output_usd_per_mtok"]) / MTOK
    share = p["api.batch_share"]
    return (1.0 - share) * standard + share * batch


FORMULA = (
    "one-off = prompt-design hours × rate + (k example labels for few-shot + evaluation labels) beyond "
    "those on hand × cost per label; fixed = 0; "
    "per request = (prompt tokens × input price, a fixed prefix of at least the provider's minimum: "
    "cache-hit share at the cached price, the rest at the cache-write price; + (hidden reasoning + "
    "answer) tokens × output price) / 1M, batch share at batch prices"
)


def api_profile(p: Params, spec: ApproachSpec, labels: Number, **one_off: Number) -> CostProfile:
    """A prompting approach's costs: its hours, any other one-off parts, the labels it uses beyond those
    on hand and the test set; per request, its prompt's API tokens."""
    return CostProfile(
        one_off={
            "engineering": engineering_usd(p, spec),
            **one_off,
            "labels": labels_usd(p, labels),
            "evaluation labels": evaluation_labels_usd(p, labels),
        },
        fixed={},
        per_request={"API tokens": api_per_request_usd(p, spec)},
    )


def priced(spec: ApproachSpec) -> PricedApproach:
    return PricedApproach(spec, FORMULA, lambda p: api_profile(p, spec, labels_needed(p, spec)),
                          lambda p: output_tokens(p, spec))
