"""Dev entry for `make app` / `streamlit run streamlit_app.py`: the packaged dashboard (dashboard/app.py)."""

from dashboard.app import main

main()
