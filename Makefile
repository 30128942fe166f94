# Everyday commands. `make run` and `make test` install what they need on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
PYTHON310 ?= $(shell scripts/find_python310.sh)

# Demo mode unless told otherwise: demo secrets and demo accounts (see README "Security").
export APP_ENV ?= demo
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(or $(ACTION_PORT),5055)/webhook
export TRACKER_STORE_URL ?= sqlite:///$(CURDIR)/var/tracker.db
export DATABASE_URL ?= sqlite:///$(CURDIR)/var/bank.db
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run test unit train shell install db validate evaluate bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade 'pip<25' wheel
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

db: install
	$(PY) -m bot.data.seed

validate: install
	$(RASA) data validate

train: install
	$(RASA) train --fixed-model-name assistant --out models

run: db train
	scripts/run.sh

shell: db train
	scripts/run.sh --shell

evaluate: train
	scripts/evaluate.sh

test: install
	scripts/test.sh

# The fast loop: domain, actions, API and property tests; no training, no servers, no browser.
unit: install
	$(PY) -m pytest -m "not e2e" --ignore=tests/e2e --ignore=tests/browser

# Load figures of the running stack (see bench/run.sh); not part of `make test`.
bench: db train
	bench/run.sh $(LABEL) $(BENCH_ARGS)

clean:
	rm -rf var/*.db results
