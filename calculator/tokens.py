"""Token counts with tiktoken, and a labeled estimate when an encoding cannot be loaded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from statistics import fmean

import tiktoken

CHARS_PER_TOKEN_ESTIMATE = 4.0
DEFAULT_ENCODING = "o200k_base"


@dataclass(frozen=True)
class TokenCounter:
    """Counts tokens; `source` says which encoding did it, or that it is an estimate."""

    encoding_name: str
    encoding: tiktoken.Encoding | None
    note: str

    @property
    def exact(self) -> bool:
        return self.encoding is not None

    @property
    def source(self) -> str:
        if self.exact:
            return f"tiktoken {self.encoding_name}{' (' + self.note + ')' if self.note else ''}"
        return f"estimate: characters / {CHARS_PER_TOKEN_ESTIMATE:g} ({self.note})"

    def count(self, text: str) -> int:
        if self.encoding is not None:
            return len(self.encoding.encode(text, disallowed_special=()))
        return max(1, round(len(text) / CHARS_PER_TOKEN_ESTIMATE)) if text else 0

    def mean(self, texts: Iterable[str]) -> float:
        """Mean tokens per text; 0 for none."""
        counts = [self.count(text) for text in texts]
        return fmean(counts) if counts else 0.0


def encoding_name_for(model: str) -> tuple[str, str]:
    """(encoding, note): the model's own encoding, or o200k_base as a stated stand-in."""
    try:
        return tiktoken.encoding_name_for_model(model), ""
    except KeyError:
        return DEFAULT_ENCODING, f"{model} is not an OpenAI model; {DEFAULT_ENCODING} approximates it"


@cache
def counter_for(model: str, encoding_override: str | None = None) -> TokenCounter:
    name, note = (encoding_override, "set in scenario") if encoding_override else encoding_name_for(model)
    try:
        return TokenCounter(name, tiktoken.get_encoding(name), note)
    except Exception as exc:  # offline without a cache, unknown name: never crash, say so
        reason = f"tiktoken could not load {name}: {type(exc).__name__}"
        return TokenCounter(name, None, reason)
