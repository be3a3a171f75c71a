"""One endpoint arm: an approach's prompt for every test example, sent at the chosen concurrency,
answers read back by the run's task kind, and the result row (backend 'endpoint') with usage, dollars
and latency.

The prompt is calculator.prompts' text for the approach as a chat user turn (`Template.chat_body`,
what a local arm wraps in its chat template), on the same held-out test split as the local arms. A
label answer is constrained to the labels where the server can (a JSON schema enum), else parsed; a
text answer (generation, extraction) is free, its max_tokens read from the training references by the
kind's own rule (`kinds.text.answer_token_limit`, counted with the session's tiktoken counter),
stopped at a line break when every reference is one line, and for extraction asked in JSON mode
(`response_format` json_object) where the preflight found the server honours it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.answers import parse_label
from benchmarks.endpoint.client import (
    JSON_OBJECT,
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
from benchmarks.prompt_candidates import widest_prompts
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
ONE_LINE_STOP = ["\n"]  # a generation answer whose references are all one line ends at its first line break


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


@dataclass(frozen=True)
class ArmRequest:
    """What every request of an arm asks for, and how its reply is read back."""

    max_tokens: int
    parse: Callable[[str], Any]  # the reply's text -> the answer (a label index, -1 unparseable; or text)
    response_format: dict | None = None
    stop: list[str] | None = None

    def body(self, model: str, prompt: str) -> dict:
        return chat_body(model, prompt, self.max_tokens, self.response_format, self.stop)


@dataclass
class Record:
    index: int  # in the test split
    output: str
    pred: Any  # the parsed answer: a label index (-1: unparseable), or a text kind's answer text
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
    constrained: bool  # label answers constrained to the labels (a JSON schema enum)
    budget: Budget
    provider: str | None = None
    counter: TokenCounter = field(default_factory=lambda: counter_for("gpt-4o"))
    json_object: bool = False  # the server honours response_format json_object (asked of extraction tasks)
    stop: bool = False  # the server accepts `stop` (asked of generation tasks)


def open_session(config, labels: list[str], budget: Budget | None = None) -> EndpointSession:
    """The endpoint arms' prices, client and preflight (`preflighted`): raises EndpointError/PriceNotFound
    (one line) before any test example is sent. `budget`: the run's, shared with the judge and the teacher."""
    prices = pricing(config.endpoint_model, config.provider, config.input_usd_per_mtok, config.output_usd_per_mtok)
    return preflighted(EndpointSettings.from_config(config), prices, config.provider, config.task_kind, labels,
                       budget or Budget(config.max_usd))


def preflighted(settings: EndpointSettings, prices: Pricing | None, provider: str | None, task_kind: str,
                labels: list[str], budget: Budget) -> EndpointSession:
    """A session whose client has asked the preflight of what answers of `task_kind` will use: the label
    schema (`labels`: a classification task's, or a judge's verdicts), JSON mode (extraction) or `stop`
    (generation)."""
    client = EndpointClient(settings)
    session = EndpointSession(settings, client, prices, False, budget, provider, counter_for(settings.model))
    if task_kind == "classification":
        session.constrained = client.preflight(labels)
    else:
        session.json_object, session.stop = client.preflight_text(
            json_object=task_kind == "extraction", stop=ONE_LINE_STOP if task_kind == "generation" else None)
    return session


def served_model(config) -> ModelInfo:
    """The run's model when every arm is an endpoint arm: the served model, by name and host."""
    return ModelInfo(name=config.endpoint_model, source=f"endpoint {EndpointSettings.from_config(config).host}",
                     parameters=0, dtype="as served")


def shots_for(task: TaskData, name: str, k: int, seed: int) -> list[Example]:
    """The few-shot examples a local arm draws (tasks.balanced_shots, same k and seed), unfitted:
    an endpoint has no local max_seq_len to fit them into."""
    return balanced_shots(task, k, seed) if spec(name).prompt_kind == "few_shot" else []


def chat_prompts(task: TaskData, name: str, shots: Sequence[Example] = (),
                 examples: Sequence[Example] | None = None) -> tuple[Template, list[str]]:
    """(the approach's template, the user message of every example) for approach `name`: of the test split,
    unless `examples` are given (the teacher's: the training split's)."""
    template = PromptBuilder(task, tokenizer=None, use_chat=True, kind=spec(name).prompt_kind,
                             shots=list(shots)).template
    return template, [template.chat_body.replace(TEXT, e.text) for e in (task.test if examples is None else examples)]


def parse_answer(text: str, verbalizers: list[str], cue: str) -> int:
    """A JSON `{"label": ...}` reply, else the label named after the cue or alone in the text; -1 if none."""
    found = label_from_json(text.strip(), verbalizers)
    return found if found is not None else parse_label(text, verbalizers, cue)


def max_tokens_for(name: str, config, task: TaskData, counter: TokenCounter) -> int:
    """An answer's max_tokens: a text kind's from its training references (the local arms' rule, in the
    session's tiktoken count); a label answer's answer_max_tokens; chain-of-thought's max_new_tokens."""
    if task.kind != "classification":  # torch comes with the kinds: only a text task imports them
        from benchmarks.kinds.text import answer_token_limit

        return answer_token_limit(task, counter.count)
    return config.max_new_tokens if spec(name).prompt_kind == "chain_of_thought" else config.answer_max_tokens


def label_request(session: EndpointSession, verbalizers: list[str], cue: str, max_tokens: int, *,
                  label_answer: bool = True) -> ArmRequest:
    """A label answer, read by `parse_answer`; constrained to the labels where the server can, unless it
    is not a `label_answer` (chain-of-thought's reasoning comes first)."""
    schema = label_schema(verbalizers) if session.constrained and label_answer else None
    return ArmRequest(max_tokens, lambda text: parse_answer(text, verbalizers, cue), schema)


def arm_request(kind, session: EndpointSession, cue: str, max_tokens: int, *, label_answer: bool = True) -> ArmRequest:
    """How an arm of the run's task `kind` asks and reads: a label answer as `label_request`; a text
    answer free, read by the kind, in JSON mode for extraction where the server honours it, stopped at a
    line break for one-line references where the server takes `stop`."""
    if kind.name == "classification":
        return label_request(session, kind.task.verbalizers, cue, max_tokens, label_answer=label_answer)
    return ArmRequest(max_tokens, lambda text: kind.parse(text, cue),
                      JSON_OBJECT if kind.name == "extraction" and session.json_object else None,
                      ONE_LINE_STOP if kind.one_line and session.stop else None)


def request_bound_usd(prices: Pricing, counter: TokenCounter, prompt: str, max_tokens: int,
                      unseen_tokens: int = 0) -> float:
    """A request's most: its prompt (and `unseen_tokens` of text not written yet) at the reserve factor, the
    chat template's tokens, the whole answer budget."""
    input_tokens = (counter.count(prompt) + unseen_tokens) * INPUT_RESERVE_FACTOR + CHAT_OVERHEAD_TOKENS
    return prices.usd_upper_bound(input_tokens, max_tokens)


def estimate_usd(prices: Pricing, config, task: TaskData, counter: TokenCounter) -> dict[str, tuple[float, int]]:
    """Most each endpoint arm can cost before it starts (every answer at its max_tokens), and its requests."""
    out = {}
    for name, backend in config.arms:
        if backend == "endpoint":
            _, prompts = chat_prompts(task, name, shots_for(task, name, config.k, config.seed))
            if name == "prompt_search":  # its trials on the validation split too (benchmarks/endpoint/search.py)
                settings = config.settings(name)
                prompts = widest_prompts(task, config.k, settings.trials,
                                         settings.validation_examples or config.extra_pass_size)
            max_tokens = max_tokens_for(name, config, task, counter)
            out[name] = (sum(request_bound_usd(prices, counter, p, max_tokens) for p in prompts), len(prompts))
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
    session: EndpointSession, prompts: list[str], request: ArmRequest, *,
    on_progress: Callable[[int, int], None] | None = None,
) -> ArmOutcome:
    """Answer every prompt as `request` says: from the cache, else sent (at most `concurrency` in
    flight) while the budget allows. Progress is reported from this thread only."""
    client, prices, budget, max_tokens = session.client, session.pricing, session.budget, request.max_tokens
    bodies = [request.body(session.settings.model, p) for p in prompts]
    records: dict[int, Record] = {}
    stopped, sent, retries_before, first_sent = None, 0, client.retries, None

    def record(index: int, answer: Answer) -> None:
        usage = Usage.from_response(answer.response)
        text = reply_text(answer.response)
        records[index] = Record(index, text, request.parse(text), usage,
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
    request = arm_request(ctx.kind, session, template.answer_cue, max_tokens_for(name, config, task, session.counter),
                          label_answer=spec(name).prompt_kind != "chain_of_thought")
    outcome = run_arm(session, prompts, request, on_progress=lambda done, total: ctx.progress.step(name, done, total))
    if not outcome.records:
        raise BudgetExhausted(f"max_usd ${config.max_usd:g} reached before {name} sent a request")
    if outcome.stopped:
        ctx.notes.append(f"{name} (endpoint): stopped by max_usd ${config.max_usd:g} after {len(outcome.records)} "
                         f"of {len(prompts)} test examples; its {ctx.kind.metric} is over those")
    asked = {"stop": request.stop, "response_format": request.response_format and request.response_format["type"]}
    return result_row(ctx, name, session, outcome, prompts, config={
        "max_tokens": request.max_tokens, "k": len(shots), "seed": config.seed, "temperature": 0,
        "prompt": template.chat_body.replace(TEXT, "{input}")} | ({} if ctx.kind.name == "classification" else asked))


def result_row(ctx, name: str, session: EndpointSession, outcome: ArmOutcome, prompts: list[str],
               config: dict) -> ApproachResult:
    task, recs = ctx.task, outcome.records
    truth = ctx.kind.targets([task.test[r.index] for r in recs])
    pred, unparseable = answers_of(ctx.kind, recs)
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
        **ctx.kind.quality(truth, pred), unparseable=unparseable,
        prompt_tokens_model=_mean(inputs), prompt_tokens_tiktoken=tiktoken_in,
        output_tokens_model=stats.output_tokens,
        output_tokens_tiktoken=session.counter.mean([r.output for r in recs]),
        tiktoken_encoding=session.counter.encoding_name if session.counter.exact else session.counter.source,
        latency_ms_p50=p50, latency_ms_p95=p95, latency_basis="endpoint", batch_size=1,
        throughput_requests_per_second=len(timed) / seconds if seconds else 0.0,  # fresh ones, else all
        eval_tokens_per_second=float(np.sum([r.usage.input for r in (fresh or recs)])) / seconds if seconds else 0.0,
        output_tokens_per_second=float(np.sum([r.usage.output for r in (fresh or recs)])) / seconds
        if seconds and ctx.kind.name != "classification" else None,  # as a local row: the text kinds only
        endpoint=stats,
    )


def answers_of(kind, recs: list[Record]) -> tuple[np.ndarray, int]:
    """The parsed answers as the kind scores them (label indices; a text kind's texts, as objects) and
    how many could not be read."""
    if kind.name == "classification":
        pred = np.array([r.pred for r in recs])
        return pred, int(np.sum(pred < 0))
    pred = np.empty(len(recs), dtype=object)
    pred[:] = [r.pred for r in recs]
    return pred, int(kind.unparseable(pred))


def _mean(values) -> float:
    return float(np.mean(values)) if len(values) else 0.0
