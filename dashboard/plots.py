"""How the dashboard shows a plotly figure: full width, the plotly toolbar only while hovered
(so it never sits on a title in a two-column row)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

CONFIG = {"displayModeBar": "hover", "displaylogo": False}


def show(figure: go.Figure, where: DeltaGenerator | None = None) -> None:
    (where or st).plotly_chart(figure, width="stretch", config=CONFIG)
