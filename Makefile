# The README's two commands: `make demo` (main job on the embedded default data) and `make test`.
# Both create the project-local .venv and install the project into it when needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stnb-installed

.PHONY: install demo test test-slow

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { avail=$$(df -Pk . | awk 'NR==2 {print int($$4/1048576)}'); \
	  [ "$$avail" -ge 10 ] || echo "stnb: warning: $$avail GB free on this disk; .venv needs about 8 GB (torch brings its CUDA libraries)" >&2; \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q -U pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	bash tools/demo.sh

test: $(STAMP)
	bash tools/test.sh

test-slow: $(STAMP)
	bash tools/test.sh --flags "slow"
