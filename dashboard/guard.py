"""No raw tracebacks: a page that fails says so in one clear line; the other pages keep working."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

import streamlit as st

LOG = logging.getLogger("prompt_or_tune.dashboard")


def run_page(view: str | Callable[[], None]) -> None:
    """Render a view (a module name with a `render()`, or the function itself), errors inline."""
    try:
        render = importlib.import_module(view).render if isinstance(view, str) else view
        render()
    except Exception as exc:  # the one place a page's unexpected error is turned into a message
        LOG.exception("dashboard page failed")
        st.error(f"This part of the page could not be shown: {type(exc).__name__}: {exc}. "
                 "Your scenario is kept; the other pages keep working.")
