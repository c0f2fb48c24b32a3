# salesnb: `make` alone lists the targets. The first use builds .venv with pip (no conda needed).
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.salesnb-installed
DATA   ?= data/sample
OUT    ?= reports
JOBS   ?=
AS_OF  ?=
PORT   ?=
PDF    ?=
# Weights saved for the dataset by the team explorer's "Save weights" button (notebook or dashboard) are used by
# default; WEIGHTS=FILE uses a file instead.
WEIGHTS ?=
# Root installs system packages directly; everyone else through sudo.
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help venv reports test test-unit test-notebooks browser lab dashboard sample notebooks bench mutants clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "; print "Usage: make TARGET\n"} /^[a-zA-Z_-]+:.*## / {printf "  %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

venv: $(STAMP) ## Build the .venv (pip install -e ".[test]"); done automatically by the targets below

reports: $(STAMP) ## Main job: a private HTML report per rep of the sample team (DATA=..., OUT=..., WEIGHTS=..., AS_OF=..., PDF=1)
	$(BIN)/salesnb reports --data $(DATA) --out $(OUT) $(if $(JOBS),--jobs $(JOBS)) $(if $(WEIGHTS),--weights $(WEIGHTS)) $(if $(AS_OF),--as-of $(AS_OF)) $(if $(PDF),--pdf)

test: $(STAMP) browser ## Run every test: package, notebooks (nbval) and real-browser tests
	$(BIN)/python -m pytest -n 2 --dist loadfile tests
	$(BIN)/python -m pytest -p no:xdist --nbval notebooks --nbval-sanitize-with notebooks/nbval_sanitize.cfg

browser: ## Install Debian's chromium for the browser tests, if it is missing
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

lab: $(STAMP) ## Open JupyterLab on the notebooks
	$(BIN)/salesnb lab notebooks

dashboard: $(STAMP) ## The team explorer as a web page without code, for managers (DATA=..., WEIGHTS=..., PORT=...)
	$(BIN)/salesnb dashboard --data $(DATA) $(if $(WEIGHTS),--weights $(WEIGHTS)) $(if $(PORT),--port $(PORT))

sample: $(STAMP) ## Regenerate the bundled sample team in data/sample
	$(BIN)/salesnb sample --reps 24 --seed 15 --volume 0.3 --out data/sample

notebooks: $(STAMP) ## Re-execute the committed notebooks on the sample (after a change in what they show)
	$(BIN)/python notebooks/refresh.py

bench: $(STAMP) ## Run the benchmarks (slow: big generated datasets); fails when any misses its target
	@missed=""; for b in bench/bench_*.py; do echo "== $$b"; nice -n 10 $(BIN)/python $$b || missed="$$missed $$b"; done; \
	if [ -n "$$missed" ]; then echo "targets missed by:$$missed"; exit 1; fi

# the modules whose mutants the suite must kill (bench/mutants.md); the tests each runs: [tool.mutmut] in pyproject.toml
MUTATE ?= salesnb.batch.privacy* salesnb.diagnostics.early_warning* salesnb.diagnostics.hygiene* \
          salesnb.diagnostics.pairing* salesnb.fingerprint* salesnb.facts.codec*

mutants: $(STAMP) ## Mutation testing (mutmut) of the privacy, early-warning, hygiene, pairing and cache modules; fails under 90% killed (MUTATE=...)
	nice -n 10 $(BIN)/mutmut run $(MUTATE)
	$(BIN)/python bench/mutants.py

clean: ## Remove generated reports and caches (keeps .venv)
	rm -rf $(OUT) .pytest_cache bench/_out tests/artifacts mutants
