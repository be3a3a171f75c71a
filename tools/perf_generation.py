"""The speed harness's generation line (`python -m tools.perf`): how text answers are produced.

Fast: `benchmarks.generation.generate` (what the text task kinds and chain-of-thought answer with) over
length-sorted batches (`scoring.length_batches`, the run's eval batch size and token budget), the shared
prompt prefix's keys/values computed once (`prefix.prefix_keys_values`). Baseline: one plain
`model.generate` per prompt, batch of one, in float32, as a hand-written loop would. With `--peers`,
lm-evaluation-harness's `generate_until` (`tools/peers.py`) on the same prompt text. All greedy, the same
`max_new_tokens`, on headline-like inputs: BBC News articles cut to their first ARTICLE_CHARS
characters after a one-line instruction. Timed as the scoring line is (`perf.interleaved`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from benchmarks.generation import generate
from benchmarks.prefix import prefix_keys_values
from benchmarks.scoring import length_batches
from tools.perf import _dtype, interleaved, mfu

INSTRUCTION = "Write a headline for the article."
ARTICLE_CHARS = 300
GENERATION_EXAMPLES = 64
NEW_TOKENS = 24
_ARTICLE = "\x00"  # where the article goes in the rendered prompt


@dataclass(frozen=True)
class Prompts:
    """One shared prefix, a suffix per example (as token ids), and each whole prompt as text."""

    prefix_ids: list[int]
    suffixes: list[list[int]]
    texts: list[str]

    @property
    def ids(self) -> list[list[int]]:
        return [self.prefix_ids + s for s in self.suffixes]


def headline_prompts(tokenizer, examples: int, chars: int = ARTICLE_CHARS) -> Prompts:
    """`examples` BBC News articles spread over the corpus (every k-th: all five sections), each cut to
    its first `chars` characters (at a word's end), on the line after INSTRUCTION in the model's chat turn
    (plain text without one). Token ids as `prompt_ids.PromptBuilder` makes them: the prefix, then each
    article and the tail apart; one newline before the article, so that the whole text tokenizes to the
    same ids (a byte-level BPE splits two newlines before a word into two tokens, but keeps them one
    token at a string's end)."""
    from benchmarks.tasks import _bbc_news

    texts = _bbc_news()[0]
    articles = [t if len(t) <= chars else t[:chars].rsplit(" ", 1)[0]
                for t in texts[:: max(1, len(texts) // examples)][:examples]]
    if getattr(tokenizer, "chat_template", None):
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": f"{INSTRUCTION}\n{_ARTICLE}"}],
                                               tokenize=False, add_generation_prompt=True)
    else:
        prompt = f"{INSTRUCTION}\n{_ARTICLE}\nHeadline:"
    head, tail = prompt.split(_ARTICLE)
    tail_ids = tokenizer(tail, add_special_tokens=False).input_ids
    suffixes = [ids + tail_ids for ids in tokenizer(articles, add_special_tokens=False).input_ids]
    return Prompts(tokenizer(head, add_special_tokens=True).input_ids, suffixes, [head + a + tail for a in articles])


def fast_generate(model, pad_id: int, prompts: Prompts, new_tokens: int, max_batch: int,
                  token_budget: int) -> tuple[list[list[int]], int]:
    """Each prompt's greedy continuation from batched generation, and the most prompts in one batch."""
    kv = prefix_keys_values(model, prompts.prefix_ids)
    outputs: list[list[int]] = [[] for _ in prompts.suffixes]
    batches = length_batches([len(p) for p in prompts.ids], max_batch, token_budget)
    for batch in batches:
        rows = generate(model, pad_id, prompts.prefix_ids, [prompts.suffixes[i] for i in batch], new_tokens, kv)
        for i, row in zip(batch, rows, strict=True):
            outputs[i] = row
    return outputs, max(map(len, batches))


@torch.inference_mode()
def baseline_generate(model, pad_id: int, prompts: list[list[int]], new_tokens: int) -> list[list[int]]:
    """One plain `model.generate` per prompt (batch of one, the whole prompt), its new tokens as the fast
    path keeps them (padding dropped: here the end token, where the model's pad is its end token)."""
    device = model.get_input_embeddings().weight.device
    outputs = []
    for ids in prompts:
        out = model.generate(input_ids=torch.tensor([ids], device=device), max_new_tokens=new_tokens,
                             attention_mask=torch.ones((1, len(ids)), dtype=torch.long, device=device),
                             do_sample=False, pad_token_id=pad_id)[0, len(ids):]
        outputs.append([t for t in out.tolist() if t != pad_id])
    return outputs


def generation_side(prompts: Prompts, new_tokens: list[int], timing: tuple[float, float], dtype: str, n_params: int,
                    peak: float | None, computed_prompt_tokens: int | None = None) -> dict:
    """One path's figures: new tokens are those generated (the end token aside); tokens/s counts the
    prompt tokens served and the new ones; MFU the tokens the model ran (padding aside): every prompt
    whole unless `computed_prompt_tokens` says fewer."""
    seconds, memory = timing
    new, served = sum(new_tokens), sum(map(len, prompts.ids))
    computed = (served if computed_prompt_tokens is None else computed_prompt_tokens) + new
    return {"seconds": seconds, "new_tokens": new, "new_tokens_per_second": new / seconds,
            "tokens_per_second": (served + new) / seconds, "requests_per_second": len(prompts.suffixes) / seconds,
            "computed_tokens": computed, "mfu": mfu(n_params, computed, seconds, peak), "peak_memory_mb": memory,
            "dtype": dtype}


def measure_generation(loaded, config, fast_models: dict, peaks: dict[str, float | None],
                       examples: int = GENERATION_EXAMPLES, new_tokens: int = NEW_TOKENS, peers: bool = False) -> dict:
    """Fast generation (each of `fast_models`) vs per-example generate (the float32 `loaded.model`), and with
    `peers` lm-eval's `generate_until`, on the same prompts; each fast side's share of outputs identical."""
    pad, n_params, device = loaded.tokenizer.pad_token_id, loaded.info.flop_parameters, torch.device(loaded.device)
    prompts = headline_prompts(loaded.tokenizer, examples)
    ids = prompts.ids
    parts, base_seconds, base_memory, fast_runs = interleaved(
        device, len(ids), lambda index: baseline_generate(loaded.model, pad, [ids[i] for i in index], new_tokens),
        {name: lambda model=model: fast_generate(model, pad, prompts, new_tokens, config.eval_batch_size,
                                                 config.eval_batch_tokens) for name, model in fast_models.items()})
    base = [out for _, outs in parts for out in outs]  # the slices are in order
    sides = {"baseline": generation_side(prompts, list(map(len, base)), (base_seconds, base_memory), "float32",
                                         n_params, peaks.get("float32"))}
    cached_prompt_tokens = len(prompts.prefix_ids) + sum(map(len, prompts.suffixes))  # the prefix once
    for name, ((outputs, batch), seconds, memory) in fast_runs.items():
        dtype = _dtype(fast_models[name])
        sides[name] = generation_side(prompts, list(map(len, outputs)), (seconds, memory), dtype, n_params,
                                      peaks.get(dtype), cached_prompt_tokens) | {
            "speedup": base_seconds / seconds, "batch_size": batch, "identical_outputs": identical(outputs, base)}
    if peers:
        sides["lm_eval"] = lm_eval_side(loaded, prompts, (base, base_seconds), new_tokens, sides["fast"]["batch_size"],
                                        peaks.get("float32"))
    return {**sides, "examples": len(ids), "max_new_tokens": new_tokens, "instruction": INSTRUCTION,
            "article_chars": ARTICLE_CHARS, "prefix_tokens": len(prompts.prefix_ids),
            "prompt_tokens_per_example": sum(map(len, ids)) / len(ids), "baseline_slices": len(parts),
            "token_budget": config.eval_batch_tokens}


def lm_eval_side(loaded, prompts: Prompts, baseline: tuple[list[list[int]], float], new_tokens: int, batch_size: int,
                 peak: float | None) -> dict:
    """lm-eval's `generate_until` at the fast side's batch size, against the baseline's (outputs, seconds):
    its new tokens are its texts re-tokenized, its prompt tokens ours (its padding aside), its outputs
    compared with the baseline's decoded text."""
    from tools.peers import lm_eval_generation

    tok, (base, base_seconds) = loaded.tokenizer, baseline
    peer = lm_eval_generation(loaded, prompts, new_tokens, batch_size)
    texts, seconds = peer.pop("texts"), peer.pop("seconds")
    side = generation_side(prompts, [len(tok(t, add_special_tokens=False).input_ids) for t in texts],
                           (seconds, peer.pop("peak_memory_mb")), _dtype(loaded.model), loaded.info.flop_parameters, peak)
    expected = [tok.decode(out, skip_special_tokens=True) for out in base]
    return side | peer | {"speedup": base_seconds / seconds, "batch_size": batch_size,
                          "identical_outputs": identical(texts, expected)}


def identical(outputs: list, expected: list) -> float:
    """The share of outputs equal to the expected ones, example by example."""
    return sum(a == b for a, b in zip(outputs, expected, strict=True)) / len(expected)


def print_generation(generation: dict) -> None:
    """The line in the harness's printed table: each path's seconds, new tokens/s, MFU, speed-up."""
    for name in ("baseline", "fast", "fast_fp32", "lm_eval"):
        if side := generation.get(name):
            mfu_text = "-" if side["mfu"] is None else f"{side['mfu']:.1%}"
            extra = f", {side['speedup']:.2f}x" if "speedup" in side else ""
            same = f", {side['identical_outputs']:.0%} identical" if "identical_outputs" in side else ""
            print(f"{'generation ' + name:>24}: {side['seconds']:.1f} s, {side['new_tokens_per_second']:.1f} new "
                  f"tokens/s, MFU {mfu_text}{extra}{same}")
