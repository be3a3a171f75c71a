"""LoRA (PEFT): low-rank adapters trained on the labeled examples, scored like zero-shot.

Also the learning curve: the same recipe at several training sizes.
"""

from __future__ import annotations

import copy

from benchmarks.approaches.base import Context
from benchmarks.approaches.curve import with_curve
from core.approaches import LoraSettings, spec
from core.result import ApproachResult, TrainingStats

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


def lora_config(model, settings: LoraSettings):
    """PEFT's adapter config from the approach's settings: rank, alpha, no dropout, the family's targets,
    DoRA's magnitude vectors when `use_dora`."""
    from peft import LoraConfig

    return LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=0.0, use_dora=settings.use_dora,
                      target_modules=lora_targets(model, settings.targets), task_type="CAUSAL_LM")


# LoRA is scored merged (as it is served) unless folding B·A into the weights would round most of the
# update away: merged while the rounding error is at most this share of the update's size (Frobenius
# norms over every adapted weight). float32 weights: no error measured. bf16 ones round each merged weight
# to 8 significant bits, the rounding every weight of a bf16 model already carries; the quick run's
# adapters trained with bf16 products (3 seeds) erred by 26-27%; merged into bf16 weights they scored
# 0.842-0.846 against 0.838 unmerged, seed 0's as merged exactly in float32 (0.842; docs/BENCHMARKS.md,
# "bf16 and the LoRA merge"). An update mostly under half a step of its weights (trained briefly, or with
# a small lr) would vanish.
MERGE_TOLERANCE = 0.5


def merged_copy(peft_model):
    """The adapted model with B·A folded into each weight, as LoRA is served; `peft_model` is untouched.

    Unmerged, every adapted layer adds two thin matrix products and an add (scoring ran at about
    half the base model's speed, and latency looked twice the base model's); merged, the model
    runs exactly the base model's kernels. A copy, because subtracting the update again would not
    restore bf16 weights bit for bit for the approaches that follow.
    """
    return copy.deepcopy(peft_model).merge_and_unload()


def merge_error(peft_model) -> float:
    """The error merging would make in the adapters' update by rounding the merged weights to their dtype,
    as a share of the update: ‖round(W + ΔW) − (W + ΔW)‖ / ‖ΔW‖ over every adapted weight (0 without an
    update). PEFT merges in place, `W += ΔW`, the sum rounded to W's dtype; this computes the same sums."""
    import torch
    from peft.tuners.lora import LoraLayer

    lost = size = 0.0
    with torch.no_grad():
        for module in peft_model.modules():
            if not isinstance(module, LoraLayer):
                continue
            weight = module.get_base_layer().weight
            for adapter in module.active_adapters:
                exact = weight.float() + module.get_delta_weight(adapter).float()
                lost += float((exact.to(weight.dtype).float() - exact).pow(2).sum())
                size += float((exact - weight.float()).pow(2).sum())
    return (lost / size) ** 0.5 if size else 0.0


def scoring_model(peft_model):
    """(the model LoRA is scored with, how): merged while `merge_error` is at most MERGE_TOLERANCE (how:
    "merged", with the error when it is not ~0), else the adapters unmerged, their products in float32
    beside the base's, and how says what merging would have cost."""
    error = merge_error(peft_model)
    dtype = str(peft_model.get_base_model().dtype).removeprefix("torch.")
    if error <= MERGE_TOLERANCE:
        return merged_copy(peft_model), "merged" if error < 1e-4 else (
            f"merged into the {dtype} weights (rounding errs by {error:.0%} of the adapters' update)")
    return peft_model.get_base_model(), (
        f"unmerged: merged into the {dtype} weights, rounding would err by {error:.0%} of the adapters' update "
        f"(merged up to {MERGE_TOLERANCE:.0%})")


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
        return get_peft_model(model, lora, autocast_adapter_dtype=True)  # float32 adapters on a bf16 base


def train_and_score(ctx: Context, name: str, examples, *, min_steps: int = 0, latency: bool = False):
    """Train a fresh adapter on `examples`, score the test split (`scoring_model`: merged where that keeps
    the update), remove the adapter again.

    Under FSDP the adapter goes into a freshly loaded model before its layers are sharded (FSDP manages
    the weights a layer holds when it is sharded), the test split is scored with the adapter unmerged
    (merging needs each whole weight), and that model is then dropped: the run's own never held one.
    """
    cfg = ctx.config
    builder = ctx.templates.builder(kind=spec(name).prompt_kind)  # served as trained: input and cue
    settings = cfg.settings(name)
    lora = lora_config(ctx.model, settings)
    sharded = ctx.environment.sharding == "fsdp"
    peft_model = fresh_adapter(_whole_on_cpu(ctx) if sharded else ctx.model, lora, cfg.seed)
    try:
        tuned = peft_model.get_base_model()  # the model with adapters injected
        if sharded:
            from benchmarks.fsdp import shard_layers

            shard_layers(tuned, ctx.loaded.device)
        params = [p for p in peft_model.parameters() if p.requires_grad]
        stats: TrainingStats = ctx.trainer.train(name, examples, params, lr=settings.lr, builder=builder, model=tuned,
                                         min_steps=min_steps)
        scored, how = (tuned, "unmerged: the model is sharded (FSDP)") if sharded else scoring_model(peft_model)
        ev = ctx.evaluator.evaluate(builder, ctx.task.test, model=scored, latency=latency,
                          stage=f"scoring after training on {len(examples)} examples")
        del scored
    finally:
        if not sharded:
            peft_model.unload()  # restores the original modules for the next approach
    return ev, stats, builder, lora, how


def _whole_on_cpu(ctx: Context):
    """The run's model loaded again, whole on the CPU (under FSDP the run's own is sharded)."""
    from benchmarks.models import load_model

    cfg = ctx.config
    # the run's dtype, not auto again: a second measurement could choose another one
    return load_model(cfg.model, cfg.device, cfg.trust_remote_code, ctx.loaded.info.dtype, place=False)[0].model


def run(ctx: Context, name: str) -> ApproachResult:
    """LoRA, or a variant of it whose settings say so (DoRA)."""
    (ev, stats, builder, lora, how), curve = with_curve(
        ctx, lambda examples, min_steps, latency: train_and_score(ctx, name, examples, min_steps=min_steps,
                                                                  latency=latency))
    if how != "merged":
        ctx.notes.append(f"{name} scored {how}")
    return ctx.rows.result(
        name, ev, labeled=len(ctx.train), training=stats, learning_curve=curve,
        config={"r": lora.r, "alpha": lora.lora_alpha, "targets": sorted(lora.target_modules),
                "lr": ctx.config.settings(name).lr, "epochs": stats.epochs, "batch_size": ctx.config.train_batch_size,
                "chat_template": builder.use_chat, "scored": how} | ({"dora": True} if lora.use_dora else {}),
    )
