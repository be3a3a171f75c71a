"""One endpoint arm: an approach's prompt for every test example, sent at the chosen concurrency,
answers parsed to labels, and the result row (backend 'endpoint') with usage, dollars and latency.

The prompt is calculator.prompts' text for the approach as a chat user turn (`Template.chat_body`,
what a local arm wraps in its chat template), on the same held-out test split as the local arms.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from benchmarks.answers import parse_label
from benchmarks.endpoint.client import (
    Answer,
    EndpointClient,
    EndpointSettings,
    chat_body,
    label_from_json,
    label_schema,
    reply_text,
)
from benchmarks.endpoint.money import Pricing, Usage, pricing
from benchmarks.metrics import latency_percentiles
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import Example, TaskData, balanced_shots
from calculator.prompts import TEXT, Template
from calculator.tokens import TokenCounter, counter_for
from core.approaches import spec
from core.result import ApproachResult, EndpointStats, ModelInfo

# A request's input is reserved against --max-usd at its tiktoken count times this, plus the chat
# template's tokens: the server's tokenizer may count more than o200k_base does.
INPUT_RESERVE_FACTOR = 1.5
CHAT_OVERHEAD_TOKENS = 32


class BudgetExhausted(RuntimeError):
    """--max-usd was reached before this arm could send its first request."""


@dataclass
class Budget:
    """Dollars the run's endpoint arms may still spend: each request reserves its upper bound
    before it is sent and settles at its measured price, so requests in flight never pass the cap."""

    limit: float | None
    spent: float = 0.0
    reserved: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reserve(self, amount: float) -> bool:
        with self._lock:
            if self.limit is not None and self.spent + self.reserved + amount > self.limit:
                return False
            self.reserved += amount
            return True

    def settle(self, reserved: float, actual: float) -> None:
        with self._lock:
            self.reserved -= reserved
            self.spent += actual


@dataclass
class Record:
    index: int  # in the test split
    output: str
    pred: int  # -1: unparseable
    usage: Usage
    usd: float | None
    latency_s: float
    cached: bool


@dataclass
class ArmOutcome:
    records: list[Record]  # in test order; fewer than the split when `stopped`
    stopped: str | None
    sent: int
    retries: int
    sent_wall_s: float  # from the first request sent to the last answer back (0 when none was sent)


@dataclass
class EndpointSession:
    """What the run's endpoint arms share: one client (preflighted), prices and the budget."""

    settings: EndpointSettings
    client: EndpointClient
    pricing: Pricing | None
    constrained: bool
    budget: Budget
    provider: str | None = None
    counter: TokenCounter = field(default_factory=lambda: counter_for("gpt-4o"))


def open_session(config, labels: list[str]) -> EndpointSession:
    """Prices, the client and its preflight: raises EndpointError/PriceNotFound (one line) before
    any test example is sent."""
    prices = pricing(config.endpoint_model, config.provider, config.input_usd_per_mtok, config.output_usd_per_mtok)
    settings = EndpointSettings.from_config(config)
    client = EndpointClient(settings)
    constrained = client.preflight(labels)
    return EndpointSession(settings, client, prices, constrained, Budget(config.max_usd), config.provider,
                           counter_for(config.endpoint_model))


def served_model(config) -> ModelInfo:
    """The run's model when every arm is an endpoint arm: the served model, by name and host."""
    return ModelInfo(name=config.endpoint_model, source=f"endpoint {EndpointSettings.from_config(config).host}",
                     parameters=0, dtype="as served")


def shots_for(task: TaskData, name: str, k: int, seed: int) -> list[Example]:
    """The few-shot examples a local arm draws (tasks.balanced_shots, same k and seed), unfitted:
    an endpoint has no local max_seq_len to fit them into."""
    return balanced_shots(task, k, seed) if spec(name).prompt_kind == "few_shot" else []


def chat_prompts(task: TaskData, name: str, shots: Sequence[Example] = ()) -> tuple[Template, list[str]]:
    """(the approach's template, the user message of every test example) for approach `name`."""
    template = PromptBuilder(task, tokenizer=None, use_chat=True, kind=spec(name).prompt_kind,
                             shots=list(shots)).template
    return template, [template.chat_body.replace(TEXT, e.text) for e in task.test]


def parse_answer(text: str, verbalizers: list[str], cue: str) -> int:
    """A JSON `{"label": ...}` reply, else the label named after the cue or alone in the text; -1 if none."""
    found = label_from_json(text.strip(), verbalizers)
    return found if found is not None else parse_label(text, verbalizers, cue)


def max_tokens_for(name: str, config) -> int:
    return config.max_new_tokens if spec(name).prompt_kind == "chain_of_thought" else config.answer_max_tokens


def request_bound_usd(prices: Pricing, counter: TokenCounter, prompt: str, max_tokens: int) -> float:
    return prices.usd_upper_bound(counter.count(prompt) * INPUT_RESERVE_FACTOR + CHAT_OVERHEAD_TOKENS, max_tokens)


def estimate_usd(prices: Pricing, config, task: TaskData, counter: TokenCounter) -> dict[str, tuple[float, int]]:
    """Most each endpoint arm can cost before it starts (every answer at its max_tokens), and its requests."""
    out = {}
    for name, backend in config.arms:
        if backend == "endpoint":
            _, prompts = chat_prompts(task, name, shots_for(task, name, config.k, config.seed))
            out[name] = (sum(request_bound_usd(prices, counter, p, max_tokens_for(name, config)) for p in prompts),
                         len(prompts))
    return out


def cost_estimate(config, task: TaskData, prices: Pricing | None = None, counter: TokenCounter | None = None) -> str:
    """The most the endpoint arms can cost, as one line (the CLI prints it, the dashboard shows it
    before Start). Prices from the config unless given: raises PriceNotFound for an unpriced model."""
    if prices is None:
        prices = pricing(config.endpoint_model, config.provider, config.input_usd_per_mtok, config.output_usd_per_mtok)
    if prices is None:
        return "endpoint cost: no prices (name the provider, or give your input and output $ per 1M tokens)"
    estimate = estimate_usd(prices, config, task, counter or counter_for(config.endpoint_model))
    parts = ", ".join(f"{spec(name).title} ${usd:.4f} for {n:,}" for name, (usd, n) in estimate.items())
    total, requests = sum(usd for usd, _ in estimate.values()), sum(n for _, n in estimate.values())
    cap = f"; stops at max_usd ${config.max_usd:g}" if config.max_usd else ""
    return (f"endpoint cost at most ${total:.4f} for {requests:,} requests to {config.endpoint_model} "
            f"({parts}; every answer at its max tokens; {prices.source}){cap}")


def run_arm(
    session: EndpointSession, prompts: list[str], verbalizers: list[str], cue: str, max_tokens: int, *,
    label_answer: bool = True, on_progress: Callable[[int, int], None] | None = None,
) -> ArmOutcome:
    """Answer every prompt: from the cache, else sent (at most `concurrency` in flight) while the
    budget allows. A `label_answer` (not reasoning) is constrained to the labels where the server
    can. Progress is reported from this thread only."""
    client, prices, budget = session.client, session.pricing, session.budget
    schema = label_schema(verbalizers) if session.constrained and label_answer else None
    bodies = [chat_body(session.settings.model, p, max_tokens, schema) for p in prompts]
    records: dict[int, Record] = {}
    stopped, sent, retries_before, first_sent = None, 0, client.retries, None

    def record(index: int, answer: Answer) -> None:
        usage = Usage.from_response(answer.response)
        text = reply_text(answer.response)
        records[index] = Record(index, text, parse_answer(text, verbalizers, cue), usage,
                                prices.usd(usage) if prices else None, answer.latency_s, answer.cached)
        if on_progress:
            on_progress(len(records), len(bodies))

    def send(index: int, reserved: float) -> tuple[int, Answer, float]:
        return index, client.send(bodies[index]), reserved

    def drain(futures: set[Future], until: int) -> None:
        while len(futures) > until:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                futures.discard(future)
                index, answer, reserved = future.result()
                record(index, answer)
                budget.settle(reserved, records[index].usd or 0.0)

    concurrency = session.settings.concurrency
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        pending: set[Future] = set()
        try:
            for index, body in enumerate(bodies):
                if (hit := client.cached(body)) is not None:
                    record(index, hit)
                    continue
                drain(pending, concurrency - 1)
                bound = request_bound_usd(prices, session.counter, prompts[index], max_tokens) if prices else 0.0
                if not budget.reserve(bound):
                    stopped = "max_usd"
                    break
                first_sent = first_sent or time.perf_counter()
                pending.add(pool.submit(send, index, bound))
                sent += 1
        finally:
            drain(pending, 0)
    wall = time.perf_counter() - first_sent if first_sent else 0.0
    return ArmOutcome([records[i] for i in sorted(records)], stopped, sent, client.retries - retries_before, wall)


def run(ctx, name: str, session: EndpointSession) -> ApproachResult:
    """The endpoint arm of approach `name` in a benchmark run: its row, and its prediction rows."""
    task, config = ctx.task, ctx.config
    shots = shots_for(task, name, config.k, config.seed)
    template, prompts = chat_prompts(task, name, shots)
    outcome = run_arm(session, prompts, task.verbalizers, template.answer_cue, max_tokens_for(name, config),
                      label_answer=spec(name).prompt_kind != "chain_of_thought",
                      on_progress=lambda done, total: ctx.progress.step(name, done, total))
    if not outcome.records:
        raise BudgetExhausted(f"max_usd ${config.max_usd:g} reached before {name} sent a request")
    if outcome.stopped:
        ctx.notes.append(f"{name} (endpoint): stopped by max_usd ${config.max_usd:g} after {len(outcome.records)} "
                         f"of {len(prompts)} test examples; its accuracy is over those")
    return result_row(ctx, name, session, outcome, prompts, config={
        "max_tokens": max_tokens_for(name, config), "k": len(shots), "seed": config.seed, "temperature": 0,
        "prompt": template.chat_body.replace(TEXT, "{input}")})


def result_row(ctx, name: str, session: EndpointSession, outcome: ArmOutcome, prompts: list[str],
               config: dict) -> ApproachResult:
    task, recs = ctx.task, outcome.records
    truth = ctx.kind.targets([task.test[r.index] for r in recs])
    pred = np.array([r.pred for r in recs])
    ctx.rows.add_predictions(name, [r.index for r in recs], truth, pred, [r.output for r in recs], backend="endpoint")
    fresh = [r for r in recs if not r.cached]
    timed = np.array([r.latency_s for r in (fresh or recs)])  # all cached: their first measurement
    p50, p95 = latency_percentiles(timed)
    inputs = [r.usage.input for r in recs]
    sent_prompts = [prompts[r.index] for r in recs]
    tiktoken_in = session.counter.mean(sent_prompts)
    usd = [r.usd for r in recs if r.usd is not None]
    # the wall time of what was sent; all cached: their first latencies, `concurrency` at a time
    seconds = outcome.sent_wall_s or float(np.sum(timed)) / min(session.settings.concurrency, len(timed))
    stats = EndpointStats(
        requests=len(recs), sent=outcome.sent, cached=len(recs) - len(fresh), retries=outcome.retries,
        concurrency=session.settings.concurrency, constrained=session.constrained,
        input_tokens=_mean(inputs), cached_input_tokens=_mean([r.usage.cached_input for r in recs]),
        output_tokens=_mean([r.usage.output for r in recs]), reasoning_tokens=_mean([r.usage.reasoning for r in recs]),
        tiktoken_input_tokens=tiktoken_in, input_tokens_difference=_mean(inputs) - tiktoken_in,
        usd_per_request=_mean(usd) if usd else None,
        usd_per_request_p50=float(np.percentile(usd, 50)) if usd else None,
        usd_per_request_p95=float(np.percentile(usd, 95)) if usd else None,
        usd_total=float(sum(usd)) if usd else None,
        usd_sent=float(sum(r.usd for r in fresh if r.usd is not None)) if usd else None,
        price_source=session.pricing.source if session.pricing else None, stopped=outcome.stopped,
    )
    return ApproachResult(
        approach=name, backend="endpoint", model=session.settings.model, endpoint_host=session.settings.host,
        provider=session.provider, config=config, labeled_examples=int(config.get("k", 0)), n_test=len(recs),
        **ctx.kind.quality(truth, pred), unparseable=int(np.sum(pred < 0)),
        prompt_tokens_model=_mean(inputs), prompt_tokens_tiktoken=tiktoken_in,
        output_tokens_model=stats.output_tokens,
        output_tokens_tiktoken=session.counter.mean([r.output for r in recs]),
        tiktoken_encoding=session.counter.encoding_name if session.counter.exact else session.counter.source,
        latency_ms_p50=p50, latency_ms_p95=p95, latency_basis="endpoint", batch_size=1,
        throughput_requests_per_second=len(timed) / seconds if seconds else 0.0,  # fresh ones, else all
        eval_tokens_per_second=float(np.sum([r.usage.input for r in (fresh or recs)])) / seconds if seconds else 0.0,
        endpoint=stats,
    )


def _mean(values) -> float:
    return float(np.mean(values)) if len(values) else 0.0
