"""Prompt-tuning (PEFT soft prompt): trained virtual tokens before the prompt; the model stays frozen."""

from __future__ import annotations

from benchmarks.approaches.base import Context
from benchmarks.result import ApproachResult
from calculator.approaches.spec import spec


def run(ctx: Context) -> ApproachResult:
    from peft import PromptTuningConfig, PromptTuningInit, get_peft_model

    cfg, task = ctx.config, ctx.task
    builder = ctx.builder(kind=spec("prompt_tuning").prompt_kind)  # served as trained: input and cue
    peft_config = PromptTuningConfig(
        task_type="CAUSAL_LM", num_virtual_tokens=cfg.prompt_tuning_tokens,
        prompt_tuning_init=PromptTuningInit.TEXT, prompt_tuning_init_text=task.instruction,
        tokenizer_name_or_path=ctx.loaded.path,
    )
    peft_model = get_peft_model(ctx.model, peft_config)
    base = peft_model.get_base_model()

    def soft_prompt():
        return peft_model.get_prompt(batch_size=1)[0]

    params = [p for p in peft_model.parameters() if p.requires_grad]
    stats = ctx.train("prompt_tuning", task.train, params, lr=cfg.prompt_tuning_lr, builder=builder, model=base,
                      soft_prompt=soft_prompt)
    ev = ctx.evaluate(builder, task.test, model=base, soft_prompt=soft_prompt().detach(),
                      stage="scoring", latency=True)
    return ctx.result(
        "prompt_tuning", ev, labeled=len(task.train), training=stats,
        config={"virtual_tokens": cfg.prompt_tuning_tokens, "init": "task instruction", "lr": cfg.prompt_tuning_lr,
                "epochs": stats.epochs, "chat_template": builder.use_chat},
    )
