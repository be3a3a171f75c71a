"""Prompt/output token counts in an API model's tokenizer (tiktoken), with a labelled fallback."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

ENCODING = "o200k_base"  # GPT-4o family; what a hosted-prompting baseline would be billed in
ESTIMATE_LABEL = "estimate: characters/4 (tiktoken encoding unavailable)"


class TokenCounter:
    """Counts with tiktoken when its encoding can be loaded (offline: TIKTOKEN_CACHE_DIR), else estimates."""

    def __init__(self, encoding: str = ENCODING) -> None:
        try:
            import tiktoken

            self._enc = tiktoken.get_encoding(encoding)
            self.label = encoding
        except Exception as exc:  # network or cache failure: say so, never crash a benchmark
            log.warning("tiktoken %s unavailable (%s); token counts are estimates", encoding, exc)
            self._enc = None
            self.label = ESTIMATE_LABEL

    def count(self, text: str) -> int:
        if self._enc is None:
            return max(1, round(len(text) / 4))
        return len(self._enc.encode(text, disallowed_special=()))

    def mean(self, texts: list[str]) -> float:
        return sum(map(self.count, texts)) / len(texts) if texts else 0.0
