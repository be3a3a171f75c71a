"""Prompt or Tune dashboard: layout only; every number comes from calculator/ or a result file.

The entry script inside the installed package (`prompt-or-tune app` runs it with streamlit);
the repository's streamlit_app.py calls `main()` for `make app`. Its settings are .streamlit/
next to it, which Streamlit reads for the script it runs.
"""

from pathlib import Path

import streamlit as st

from dashboard import sidebar, state
from dashboard.guard import run_page

PAGES = Path(__file__).resolve().parent / "pages"


def main() -> None:
    st.set_page_config(page_title="Prompt or Tune", page_icon=":material/balance:", layout="wide")
    state.init()
    page = st.navigation([
        st.Page(PAGES / "decision.py", title="Decision", icon=":material/task_alt:", default=True),
        st.Page(PAGES / "costs.py", title="Costs", icon=":material/payments:"),
        st.Page(PAGES / "scenario.py", title="Scenario", icon=":material/tune:"),
        st.Page(PAGES / "tokens.py", title="Tokens", icon=":material/token:"),
        st.Page(PAGES / "benchmark.py", title="Benchmark", icon=":material/science:"),
    ])
    run_page(sidebar.render)
    if message := state.link_error():  # on every page until dismissed: the numbers are not the link's
        st.warning(message, icon=":material/link_off:")
        st.button("Dismiss", key="dismiss_link_error", on_click=state.dismiss_link_error)
    page.run()
    state.sync_url()


if __name__ == "__main__":
    main()
