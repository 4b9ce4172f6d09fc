# The project's entry points. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PACKAGES := common apps/sample apps/parcels apps/spectral-indices apps/biophysical apps/s1-preprocessing apps/markers
AUXDATA_DIR ?= auxdata/s2tbx-biophysical
DEMO_SCENE ?= sample/demo
DEMO_OUT ?= out/demo
BENCH_DIR ?= bench-data
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast images bench auxdata lint clean

## setup: virtual environment with every package (editable) and the test tools, pinned by constraints.txt
setup: $(VENV)/.installed
$(VENV)/.installed: constraints.txt requirements-dev.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	touch $@

SHARED_AUXDATA := ../shared/data/snap-s2tbx-biophysical/s2tbx-biophysical/src/main/resources/auxdata

## demo: generate the sample scene, run the chained CWL workflow on it (no container), then the summary and pictures
demo: setup
	@start=$$(date +%s); export PATH="$(CURDIR)/$(BIN):$$PATH"; \
	aux=$(AUXDATA_DIR); \
	if ! s4c-biophysical-auxdata --dest $(AUXDATA_DIR) --verify-only --quiet 2>/dev/null && \
	   ! s4c-biophysical-auxdata --dest $(AUXDATA_DIR) --quiet 2>/dev/null; then \
	  if [ -d $(SHARED_AUXDATA)/3_0 ]; then aux=$(SHARED_AUXDATA); echo "SNAP networks not downloadable here: using the read-only copy in $$aux"; \
	  else echo "The SNAP biophysical networks are needed: run 'make auxdata' on a machine with internet access."; exit 3; fi; \
	fi; \
	s4c-sample --preset demo --output $(DEMO_SCENE) --quiet && \
	rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT) && \
	sed "s#\.\./\.\./#$(CURDIR)/#; s#$(CURDIR)/auxdata/s2tbx-biophysical#$$(realpath $$aux)#" cwl/jobs/chain-sample.yml > $(DEMO_OUT)/chain-job.yml && \
	cwltool --quiet --no-container --outdir $(DEMO_OUT)/chain cwl/workflows/sen4cap_chain.cwl $(DEMO_OUT)/chain-job.yml > $(DEMO_OUT)/chain-outputs.json && \
	s4c-demo-report --scene $(DEMO_SCENE) --cwl-outputs $(DEMO_OUT)/chain-outputs.json --output $(DEMO_OUT)/report && \
	echo "demo finished in $$(( $$(date +%s) - start )) s; summary and pictures in $(DEMO_OUT)/report"

## test: the whole suite, container builds and CWL runs in containers included (what CI runs)
test: setup
	@start=$$(date +%s); $(BIN)/pytest -n 2 $(PYTEST_ARGS); rc=$$?; \
	echo "tests finished in $$(( $$(date +%s) - start )) s"; exit $$rc

## test-fast: everything but the slow container and full-tile cases
test-fast: setup
	$(BIN)/pytest -n 2 -m "not slow" $(PYTEST_ARGS)

## images: build the base image and every processor image with podman (docker where present)
images: setup
	bash docker/build-images.sh

## auxdata: the SNAP biophysical networks (GPL-3.0, not in the repository) from senbox-org/s2tbx at a pinned commit, sha256-checked
auxdata: setup
	$(BIN)/s4c-biophysical-auxdata --dest $(AUXDATA_DIR)

## bench: benchmarks on the generator's bench preset (throughput and peak memory; figures go to the README)
bench: setup
	$(BIN)/python tests/bench/run_all.py --data $(BENCH_DIR)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(DEMO_OUT) $(DEMO_SCENE) .pytest_cache
