"""What genai-prices can price: its providers and each provider's models, for pickers and messages.

Read from the package's active snapshot (the bundled one unless a caller installed another), so a
picker offers exactly the models `prices.api_token_prices` finds.
"""

from __future__ import annotations

from functools import cache

from genai_prices.data_snapshot import get_snapshot

from calculator.prices import PriceNotFound, api_token_prices

FINE_TUNED_PREFIX = "ft:"  # genai-prices' patterns for tuned models, not models one prompts


@cache
def providers() -> dict[str, str]:
    """Provider id → its name ("openai" → "OpenAI"), in genai-prices' order."""
    return {p.id: p.name for p in get_snapshot().providers}


@cache
def models(provider_id: str) -> tuple[str, ...]:
    """The provider's current model ids, sorted (deprecated and fine-tune patterns left out)."""
    found = next((p for p in get_snapshot().providers if p.id == provider_id), None)
    if found is None:
        return ()
    return tuple(sorted(m.id for m in found.models
                        if not m.deprecated and not m.id.startswith(FINE_TUNED_PREFIX)))


def priced(model: str, provider_id: str) -> bool:
    """Whether genai-prices has per-token prices for this model at this provider."""
    try:
        api_token_prices(model, provider_id)
    except PriceNotFound:
        return False
    return True


def model_for(provider_id: str, current: str) -> str | None:
    """The model to keep when the provider changes: the current one if priced there, else the
    provider's first priced model (None when it prices none)."""
    candidates = (current, *models(provider_id))
    return next((m for m in candidates if priced(m, provider_id)), None)


def unpriced(model: str, provider_id: str) -> str:
    """Why a model cannot be priced, in the reader's words."""
    name = providers().get(provider_id, provider_id)
    return (f"genai-prices has no per-token price for {model!r} at {name}: choose one of {name}'s models "
            "from the list, or type the API input and output prices per 1M tokens (Prompting tab).")
