# aekit — one command to install and run the demo, one to install and run the tests.
#   make demo    trains the 784-32-784 MNIST autoencoder and writes demo/*.png
#   make test    lint (ruff), type-check (mypy) and the test suite (pytest -m "not slow")
#   make test-slow   the end-to-end tests behind the `slow` marker, on small data
#   make bench   every benchmark in benchmarks/ (installs the [bench] extras: Keras, JAX,
#                TF); make bench-dense runs only benchmarks/dense.py
# Each target creates or reuses .venv. PyTorch's CPU build is installed first so pip
# never pulls the multi-GB CUDA build; override TORCH_SPEC for another build.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
PYTEST_ARGS ?=

# Point aekit at the shared datasets when they sit beside the checkout.
ifneq ($(wildcard ../shared/data/MANIFEST.md),)
export AEKIT_DATA_DIR ?= $(abspath ../shared/data)
endif

.PHONY: demo test test-slow reproduce-quick lint bench bench-dense install clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $@

install: $(VENV)/.installed

# A headless Chromium for `aekit report --screenshot` and the report render test,
# where `playwright install chromium` cannot reach its CDN: the npm package
# @sparticuz/chromium carries a self-contained build. Prints the binary's path.
CHROMIUM_NPM ?= @sparticuz/chromium@153.0.0
chromium:
	@mkdir -p .cache/chromium
	@cd .cache/chromium && npm install --no-save --silent --no-audit --no-fund \
	  $(CHROMIUM_NPM) >/dev/null
	@cd .cache/chromium && node -e "require('@sparticuz/chromium').default \
	  .executablePath().then(p => console.log(p))"

demo: $(VENV)/.installed
	$(BIN)/python examples/demo.py --out demo

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/mypy

# pytest exits 5 when it collected no tests: treat that as a failure, not a pass.
test: lint
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	  exit $$rc

test-slow: $(VENV)/.installed
	AEKIT_SMALL=1 $(BIN)/python -m pytest -m slow $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "error: pytest collected no slow tests" >&2; exit 1; fi; \
	  exit $$rc

# Every textbook experiment on a few epochs of a subset, then the HTML report: checks
# that each runs end to end and reports finite numbers (CI); not compared with the
# published numbers (full runs: aekit reproduce NAME --out DIR).
reproduce-quick: $(VENV)/.installed
	rm -rf reproduce-quick
	for name in $$($(BIN)/aekit reproduce list | awk '{print $$1}'); do \
	  $(BIN)/aekit reproduce $$name --quick --out reproduce-quick || exit 1; \
	done
	$(BIN)/aekit report reproduce-quick

bench-dense: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/dense.py --compare keras --hinton

bench: bench-dense
	$(BIN)/python benchmarks/regularized.py
	$(BIN)/python benchmarks/denoise.py --compare keras
	$(BIN)/python benchmarks/vae.py --compare keras
	$(BIN)/python benchmarks/anomaly.py
	$(BIN)/python benchmarks/anomaly_scores.py
	$(BIN)/python benchmarks/anomaly_features.py
	$(BIN)/python benchmarks/embed.py
	$(BIN)/python benchmarks/compress.py
	$(BIN)/python benchmarks/sequence.py --limit 6400 --compare keras

clean:
	rm -rf $(VENV) demo reproduce-quick .cache .pytest_cache .mypy_cache .ruff_cache
