"""Chain-of-thought: generate reasoning then an answer (batched, the shared prefix computed once), parse
the label.

Unparseable answers count as wrong and are counted.
"""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.approaches.base import Context
from benchmarks.generation import generate, generate_all
from benchmarks.latency import samples_for, spread_by_length, time_requests
from core.approaches import spec
from core.result import ApproachResult


@torch.inference_mode()
def run(ctx: Context, name: str) -> ApproachResult:
    tok, model, cfg = ctx.loaded.tokenizer, ctx.model, ctx.config
    builder = ctx.templates.builder(kind=spec(name).prompt_kind, use_chat=bool(getattr(tok, "chat_template", None)))
    examples = ctx.task.test
    prefix, suffixes = builder.prefix_ids, builder.suffix_ids([e.text for e in examples])
    got = generate_all(model, tok, prefix, suffixes, cfg.max_new_tokens,
                       batching={"max_batch": cfg.eval_batch_size, "token_budget": cfg.eval_batch_tokens},
                       on_batch=lambda done, total: ctx.progress.step("generating", done, total))
    device = model.get_input_embeddings().weight.device
    latency = time_requests(lambda i: generate(model, tok.pad_token_id, prefix, [suffixes[i]], cfg.max_new_tokens),
                            spread_by_length([len(prefix) + len(s) for s in suffixes], samples_for(cfg)), device)
    pred = np.array([ctx.kind.parse(o, builder.answer_cue) for o in got.texts])
    ev = ctx.evaluator.graded(
        examples, pred, latency_s=latency, seconds=got.seconds, prompt_tokens=got.prompt_tokens,
        computed_tokens=got.computed_tokens, batch_size=got.batch_size,
        prompt_texts=[builder.text(e.text) for e in examples], output_tokens_model=float(got.new_tokens.mean()),
        output_texts=got.texts, unparseable=int(np.sum(pred < 0)),
    )
    return ctx.rows.result(name, ev, labeled=0,
                      config={"max_new_tokens": cfg.max_new_tokens, "chat_template": builder.use_chat,
                              "prompt": builder.text("{input}")})
