# The two commands of the README: `make run` (the whole system) and `make test` (every check).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test kafka-fetch clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

run: $(INSTALLED)
	scripts/install-prometheus || true  # where the machine allows; the stack says if it is absent
	$(BIN)/safeguard stack up

test: $(INSTALLED)
	scripts/test

kafka-fetch: $(INSTALLED)
	$(BIN)/safeguard kafka fetch

clean:
	rm -rf $(VENV) .var
