"""Prompt or Tune dashboard: layout only; every number comes from calculator/ or a result file."""

import streamlit as st

from dashboard import sidebar, state
from dashboard.guard import run_page

st.set_page_config(page_title="Prompt or Tune", page_icon=":material/balance:", layout="wide")
state.init()
page = st.navigation([
    st.Page("dashboard/pages/decision.py", title="Decision", icon=":material/task_alt:", default=True),
    st.Page("dashboard/pages/costs.py", title="Costs", icon=":material/payments:"),
    st.Page("dashboard/pages/scenario.py", title="Scenario", icon=":material/tune:"),
    st.Page("dashboard/pages/tokens.py", title="Tokens", icon=":material/token:"),
    st.Page("dashboard/pages/benchmark.py", title="Benchmark", icon=":material/science:"),
])
run_page(sidebar.render)
page.run()
state.sync_url()
