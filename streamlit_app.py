"""Prompt or Tune dashboard (placeholder until the dashboard lands)."""

import streamlit as st

st.set_page_config(page_title="Prompt or Tune", layout="wide")
st.title("Prompt or Tune")
st.write("Prompt engineering or fine-tuning: the cost model and benchmarks are being built.")
