"""No raw tracebacks: a page that fails says so in one clear line; the other pages keep working."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

LOG = logging.getLogger("prompt_or_tune.dashboard")


def run_page(render: Callable[[], None]) -> None:
    try:
        render()
    except Exception as exc:  # the one place a page's unexpected error is turned into a message
        LOG.exception("dashboard page failed")
        st.error(f"This part of the page could not be shown: {type(exc).__name__}: {exc}. "
                 "Your scenario is kept; the other pages keep working.")
