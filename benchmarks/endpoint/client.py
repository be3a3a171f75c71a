"""The endpoint client: the official `openai` client, a preflight, retries and the response cache.

Retries are ours (the client's own are off) so every repeat is counted: 429, 5xx, timeouts and
dropped connections wait `Retry-After` when the server sends one, else an exponential backoff
with jitter. The key is read from the environment variable the user names and lives only in the
`openai` client object; it is never part of a request body, a cache key or a file.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import openai

from benchmarks.endpoint.cache import ResponseCache, request_key

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
SEED = 0  # a fixed seed: servers that honour it answer a repeated request the same way
PREFLIGHT_MAX_TOKENS = 16


class EndpointError(RuntimeError):
    """The endpoint cannot be used as configured; the message is one line saying what to fix."""


@dataclass(frozen=True)
class EndpointSettings:
    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = 60.0
    retries: int = 6
    concurrency: int = 4
    cache_dir: Path | None = None
    options: tuple[str, str, str] = ("--endpoint", "--endpoint-model", "--api-key-env")  # URL, model, key: named in errors

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @classmethod
    def from_config(cls, config) -> EndpointSettings:
        """From a BenchConfig's endpoint fields."""
        return cls(base_url=config.endpoint_url, model=config.endpoint_model, api_key_env=config.api_key_env,
                   timeout_s=config.endpoint_timeout_s, retries=config.endpoint_retries,
                   concurrency=config.concurrency)

    @classmethod
    def of_side(cls, config, who: str) -> EndpointSettings:
        """A side model's (`who`: judge, teacher) from a BenchConfig's `<who>_endpoint_url`, `<who>_model` and
        `<who>_api_key_env`, with the endpoint arms' timeout, retries and concurrency; errors name its options."""
        return cls(base_url=getattr(config, f"{who}_endpoint_url"), model=getattr(config, f"{who}_model"),
                   api_key_env=getattr(config, f"{who}_api_key_env"), timeout_s=config.endpoint_timeout_s,
                   retries=config.endpoint_retries, concurrency=config.concurrency,
                   options=(f"--{who}-endpoint", f"--{who}-model", f"--{who}-api-key-env"))


def label_schema(labels: list[str]) -> dict:
    """response_format constraining the answer to one of `labels` (OpenAI structured outputs)."""
    return {"type": "json_schema", "json_schema": {"name": "label", "strict": True, "schema": {
        "type": "object", "properties": {"label": {"type": "string", "enum": list(labels)}},
        "required": ["label"], "additionalProperties": False}}}


JSON_OBJECT = {"type": "json_object"}  # response_format of an extraction answer: any JSON object (JSON mode)
# The JSON-mode probe: a server that honours json_object answers it with an object; a model left free
# writes the words (OpenAI refuses json_object unless the messages say "json", and this one does).
JSON_PROBE = "Write the word json three times."
TEXT_PROBE = "Say hello."


def chat_body(model: str, content: str, max_tokens: int, response_format: dict | None = None,
              stop: list[str] | None = None) -> dict:
    """One chat request: the prompt as the user turn, greedy (temperature 0) with a fixed seed."""
    body = {"model": model, "messages": [{"role": "user", "content": content}], "temperature": 0,
            "seed": SEED, "max_tokens": max_tokens}
    return body | ({"response_format": response_format} if response_format else {}) | ({"stop": stop} if stop else {})


def retry_after_s(headers) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms`, `Retry-After` in seconds or an HTTP date."""
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError):
            return None


def backoff_s(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform in [0.5, 1] of min(cap, base·2^attempt)."""
    return min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt) * rng.uniform(0.5, 1.0)


RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError, openai.APIConnectionError)


@dataclass
class Answer:
    response: dict  # the chat completion, as JSON
    latency_s: float  # of the request that produced it (for a cached answer: its first measurement)
    cached: bool


@dataclass
class EndpointClient:
    settings: EndpointSettings
    cache: ResponseCache = field(default_factory=ResponseCache)
    sleep: Callable[[float], None] = time.sleep
    retries: int = 0  # repeats so far, over all requests
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _rng: random.Random = field(default_factory=lambda: random.Random(SEED), repr=False)

    def __post_init__(self) -> None:
        key = os.environ.get(self.settings.api_key_env)
        if not key:
            raise EndpointError(f"{self.settings.api_key_env} is not set: export the API key in it, or name "
                                f"another variable with {self.settings.options[2]}")
        self._client = openai.OpenAI(base_url=self.settings.base_url, api_key=key, max_retries=0,
                                     timeout=self.settings.timeout_s)

    def key(self, body: dict) -> str:
        return request_key(self.settings.base_url, self.settings.model, body)

    def cached(self, body: dict) -> Answer | None:
        record = self.cache.get(self.key(body))
        return Answer(record["response"], record["latency_s"], cached=True) if record else None

    def send(self, body: dict) -> Answer:
        """Send `body` (riding out 429/5xx/timeouts), store the answer in the cache, return it."""
        started = time.perf_counter()
        response = self._create(body, self.settings.retries)
        answer = Answer(response, time.perf_counter() - started, cached=False)
        self.cache.put(self.key(body), {"response": response, "latency_s": answer.latency_s})
        return answer

    def _create(self, body: dict, retries: int) -> dict:
        for attempt in range(retries + 1):
            try:
                return self._client.chat.completions.create(**body).model_dump(mode="json")
            except RETRYABLE as exc:
                if attempt == retries:
                    raise EndpointError(f"{self.settings.host}: gave up after {retries} retries: "
                                        f"{_one_line(exc)}") from exc
                headers = exc.response.headers if isinstance(exc, openai.APIStatusError) else None
                wait = retry_after_s(headers)
                with self._lock:
                    self.retries += 1
                    jittered = backoff_s(attempt, self._rng)
                self.sleep(wait if wait is not None else jittered)
        raise AssertionError("unreachable")

    def preflight(self, labels: list[str]) -> bool:
        """One small request before any test example: a wrong URL, key or model is a one-line
        EndpointError here. Returns whether the server constrains answers to a JSON schema enum."""
        content = f"Answer with one of: {', '.join(labels)}."
        try:
            reply = self._preflight(chat_body(self.settings.model, content, PREFLIGHT_MAX_TOKENS, label_schema(labels)))
        except openai.BadRequestError as exc:
            if "response_format" not in str(exc) and "json_schema" not in str(exc):
                raise self._explain(exc) from None
            self._preflight(chat_body(self.settings.model, content, PREFLIGHT_MAX_TOKENS))
            return False
        return label_from_json(reply_text(reply), labels) is not None

    def preflight_text(self, *, json_object: bool, stop: list[str] | None) -> tuple[bool, bool]:
        """The preflight of a text task's arm (no label set): one small request, asking for JSON mode
        (`json_object`, an extraction task) and sending `stop` (a generation task). A parameter the
        server refuses (400 naming it) is dropped and the request sent again. Returns (JSON mode
        honoured: the reply is an object, stop accepted)."""
        response_format = JSON_OBJECT if json_object else None
        content = JSON_PROBE if json_object else TEXT_PROBE
        while True:
            try:
                reply = self._preflight(chat_body(self.settings.model, content, PREFLIGHT_MAX_TOKENS,
                                                  response_format, stop))
                break
            except openai.BadRequestError as exc:
                if response_format and "response_format" in str(exc):
                    response_format = None
                elif stop and "stop" in str(exc):
                    stop = None
                else:
                    raise self._explain(exc) from None
        honoured = response_format is not None and reply_text(reply).lstrip().startswith("{")
        return honoured, stop is not None

    def _preflight(self, body: dict) -> dict:
        try:
            return self._create(body, retries=1)
        except EndpointError as exc:
            raise EndpointError(f"cannot reach {self.settings.base_url}: {exc.__cause__ and _one_line(exc.__cause__)}; "
                                f"check {self.settings.options[0]} (an OpenAI-compatible base URL, usually ending "
                                "in /v1)") from None
        except openai.BadRequestError:
            raise
        except openai.APIStatusError as exc:
            raise self._explain(exc) from None

    def _explain(self, exc: openai.APIStatusError) -> EndpointError:
        where, var = self.settings.host, self.settings.api_key_env
        if exc.status_code in (401, 403):
            return EndpointError(f"{where}: the key in {var} was refused ({exc.status_code}): {_one_line(exc)}")
        served = self._served_models()
        if served is not None and self.settings.model not in served:
            return EndpointError(f"{where}: model {self.settings.model!r} is not served; it serves: "
                                 f"{', '.join(served[:10]) or 'nothing'} ({self.settings.options[1]})")
        return EndpointError(f"{where}: {exc.status_code} for model {self.settings.model!r}: {_one_line(exc)}")

    def _served_models(self) -> list[str] | None:
        try:
            return [m.id for m in self._client.models.list()]
        except openai.OpenAIError:
            return None


def reply_text(response: dict) -> str:
    """The first choice's message text ('' when the server sent none)."""
    choices = response.get("choices") or [{}]
    return (choices[0].get("message") or {}).get("content") or ""


def label_from_json(text: str, labels: list[str]) -> int | None:
    """The label index of a `{"label": ...}` reply, or None when the reply is not that."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    label = value.get("label") if isinstance(value, dict) else None
    return labels.index(label) if label in labels else None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
