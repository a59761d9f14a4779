# Avtal: `make run` starts the whole platform; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := scripts/uv.sh
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup run test lint test-kafka bench clean

$(VENV)/.synced: pyproject.toml uv.lock $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)
	$(UV) sync --frozen --python "$$(command -v $(PYTHON))"
	touch $@

setup: $(VENV)/.synced
	scripts/system-deps.sh run

run: setup
	$(VENV)/bin/avtal up

test: $(VENV)/.synced lint
	scripts/system-deps.sh test
	$(VENV)/bin/pytest

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test-kafka: $(VENV)/.synced
	scripts/system-deps.sh test kafka
	scripts/test-kafka.sh

bench: setup
	$(VENV)/bin/python -m bench

clean:
	rm -rf .avtal/test .avtal/kafka-test .avtal/bench*
