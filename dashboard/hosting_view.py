"""The Decision page's "Where the tuned models are served": each tuned approach on own GPUs and at the
provider, cheapest first (calculator/hosting.py), what the cheaper hosting saves, and the switch of
`finetuning.hosting` (the Scenario page's "Tuned model hosting", Fine-tuning tab)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculator.analysis import Analysis
from calculator.hosting import notes, table_columns, table_rows
from dashboard import state
from dashboard.text import escape_md

TITLE = "Where the tuned models are served"
FIELD = "finetuning.hosting"
SWITCH = {"provider": "Price the tuned models at the provider",
          "self_hosted": "Price the tuned models on own GPUs"}
POINTER = "Switch with the button below, or with Tuned model hosting on the Scenario page (Fine-tuning tab)."


def render(found: Analysis) -> None:
    """The table and its caption; nothing when the scenario compares no provider-trainable tuned approach."""
    served = found.hosting_variants
    if not served.variants:
        return
    st.subheader(TITLE)
    frame = pd.DataFrame(table_rows(served), columns=table_columns(served))
    st.table(frame.map(escape_md).rename(columns=escape_md), hide_index=True)
    st.caption(escape_md(" ".join([*notes(served), POINTER])))
    other = "provider" if found.scenario.finetuning.hosting == "self_hosted" else "self_hosted"
    if any(v.hosting == other for v in served.variants):
        st.button(SWITCH[other], on_click=state.change_field, args=(FIELD, other),
                  help=f"Sets {FIELD} to {other}; the whole page is priced again.")
