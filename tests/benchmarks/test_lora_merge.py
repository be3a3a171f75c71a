"""LoRA is scored merged (as it is served): same scores as the adapters unmerged, base model untouched."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from benchmarks.approaches.lora import merged_copy
from benchmarks.scoring import score_choices

pytestmark = pytest.mark.slow


def test_merged_copy_scores_like_the_unmerged_adapters_and_leaves_the_base_alone(loaded):
    from peft import LoraConfig, get_peft_model

    tok, model = loaded.tokenizer, loaded.model
    before = model.model.layers[0].self_attn.q_proj.weight.detach().clone()
    prefix = tok("Label the review.\n\n").input_ids
    suffixes = [tok(f"Review: {t}\nLabel:", add_special_tokens=False).input_ids
                for t in ("a joy from start to end", "dull and far too long", "fine")]
    choices = [tok(w, add_special_tokens=False).input_ids for w in (" good", " bad")]
    base = score_choices(model, prefix, suffixes, choices, tok.pad_token_id)
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "up_proj"],
                                                  task_type="CAUSAL_LM"))
    try:
        with torch.no_grad():  # a trained-looking adapter: B is zero at initialisation
            for name, param in peft_model.named_parameters():
                if "lora_B" in name:
                    param.normal_(0, 0.02, generator=torch.Generator().manual_seed(0))
        unmerged = score_choices(peft_model.get_base_model(), prefix, suffixes, choices, tok.pad_token_id)
        merged = score_choices(merged_copy(peft_model), prefix, suffixes, choices, tok.pad_token_id)
    finally:
        peft_model.unload()
    assert np.abs(merged.logprobs - unmerged.logprobs).max() < 1e-4  # float32: the same model, folded
    assert np.abs(unmerged.logprobs - base.logprobs).max() > 1e-3  # and the adapter does change the scores
    assert torch.equal(model.model.layers[0].self_attn.q_proj.weight, before)
