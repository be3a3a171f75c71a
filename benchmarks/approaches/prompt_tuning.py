"""Prompt-tuning (PEFT soft prompt): trained virtual tokens before the prompt; the model stays frozen."""

from __future__ import annotations

from benchmarks.approaches.base import Context
from benchmarks.approaches.curve import with_curve
from core.approaches import spec
from core.result import ApproachResult


def soft_prompt_adapter(model, tokens: int, init_text: str | None = None, tokenizer_path: str | None = None):
    """`model` (frozen) with a fresh PEFT soft prompt of `tokens` virtual tokens, started from `init_text`'s
    embeddings (else random); the soft prompt float32 whatever the model's dtype (master weights: under a
    bf16 run it is cast to bf16 only where it enters the model)."""
    from peft import PromptTuningConfig, PromptTuningInit, get_peft_model

    text = {"prompt_tuning_init": PromptTuningInit.TEXT, "prompt_tuning_init_text": init_text,
            "tokenizer_name_or_path": tokenizer_path} if init_text else {}
    peft_model = get_peft_model(model, PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=tokens, **text))
    peft_model.prompt_encoder.float()
    return peft_model


def train_and_score(ctx: Context, name: str, examples, *, min_steps: int = 0, latency: bool = False):
    """Train a fresh soft prompt on `examples` and score the test split with it."""
    settings = ctx.config.settings(name)
    builder = ctx.templates.builder(kind=spec(name).prompt_kind)  # served as trained: input and cue
    peft_model = soft_prompt_adapter(ctx.model, settings.tokens, ctx.task.instruction, ctx.loaded.path)
    base = peft_model.get_base_model()

    def soft_prompt():
        return peft_model.get_prompt(batch_size=1)[0]

    params = [p for p in peft_model.parameters() if p.requires_grad]
    stats = ctx.trainer.train(name, examples, params, lr=settings.lr, builder=builder, model=base,
                      soft_prompt=soft_prompt, min_steps=min_steps)
    ev = ctx.evaluator.evaluate(builder, ctx.task.test, model=base, soft_prompt=soft_prompt().detach(), latency=latency,
                      stage=f"scoring after training on {len(examples)} examples")
    return ev, stats, builder


def run(ctx: Context, name: str) -> ApproachResult:
    settings = ctx.config.settings(name)
    (ev, stats, builder), curve = with_curve(
        ctx, lambda examples, min_steps, latency: train_and_score(ctx, name, examples, min_steps=min_steps,
                                                                  latency=latency))
    return ctx.rows.result(
        name, ev, labeled=len(ctx.train), training=stats, learning_curve=curve,
        config={"virtual_tokens": settings.tokens, "init": "task instruction", "lr": settings.lr,
                "epochs": stats.epochs, "chat_template": builder.use_chat},
    )
