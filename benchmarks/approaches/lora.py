"""LoRA (PEFT): low-rank adapters trained on the labeled examples, scored like zero-shot.

Also the learning curve: the same recipe at several training sizes.
"""

from __future__ import annotations

import copy

from benchmarks.approaches.base import Context
from benchmarks.approaches.curve import with_curve
from benchmarks.result import ApproachResult, TrainingStats
from calculator.approaches.spec import spec

# Adapted modules per model family: every attention and MLP projection (QLoRA's finding that
# adapting all linear layers matters more than the rank).
FAMILY_TARGETS = {
    "llama": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "mistral": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "qwen2": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    "gpt2": ["c_attn", "c_proj", "c_fc"],
}


def lora_targets(model, given: list[str] | None) -> list[str] | str:
    return given or FAMILY_TARGETS.get(model.config.model_type, "all-linear")


def lora_config(model, config):
    """The run's LoRA adapter settings (`config` a BenchConfig): rank, alpha, no dropout, the family's targets."""
    from peft import LoraConfig

    return LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha, lora_dropout=0.0,
                      target_modules=lora_targets(model, config.lora_targets), task_type="CAUSAL_LM")


def merged_copy(peft_model):
    """The adapted model with B·A folded into each weight, as LoRA is served; `peft_model` is untouched.

    Unmerged, every adapted layer adds two thin matrix products and an add (scoring ran at about
    half the base model's speed, and latency looked twice the base model's); merged, the model
    runs exactly the base model's kernels. A copy, because subtracting the update again would not
    restore bf16 weights bit for bit for the approaches that follow.
    """
    return copy.deepcopy(peft_model).merge_and_unload()


def fresh_adapter(model, lora, seed: int):
    """`model` with a new LoRA adapter whose random start (A; B starts at zero) comes from `seed`.

    PEFT draws A from torch's global generator, so without this the start, and the accuracy, depended
    on whatever drew from it before (the approaches run earlier, the CPU peak's random matrices), and
    not on the run's seed.
    """
    import torch
    from peft import get_peft_model

    with torch.random.fork_rng(devices=[]):  # the caller's generator is left as it was
        torch.manual_seed(seed)
        return get_peft_model(model, lora)


def train_and_score(ctx: Context, examples, *, min_steps: int = 0, latency: bool = False):
    """Train a fresh adapter on `examples`, score the test split (merged), remove the adapter again.

    Under FSDP the adapter goes into a freshly loaded model before its layers are sharded (FSDP manages
    the weights a layer holds when it is sharded), the test split is scored with the adapter unmerged
    (merging needs each whole weight), and that model is then dropped: the run's own never held one.
    """
    cfg = ctx.config
    builder = ctx.builder(kind=spec("lora").prompt_kind)  # served as trained: input and cue
    lora = lora_config(ctx.model, cfg)
    sharded = ctx.environment.sharding == "fsdp"
    peft_model = fresh_adapter(_whole_on_cpu(ctx) if sharded else ctx.model, lora, cfg.seed)
    try:
        tuned = peft_model.get_base_model()  # the model with adapters injected
        if sharded:
            from benchmarks.fsdp import shard_layers

            shard_layers(tuned, ctx.loaded.device)
        params = [p for p in peft_model.parameters() if p.requires_grad]
        stats: TrainingStats = ctx.train("lora", examples, params, lr=cfg.lora_lr, builder=builder, model=tuned,
                                         min_steps=min_steps)
        scored = tuned if sharded else merged_copy(peft_model)
        ev = ctx.evaluate(builder, ctx.task.test, model=scored, latency=latency,
                          stage=f"scoring after training on {len(examples)} examples")
        del scored
    finally:
        if not sharded:
            peft_model.unload()  # restores the original modules for the next approach
    return ev, stats, builder, lora


def _whole_on_cpu(ctx: Context):
    """The run's model loaded again, whole on the CPU (under FSDP the run's own is sharded)."""
    from benchmarks.models import load_model

    cfg = ctx.config
    return load_model(cfg.model, cfg.device, cfg.trust_remote_code, cfg.dtype, place=False)[0].model


def run(ctx: Context) -> ApproachResult:
    (ev, stats, builder, lora), curve = with_curve(
        ctx, lambda examples, min_steps, latency: train_and_score(ctx, examples, min_steps=min_steps, latency=latency))
    return ctx.result(
        "lora", ev, labeled=len(ctx.task.train), training=stats, learning_curve=curve,
        config={"r": lora.r, "alpha": lora.lora_alpha, "targets": sorted(lora.target_modules),
                "lr": ctx.config.lora_lr, "epochs": stats.epochs, "batch_size": ctx.config.train_batch_size,
                "chat_template": builder.use_chat},
    )
