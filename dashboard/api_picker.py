"""The API provider and model, picked from genai-prices' lists; any other model id can be typed.

A provider change keeps the model when the new provider prices it, else takes the provider's first
priced model and says so; a model genai-prices cannot price is refused in the reader's words.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from calculator.price_catalog import model_for, models, priced, providers, unpriced
from dashboard import fields, state

OTHER = "Other model…"
PROVIDER, MODEL = "api.provider_id", "api.model"
TYPED_PLACE = "typed"  # the free-text box: its own widget of the same field, re-read with the list
NOTE = "api_model_note"  # session key: why the model changed with the provider


def _on_provider(key: str) -> None:
    if key not in st.session_state:
        return
    provider, current = st.session_state[key], state.scenario().api.model
    model = model_for(provider, current)
    if model is None:
        st.session_state[state.ERRORS][PROVIDER] = (f"genai-prices has no per-token model prices at "
                                                    f"{providers().get(provider, provider)}: choose another provider.")
        return
    if state.change_field(PROVIDER, provider, from_key=key, also={MODEL: model}) and model != current:
        st.session_state[NOTE] = (f"Model set to {model}, the first of {providers()[provider]}'s models "
                                  f"that genai-prices prices ({current} is not priced there).")
    else:
        st.session_state.pop(NOTE, None)


def _set_model(model: str, key: str) -> None:
    st.session_state.pop(NOTE, None)
    provider = state.scenario().api.provider_id
    if not state.change_field(MODEL, model, from_key=key) and not priced(model, provider):
        st.session_state[state.ERRORS][MODEL] = unpriced(model, provider)


def _on_model(key: str) -> None:
    if key in st.session_state and st.session_state[key] != OTHER:
        _set_model(st.session_state[key], key)


def _on_typed(key: str) -> None:
    if key in st.session_state and st.session_state[key].strip():
        _set_model(st.session_state[key].strip(), key)


def render() -> DeltaGenerator:
    """Provider and model side by side in the first two of three columns; the third is returned."""
    api = state.scenario().api
    names = providers()
    cols = st.columns(3)
    with cols[0]:
        options = list(names) if api.provider_id in names else [api.provider_id, *names]
        key = state.widget_key("main", PROVIDER)
        st.selectbox("API provider", options, format_func=lambda p: names.get(p, p),
                     help="Providers genai-prices has prices for. In scenario files: `api.provider_id`.",
                     on_change=_on_provider, args=(key,), key=key,
                     **({} if key in st.session_state else {"index": options.index(api.provider_id)}))
        fields.show_error(PROVIDER)
    with cols[1]:
        listed = list(models(api.provider_id))
        options = [*listed, OTHER]
        key = state.widget_key("main", MODEL)
        shown = api.model if api.model in listed else OTHER
        st.selectbox("API model", options, key=key, on_change=_on_model, args=(key,),
                     help="Model used for prompting, from genai-prices' list for the provider; "
                          f"'{OTHER}' types any id genai-prices knows. In scenario files: `api.model`.",
                     **({} if key in st.session_state else {"index": options.index(shown)}))
        if st.session_state.get(key, shown) == OTHER:
            typed = state.widget_key(TYPED_PLACE, MODEL)
            st.text_input("Model id", key=typed, on_change=_on_typed, args=(typed,),
                          help="As the provider names it, e.g. gpt-4o-2024-08-06.",
                          **({} if typed in st.session_state else {"value": api.model}))
        fields.show_error(MODEL)
        if note := st.session_state.get(NOTE):
            st.caption(note)
    return cols[2]
