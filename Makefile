# placelens: `make demo` builds everything and writes example place profiles; `make test` runs
# the test suite. Both create the virtual environment (.venv) on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out
STAMP := $(VENV)/.installed

.PHONY: demo test system-deps build lint bench clean

$(STAMP): pyproject.toml
	$(MAKE) system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# WeasyPrint needs Pango and fonts from the system; install them when they are missing.
system-deps:
	@if ! ldconfig -p | grep -q libpango-1.0 || ! fc-list 2>/dev/null | grep -qi dejavu; then \
		echo "Installing Pango and fonts for PDF output (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core fontconfig; \
	fi

build: $(STAMP)
	$(BIN)/placelens data build

demo: build
	$(BIN)/placelens profile Birmingham "Greater Manchester" Cornwall Cardiff --out $(OUT)
	$(BIN)/placelens profile --all --type lad --html-only --out $(OUT)
	@echo "Place profiles (HTML and PDF) are in $(abspath $(OUT)); open $(abspath $(OUT))/index.html"

test: $(STAMP)
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build_and_profiles.py

clean:
	rm -rf $(VENV) var $(OUT)
