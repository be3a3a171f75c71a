"""Price lookups: API tokens from genai-prices, GPUs and hosted fine-tuning from data/ tables."""

from __future__ import annotations

import importlib.metadata
import re
from decimal import Decimal
from functools import cache
from typing import Literal

import yaml
from genai_prices import Usage, calc_price
from genai_prices.types import TieredPrices
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.approaches import SPECS
from core.files import data_path
from core.units import MTOK

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
    memory_tbs: float = Field(gt=0)  # memory bandwidth, TB/s: decoding reads every weight for each token
    source: str
    checked: str


class FinetuneRow(BaseModel):
    """A hosted fine-tuning offer from data/finetune_prices.yaml (the file's header explains each field)."""

    model_config = ConfigDict(extra="forbid")
    provider_id: str
    model: str
    training_usd_per_mtok: float = Field(gt=0)
    serving: Literal["per_token", "dedicated"]
    tuned_input_usd_per_mtok: float | None = Field(None, gt=0)
    tuned_output_usd_per_mtok: float | None = Field(None, gt=0)
    base_input_usd_per_mtok: float | None = Field(None, gt=0)
    base_output_usd_per_mtok: float | None = Field(None, gt=0)
    approaches: list[str] = Field(min_length=1)  # approaches whose spec says a provider can train them
    source: str
    checked: str

    @field_validator("approaches")
    @classmethod
    def _provider_trainable(cls, approaches: list[str]) -> list[str]:
        allowed = [s.name for s in SPECS if s.provider_trainable]
        if bad := [a for a in approaches if a not in allowed]:
            raise ValueError(f"approaches: {', '.join(bad)} cannot be trained by a provider; allowed: {', '.join(allowed)}")
        return approaches

    @model_validator(mode="after")
    def _per_token_prices(self) -> FinetuneRow:
        prices = (self.tuned_input_usd_per_mtok, self.tuned_output_usd_per_mtok,
                  self.base_input_usd_per_mtok, self.base_output_usd_per_mtok)
        if (self.serving == "per_token") != all(price is not None for price in prices):
            raise ValueError(f"{self.provider_id}/{self.model}: a per_token row gives the tuned and base "
                             "input and output prices, a dedicated row none")
        return self

    @property
    def table_source(self) -> str:
        return f"data/finetune_prices.yaml: {self.provider_id}/{self.model} ({self.source}; checked {self.checked})"


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
            f"({exc}); pick another model, or type its input and output prices per 1M tokens (in scenario "
            "files: api.input_usd_per_mtok and api.output_usd_per_mtok)"
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


def finetune_offer(model: str, provider_id: str) -> FinetuneRow:
    """The hosted fine-tuning row of this provider and model. PriceNotFound names the fields to set
    and every provider and model the table has, when the provider has none or not this model."""
    table = finetune_table()
    row = table.get((provider_id, model))
    if row is not None:
        return row
    by_provider: dict[str, list[str]] = {}
    for provider, name in table:
        by_provider.setdefault(provider, []).append(name)
    known = "; ".join(f"{provider}: {', '.join(names)}" for provider, names in by_provider.items())
    where = (f"{provider_id} has rows only for {', '.join(by_provider[provider_id])}"
             if provider_id in by_provider else f"{provider_id} has no hosted fine-tuning rows")
    raise PriceNotFound(
        f"finetuning.provider_base_model: no hosted fine-tuning price for {provider_id}/{model} in "
        f"data/finetune_prices.yaml ({where}). Rows exist for {known}. Set finetuning.provider_id and "
        "finetuning.provider_base_model to one of them, add a row with its source, or set "
        "finetuning.hosting=self_hosted"
    )
