# The README's two commands: `make dev` (run the whole stack locally) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
CHROMIUM := /usr/lib/chromium/chromium
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: test dev bench eval lint-template sam-build install install-sam install-browser install-node unit integration e2e clean

## test: install everything a fresh machine needs, then run the whole suite
test: install install-sam install-browser install-node
	$(PY) -m pytest -q -p no:cacheprovider tests
	@if [ -f extension/package.json ]; then cd extension && npm test --silent; fi

## dev: run the API, worker, DynamoDB and SQS on this machine (no AWS account, no Docker)
dev: install
	$(VENV)/bin/ronbun dev

## bench: measure the budgets in DESIGN.md; writes bench-results.json
bench: install
	$(PY) -m tests.bench

## eval: precision and recall of the quality checks on the labelled set in tests/eval (reports, does not gate)
eval: install
	$(PY) -m tests.eval.run --split both

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml shared/requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r shared/requirements.txt -r requirements-dev.txt -e .
	touch $@

# aws-sam-cli pins its own boto3/pydantic: it lives in its own virtual environment.
install-sam: $(SAM_VENV)/.installed

$(SAM_VENV)/.installed:
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q aws-sam-cli==1.170.0 cfn-lint==1.58.0
	touch $@

# Chromium for the extension's e2e tests; a CJK font so screenshots show Japanese.
install-browser:
	@test -x $(CHROMIUM) -a -d /usr/share/fonts/opentype/noto || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; }

install-node:
	@if [ -f extension/package.json ]; then cd extension && { test -d node_modules || npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent; }; fi

## lint-template / sam-build: the SAM checks (also run inside `make test`)
lint-template: install-sam
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(SAM_VENV)/bin/sam validate --lint
	$(SAM_VENV)/bin/cfn-lint template.yaml

sam-build: install-sam
	SAM_CLI_TELEMETRY=0 PYENV_VERSION=3.11.7:3.12.1:3.13.0 $(SAM_VENV)/bin/sam build

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam test-artifacts bench-results.json
