"""The Benchmark form's teacher: who labels the training inputs the tuned approaches train on (issue 29,
distillation). The data's own labels, the run's model answering zero-shot (a local teacher), or a model on
an OpenAI-compatible API; the test split is scored against the gold labels either way. The key is read from
the environment variable named here (the endpoint arms' password field is for their own key)."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from benchmarks.config import BenchConfig
from dashboard.endpoint_form import NO_PROVIDER, provider_ids

FIELDS = BenchConfig.model_fields
SOURCES = {"gold": "the data's own labels", "local": "the run's model, zero-shot (a local teacher)",
           "endpoint": "a model on an OpenAI-compatible API (an endpoint teacher)"}


def inputs() -> dict[str, Any]:
    """The teacher widgets (inside the Start form): the BenchConfig fields of the teacher, none for gold labels."""
    with st.expander("Teacher labels: train the tuned approaches on a model's labels (optional)"):
        st.caption("Distillation: a teacher labels the training inputs (never shown their gold labels), the tuned "
                   "approaches train on its labels, and every approach is scored on the gold test split. The run "
                   "records the teacher's agreement with the gold labels and what its labels cost.")
        source = st.radio("Training labels from", list(SOURCES), format_func=SOURCES.get)
        cols = st.columns(2)
        url = cols[0].text_input("Teacher URL", placeholder="https://api.openai.com/v1",
                                 help=FIELDS["teacher_endpoint_url"].description)
        model = cols[1].text_input("Teacher model", placeholder="gpt-4o-mini", help=FIELDS["teacher_model"].description)
        cols = st.columns(2)
        provider = cols[0].selectbox("Teacher provider (for prices)", [NO_PROVIDER, *provider_ids()],
                                     help=FIELDS["teacher_provider"].description)
        key_env = cols[1].text_input("Teacher key variable", "OPENAI_API_KEY",
                                     help=FIELDS["teacher_api_key_env"].description)
    if source == "gold":
        return {}
    if source == "local":
        return {"teacher": "local"}
    found = {"teacher": "endpoint", "teacher_endpoint_url": url.strip() or None, "teacher_model": model.strip() or None,
             "teacher_provider": None if provider == NO_PROVIDER else provider,
             "teacher_api_key_env": key_env.strip() or None}
    return {k: v for k, v in found.items() if v is not None}


@st.cache_data(max_entries=16, show_spinner="Estimating the teacher's cost…")
def _estimate(config_json: str) -> str:
    from benchmarks.endpoint.arm import Budget
    from benchmarks.endpoint.client import EndpointError
    from benchmarks.tasks import load_task
    from benchmarks.teacher import open_teacher, teacher_cost_estimate
    from calculator.prices import PriceNotFound

    config = BenchConfig.model_validate_json(config_json)
    task = load_task(config)
    try:
        session = open_teacher(config, task.verbalizers, Budget(config.max_usd), None).session
    except (EndpointError, PriceNotFound) as exc:
        return f"teacher: {exc}"
    return teacher_cost_estimate(config, task, session)


def estimate(config: BenchConfig) -> str | None:
    """The endpoint teacher's likely and most cost (one line, the CLI's own; one small request checks the
    endpoint first); None without an endpoint teacher."""
    if config.teacher != "endpoint":
        return None
    return _estimate(json.dumps(json.loads(config.model_dump_json()), sort_keys=True))
