"""Reading a label back from generated text (chain-of-thought locally, any endpoint reply). Torch-free."""

from __future__ import annotations

import re


def parse_label(text: str, verbalizers: list[str], cue: str) -> int:
    """Label index named after the last `cue:`; else the only label word in the text; else -1."""
    words = [re.compile(rf"\b{re.escape(v.lower())}\b") for v in verbalizers]
    lower = text.lower()
    tail = lower.rsplit(f"{cue.lower()}:", 1)[1] if f"{cue.lower()}:" in lower else None
    if tail is not None:
        hits = [(m.start(), i) for i, w in enumerate(words) if (m := w.search(tail))]
        if hits:
            return min(hits)[1]
    found = {i for i, w in enumerate(words) if w.search(lower)}
    return found.pop() if len(found) == 1 else -1
