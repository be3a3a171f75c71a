"""The Streamlit dashboard: pages under `pages/`, one small view module per page."""
