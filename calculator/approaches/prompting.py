"""Prompting an API model: zero-shot, few-shot and chain-of-thought.

Per request: prompt tokens × input price (the fixed prefix partly at the cached price) plus
answer tokens × output price; a share of requests may go through the batch API at its prices.
One-off: prompt design hours, and the k labeled examples a few-shot prompt shows.
"""

from __future__ import annotations

from calculator.approaches.base import (
    MTOK,
    Approach,
    CostProfile,
    Number,
    Params,
    engineering_usd,
    labels_usd,
)


def _output_tokens(p: Params, name: str) -> Number:
    reasoning = p["task.reasoning_tokens"] if name == "chain_of_thought" else 0.0
    return reasoning + p["tokens.label"]


def api_per_request_usd(p: Params, name: str) -> Number:
    prompt, prefix = p[f"tokens.{name}.input"], p[f"tokens.{name}.prefix"]
    output = _output_tokens(p, name)
    cached = p["api.cache_hit_share"] * prefix
    standard = (
        (prompt - cached) * p["api.input_usd_per_mtok"]
        + cached * p["api.cached_input_usd_per_mtok"]
        + output * p["api.output_usd_per_mtok"]
    ) / MTOK
    batch = (prompt * p["api.batch_input_usd_per_mtok"] + output * p["api.batch_output_usd_per_mtok"]) / MTOK
    share = p["api.batch_share"]
    return (1.0 - share) * standard + share * batch


def _labels_needed(name: str):
    if name == "few_shot":
        return lambda p: p["task.few_shot_k"]
    return lambda p: 0.0


def _profile(name: str):
    def profile(p: Params) -> CostProfile:
        return CostProfile(
            one_off={
                "engineering": engineering_usd(p, name),
                "labels": labels_usd(p, _labels_needed(name)(p)),
            },
            fixed={},
            per_request={"API tokens": api_per_request_usd(p, name)},
        )

    return profile


FORMULA = (
    "one-off = prompt-design hours × rate (+ k example labels for few-shot); fixed = 0; "
    "per request = (prompt tokens × input price, fixed prefix × cache-hit share at the cached "
    "price, + answer tokens × output price) / 1M, batch share at batch prices"
)


def _approach(name: str, title: str, summary: str) -> Approach:
    return Approach(name, title, "prompting", summary, FORMULA, _labels_needed(name), _profile(name))


APPROACHES = [
    _approach("zero_shot", "Zero-shot prompt", "Instructions and the label set; no examples."),
    _approach("few_shot", "Few-shot prompt", "Instructions plus k labeled examples in every prompt."),
    _approach("chain_of_thought", "Chain-of-thought", "The model reasons before it answers; reasoning tokens are billed."),
]
