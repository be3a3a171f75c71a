"""The Benchmark form's endpoint arms: the prompting approaches sent to an OpenAI-compatible API.

The key comes from an environment variable the user names, or from a password field whose value
lives only in this session's memory: it reaches the run through the child process's environment
under a generated variable name (config.json records that name, never the key), and no file, event,
log or URL of ours sees it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from benchmarks.config import BenchConfig

NO_PROVIDER = "none (give your prices)"
SESSION_KEY_PREFIX = "PROMPT_OR_TUNE_SESSION_KEY_"  # + random hex: the run's variable for a typed key
FIELDS = BenchConfig.model_fields


@dataclass(frozen=True)
class EndpointInput:
    fields: dict[str, Any] = field(default_factory=dict)  # BenchConfig fields of the endpoint arms
    secrets: dict[str, str] = field(default_factory=dict)  # variable -> key, for the run's environment only


@st.cache_data(show_spinner=False)
def provider_ids() -> list[str]:
    """genai-prices' provider ids (its bundled snapshot)."""
    from genai_prices import data

    return sorted(p.id for p in data.providers)


def inputs() -> EndpointInput:
    """The endpoint widgets (inside the Start form); no URL: no endpoint arms."""
    with st.expander("Endpoint arms: prompting on an OpenAI-compatible API (optional)"):
        st.caption("With a URL, the prompting approaches chosen above run on the endpoint; the tuned ones "
                   "run locally, on the same test split.")
        url = st.text_input("Endpoint URL", placeholder="https://api.openai.com/v1", help=FIELDS["endpoint_url"].description)
        model = st.text_input("Endpoint model", placeholder="gpt-4o-mini", help=FIELDS["endpoint_model"].description)
        cols = st.columns(3)
        provider = cols[0].selectbox("Provider (for prices)", [NO_PROVIDER, *provider_ids()],
                                     help=FIELDS["provider"].description)
        prices = [cols[i + 1].number_input(label, min_value=0.0, max_value=10_000.0, value=None, step=0.1,
                                           help=FIELDS[name].description)
                  for i, (label, name) in enumerate((("Your input $ per 1M tokens", "input_usd_per_mtok"),
                                                     ("Your output $ per 1M tokens", "output_usd_per_mtok")))]
        cols = st.columns(2)
        key_env = cols[0].text_input("Key variable", "OPENAI_API_KEY", help=FIELDS["api_key_env"].description)
        key = cols[1].text_input("Or the key itself", type="password",
                                 help="Held in this session's memory only and handed to the run through its "
                                      "environment; never written to the run's files, the page link or a report.")
        cols = st.columns(2)
        max_usd = cols[0].number_input("Stop at (USD)", min_value=0.01, max_value=100_000.0, value=None,
                                       help=FIELDS["max_usd"].description)
        concurrency = cols[1].number_input("Requests in flight", min_value=1, max_value=256, value=4,
                                           help=FIELDS["concurrency"].description)
    if not url.strip():
        return EndpointInput()
    found = {"endpoint_url": url.strip(), "endpoint_model": model.strip() or None, "api_key_env": key_env.strip(),
             "provider": None if provider == NO_PROVIDER else provider, "input_usd_per_mtok": prices[0],
             "output_usd_per_mtok": prices[1], "max_usd": max_usd, "concurrency": int(concurrency)}
    given = {}
    if key:
        found["api_key_env"] = SESSION_KEY_PREFIX + secrets.token_hex(6).upper()
        given = {found["api_key_env"]: key}
    return EndpointInput({k: v for k, v in found.items() if v is not None}, given)


@st.cache_data(max_entries=16, show_spinner="Estimating the endpoint cost…")
def _estimate(config_json: str) -> str:
    from benchmarks.endpoint.arm import cost_estimate
    from benchmarks.tasks import load_task

    config = BenchConfig.model_validate_json(config_json)
    return cost_estimate(config, load_task(config))


def estimate(config: BenchConfig) -> str:
    """The most the run's endpoint arms can cost (one line; the CLI prints the same)."""
    wanted = json.loads(config.model_dump_json(exclude={"api_key_env"}))
    return _estimate(json.dumps(wanted, sort_keys=True))
