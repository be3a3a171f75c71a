"""Price lookups: API tokens from genai-prices, GPUs and hosted fine-tuning from data/ tables."""

from __future__ import annotations

import importlib.metadata
import re
from decimal import Decimal
from functools import cache

import yaml
from genai_prices import Usage, calc_price
from genai_prices.types import TieredPrices
from pydantic import BaseModel, ConfigDict, Field

from calculator.files import data_path
from calculator.units import MTOK

GPU_TABLE = data_path("gpu_prices.yaml")
FINETUNE_TABLE = data_path("finetune_prices.yaml")
RULES_TABLE = data_path("provider_rules.yaml")


class PriceNotFound(LookupError):
    """No price for this model/provider; the message says what to set instead."""


class TokenPrices(BaseModel):
    """USD per million tokens, with where they came from."""

    input: float
    output: float
    cached_input: float
    cache_write: float  # a prefix written to the cache (Anthropic 1.25× input; OpenAI: the input price)
    batch_input: float
    batch_output: float
    source: str


class GpuRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    usd_per_hour: float = Field(gt=0)
    peak_bf16_tflops: float = Field(gt=0)
    memory_gb: float = Field(gt=0)
    source: str
    checked: str


class FinetuneRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider_id: str
    model: str
    training_usd_per_mtok: float = Field(gt=0)
    source: str
    checked: str


def genai_prices_source() -> str:
    return f"genai-prices {importlib.metadata.version('genai-prices')} bundled price snapshot"


def _per_mtok(value: Decimal | TieredPrices | None) -> float | None:
    """Per-1M price; for tiered prices the base tier (requests below the first threshold)."""
    if value is None:
        return None
    return float(value.base if isinstance(value, TieredPrices) else value)


def _lookup(model: str, provider_id: str, context: dict[str, str] | None = None):
    usage = Usage(input_tokens=MTOK, output_tokens=MTOK)
    try:
        return calc_price(usage, model_ref=model, provider_id=provider_id, price_context=context).model_price
    except LookupError as exc:
        raise PriceNotFound(
            f"api.model: genai-prices has no price for {model!r} at provider {provider_id!r} "
            f"({exc}); pick another model or set api.input_usd_per_mtok and api.output_usd_per_mtok"
        ) from None


@cache
def api_token_prices(model: str, provider_id: str) -> TokenPrices:
    """Standard, cached-input and batch prices per 1M tokens for an API model."""
    standard = _lookup(model, provider_id)
    batch = _lookup(model, provider_id, {"processing": "batch"})
    input_price = _per_mtok(standard.input_mtok)
    output_price = _per_mtok(standard.output_mtok)
    if input_price is None or output_price is None:
        raise PriceNotFound(f"api.model: {model!r} has no per-token price in genai-prices")
    return TokenPrices(
        input=input_price,
        output=output_price,
        cached_input=_per_mtok(standard.cache_read_mtok) or input_price,
        cache_write=_per_mtok(standard.cache_write_mtok) or input_price,
        batch_input=_per_mtok(batch.input_mtok) or input_price,
        batch_output=_per_mtok(batch.output_mtok) or output_price,
        source=f"{genai_prices_source()}: {provider_id}/{model}",
    )


def finetuned_model_prices(base_model: str, provider_id: str) -> TokenPrices:
    """Serving prices of a provider-tuned model (genai-prices `ft:` entries)."""
    return api_token_prices(f"ft:{base_model}:org::tuned", provider_id).model_copy(
        update={"source": f"{genai_prices_source()}: {provider_id}/ft:{base_model}"}
    )


class Rule(BaseModel):
    """A provider rule from data/provider_rules.yaml: its value and where it came from."""

    value: float
    source: str


@cache
def _rules() -> dict:
    return yaml.safe_load(RULES_TABLE.read_text(encoding="utf-8"))


def _rule_source(row: dict) -> str:
    return f"data/provider_rules.yaml: {row['provider_id']} ({row['source']}; checked {row['checked']})"


def min_cacheable_tokens(model: str, provider_id: str) -> Rule | None:
    """The shortest prefix the provider caches for this model; None when the table has no rule."""
    for row in _rules()["caching"]:
        if row["provider_id"] == provider_id and model.startswith(row["model_prefix"]):
            return Rule(value=row["min_cacheable_tokens"], source=_rule_source(row))
    return None


def default_reasoning_tokens(model: str, provider_id: str) -> Rule | None:
    """Hidden reasoning tokens per request of a reasoning-model family; None for other models."""
    for row in _rules()["reasoning"]:
        if row["provider_id"] == provider_id and model.startswith(tuple(row["model_prefixes"])):
            return Rule(value=row["reasoning_tokens"], source=_rule_source(row))
    return None


@cache
def gpu_table() -> dict[str, GpuRow]:
    rows = yaml.safe_load(GPU_TABLE.read_text(encoding="utf-8"))["gpus"]
    return {row["name"]: GpuRow.model_validate({**row, "checked": str(row["checked"])}) for row in rows}


def gpu_for_device(device_name: str) -> GpuRow | None:
    """The row for a GPU as torch names it ("NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB"): the row
    whose model, its name's first word, is a whole word of the device name (so "L4" is not "L40S")."""
    words = set(re.split(r"[^A-Z0-9]+", device_name.upper()))
    return next((row for row in gpu_table().values() if row.name.split()[0].upper() in words), None)


def gpu(name: str) -> GpuRow:
    table = gpu_table()
    if name not in table:
        raise PriceNotFound(f"hosting.gpu: unknown GPU {name!r}; known: {', '.join(table)}")
    return table[name]


@cache
def finetune_table() -> dict[tuple[str, str], FinetuneRow]:
    rows = yaml.safe_load(FINETUNE_TABLE.read_text(encoding="utf-8"))["models"]
    parsed = [FinetuneRow.model_validate({**row, "checked": str(row["checked"])}) for row in rows]
    return {(row.provider_id, row.model): row for row in parsed}


def finetune_training_price(model: str, provider_id: str) -> FinetuneRow:
    row = finetune_table().get((provider_id, model))
    if row is None:
        known = ", ".join(f"{p}/{m}" for p, m in finetune_table())
        raise PriceNotFound(
            f"finetuning.provider_base_model: no hosted fine-tuning price for {provider_id}/{model} "
            f"in data/finetune_prices.yaml; known: {known}"
        )
    return row
