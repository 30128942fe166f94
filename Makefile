# Everyday commands. `make run` and `make test` install what they need on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
PYTHON310 ?= $(shell scripts/find_python310.sh)

# Demo mode unless told otherwise: demo secrets and demo accounts (see README "Security").
export APP_ENV ?= demo
# Storage: SQLite files under var/ unless DATABASE_URL and TRACKER_STORE_URL say otherwise
# (bot/settings.py, scripts/run.sh); the cluster's defaults are the local PostgreSQL, Redis and
# RabbitMQ (scripts/cluster.py).
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: run test unit train shell install db validate evaluate bench clean run-cluster test-cluster services

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

# The servers the cluster settings use, installed (Debian packages) and started when missing.
services:
	scripts/services.sh

# N of each process behind nginx on PostgreSQL, Redis and RabbitMQ (README "Deployment");
# CLUSTER_SIZE=4 for four of each. Ctrl-C stops them all.
run-cluster: train services
	$(PY) scripts/cluster.py

# The test suite on the production settings, then the cluster under load and faults.
test-cluster: install services
	scripts/test_cluster.sh

# Load figures on the local PostgreSQL (see bench/run.sh); not part of `make test`.
bench: train
	bench/run.sh $(LABEL) $(BENCH_ARGS)

clean:
	rm -rf var/*.db results
