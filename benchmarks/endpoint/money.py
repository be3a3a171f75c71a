"""Dollars of endpoint requests: measured from each response's `usage`, estimated before a run.

Prices are per 1M tokens, from genai-prices (calculator.prices) for a named provider and model,
or given by the user for a self-hosted server. No price: no dollars, and the run says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from calculator.prices import PriceNotFound, TokenPrices, api_token_prices
from core.units import MTOK


@dataclass(frozen=True)
class Usage:
    """One response's `usage`; output includes reasoning tokens, as providers bill them."""

    input: int
    output: int
    cached_input: int = 0
    reasoning: int = 0

    @classmethod
    def from_response(cls, response: dict) -> Usage:
        usage = response.get("usage") or {}
        prompt_details = usage.get("prompt_tokens_details") or {}
        completion_details = usage.get("completion_tokens_details") or {}
        return cls(input=int(usage.get("prompt_tokens") or 0), output=int(usage.get("completion_tokens") or 0),
                   cached_input=int(prompt_details.get("cached_tokens") or 0),
                   reasoning=int(completion_details.get("reasoning_tokens") or 0))


@dataclass(frozen=True)
class Pricing:
    input: float  # USD per 1M tokens
    output: float
    cached_input: float
    source: str

    def usd(self, usage: Usage) -> float:
        fresh = usage.input - usage.cached_input
        return (fresh * self.input + usage.cached_input * self.cached_input + usage.output * self.output) / MTOK

    def usd_upper_bound(self, input_tokens: float, max_output_tokens: int) -> float:
        """A request's most: every input token uncached, the whole output budget used."""
        return (input_tokens * self.input + max_output_tokens * self.output) / MTOK


def pricing(model: str, provider: str | None, input_usd: float | None, output_usd: float | None,
            options: str = "") -> Pricing | None:
    """User-given prices first; else genai-prices for provider/model; None when neither applies.

    Raises PriceNotFound (its message names what to set: the endpoint arms' options, or with `options`
    "judge-" the judge's) when a provider is named but unpriced.
    """
    if input_usd is not None and output_usd is not None:
        return Pricing(input_usd, output_usd, input_usd, "user-given $/1M tokens")
    if provider is None:
        return None
    try:
        prices: TokenPrices = api_token_prices(model, provider)
    except PriceNotFound as exc:
        raise PriceNotFound(f"--{options or 'endpoint-'}model/--{options}provider: {exc}; or give "
                            f"--{options}input-usd-per-mtok and --{options}output-usd-per-mtok") from None
    return Pricing(prices.input, prices.output, prices.cached_input, prices.source)


def side_pricing(config, who: str) -> Pricing | None:
    """A side model's (`who`: judge, teacher) prices from a BenchConfig's `<who>_model`, `<who>_provider` and
    `<who>_input_usd_per_mtok` / `<who>_output_usd_per_mtok`; PriceNotFound names its options."""
    return pricing(getattr(config, f"{who}_model"), getattr(config, f"{who}_provider"),
                   getattr(config, f"{who}_input_usd_per_mtok"), getattr(config, f"{who}_output_usd_per_mtok"),
                   options=f"{who}-")
