"""Chain-of-thought: generate reasoning then an answer (batched, the shared prefix computed once), parse
the label.

Unparseable answers count as wrong and are counted.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from benchmarks.approaches.base import Context
from benchmarks.collectives import gather, merged, shard
from benchmarks.generation import generate
from benchmarks.latency import samples_for, spread_by_length, time_requests
from benchmarks.prefix import prefix_keys_values
from benchmarks.scoring import length_batches
from core.approaches import spec
from core.result import ApproachResult


@torch.inference_mode()
def run(ctx: Context, name: str) -> ApproachResult:
    tok, model, cfg = ctx.loaded.tokenizer, ctx.model, ctx.config
    builder = ctx.templates.builder(kind=spec(name).prompt_kind, use_chat=bool(getattr(tok, "chat_template", None)))
    examples = ctx.task.test
    prefix, suffixes = builder.prefix_ids, builder.suffix_ids([e.text for e in examples])
    prompts = [prefix + s for s in suffixes]
    kv = prefix_keys_values(model, prefix)  # once for the split; each batch runs only its suffixes
    outputs: list[str] = [""] * len(prompts)
    out_tokens = np.zeros(len(prompts))
    start = time.perf_counter()
    batches = length_batches([len(p) for p in prompts], cfg.eval_batch_size, cfg.eval_batch_tokens)
    mine = shard(batches)  # under several ranks, each generates every N-th batch
    for done, batch in enumerate(mine, 1):
        kept_rows = generate(model, tok.pad_token_id, prefix, [suffixes[i] for i in batch], cfg.max_new_tokens, kv)
        for i, kept in zip(batch, kept_rows, strict=True):
            outputs[i] = tok.decode(kept, skip_special_tokens=True)
            out_tokens[i] = len(kept)
        ctx.progress.step("generating (batches)", done, len(mine))
    seconds = max(gather(time.perf_counter() - start))  # the slowest rank's
    answers = merged({i: (outputs[i], out_tokens[i]) for batch in mine for i in batch})
    outputs = [answers[i][0] for i in range(len(prompts))]
    out_tokens = np.array([answers[i][1] for i in range(len(prompts))])
    device = model.get_input_embeddings().weight.device
    latency = time_requests(lambda i: generate(model, tok.pad_token_id, prefix, [suffixes[i]], cfg.max_new_tokens),
                            spread_by_length(list(map(len, prompts)), samples_for(cfg)), device)
    pred = np.array([ctx.kind.parse(o, builder.answer_cue) for o in outputs])
    ev = ctx.evaluator.graded(
        examples, pred, latency_s=latency, seconds=seconds,
        prompt_tokens=sum(map(len, prompts)),
        computed_tokens=len(prefix) + sum(map(len, suffixes)) + int(out_tokens.sum()),
        batch_size=max(map(len, batches)),
        prompt_texts=[builder.text(e.text) for e in examples], output_tokens_model=float(out_tokens.mean()),
        output_texts=outputs, unparseable=int(np.sum(pred < 0)),
    )
    return ctx.rows.result(name, ev, labeled=0,
                      config={"max_new_tokens": cfg.max_new_tokens, "chat_template": builder.use_chat,
                              "prompt": builder.text("{input}")})
