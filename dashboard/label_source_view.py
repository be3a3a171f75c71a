"""The Decision page's "Who labels the training data": each tuned approach on people's labels and on a
teacher model's (calculator/label_sources.py), with what each costs and would score, and the switch of
`teacher.approaches`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from calculator.analysis import Analysis
from calculator.label_sources import notes, table_columns, table_rows
from core.approaches import title
from dashboard import state
from dashboard.text import escape_md

TITLE = "Who labels the training data"
FIELD = "teacher.approaches"


def render(found: Analysis) -> None:
    """The table and its caption; nothing when no compared approach trains on labels."""
    sources = found.label_sources
    if not sources.variants and not sources.left_out:
        return
    st.subheader(TITLE)
    if sources.variants:
        frame = pd.DataFrame(table_rows(sources), columns=table_columns(sources))
        st.table(frame.map(escape_md).rename(columns=escape_md), hide_index=True)
    st.caption(escape_md(" ".join([*notes(sources), "Teacher, its prompt, reviewed share and agreement: "
                                   "the Scenario page's Fine-tuning tab, or the buttons below."])))
    taught = list(found.scenario.teacher.approaches)
    tuned = list(dict.fromkeys(v.approach for v in sources.variants))
    if tuned and set(tuned) - set(taught):
        st.button(f"Train {', '.join(title(n) for n in tuned)} on {sources.teacher}'s labels",
                  on_click=state.change_field, args=(FIELD, tuned),
                  help=f"Sets {FIELD}; the whole page is priced again.")
    if taught:
        st.button("Train on people's labels", on_click=state.change_field, args=(FIELD, []),
                  help=f"Empties {FIELD}; the whole page is priced again.")
