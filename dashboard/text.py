"""User text made inert in Markdown (and `$` never read as LaTeX)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=])")


def escape_md(text: str) -> str:
    """User text shown through st.markdown renders as the characters typed, nothing else."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def dollars(text: str) -> str:
    """Our own sentences with amounts: escape only `$` so Markdown does not start LaTeX."""
    return text.replace("$", r"\$")
