"""BenchConfig's per-approach settings: the spec's settings models, older flat keys still read."""

import pytest
from pydantic import ValidationError

from benchmarks.config import BenchConfig
from core.approaches import DoraSettings, LoraSettings, spec


def test_each_trained_approach_has_its_spec_settings_with_the_runs_values():
    config = BenchConfig(hyperparameters={"lora": {"rank": 8}, "dora": {"lr": 5e-4}})
    assert config.settings("lora") == LoraSettings(rank=8)
    assert config.settings("dora") == DoraSettings(lr=5e-4) and config.settings("dora").use_dora
    assert config.settings("prompt_tuning") == spec("prompt_tuning").settings()  # the spec's defaults


def test_a_config_file_from_before_the_settings_still_reads():
    """config.json of runs made before `hyperparameters`: `<approach>_<setting>` keys."""
    old = BenchConfig.model_validate_json(
        '{"quick": true, "lora_rank": 4, "lora_lr": 0.002, "prompt_tuning_tokens": 8, "full_finetune_lr": 1e-4}')
    assert old.hyperparameters == {"lora": {"rank": 4, "lr": 0.002}, "prompt_tuning": {"tokens": 8},
                                   "full_finetune": {"lr": 1e-4}}
    assert old.settings("lora").rank == 4 and old.settings("lora").alpha == 32


@pytest.mark.parametrize(("given", "said"), [
    ({"lora": {"rank": 0}}, "hyperparameters.lora.rank: Input should be greater than or equal to 1"),
    ({"lora": {"rnak": 8}}, "hyperparameters.lora.rnak: Extra inputs are not permitted"),
    ({"zero_shot": {"lr": 1}}, "hyperparameters.zero_shot: no settings for 'zero_shot'; allowed: prompt_search, "
                               "prompt_tuning, lora, full_finetune, dora"),
])
def test_bad_settings_name_the_field_and_what_is_allowed(given, said):
    with pytest.raises(ValidationError, match=said):
        BenchConfig(hyperparameters=given)
