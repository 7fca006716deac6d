# placelens: `make demo` builds everything and writes example place profiles; `make test` runs
# the test suite. Both create the virtual environment (.venv) on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out
STAMP := $(VENV)/.installed
# Optional extras to install besides dev (CI adds spark: EXTRAS=dev,spark)
EXTRAS ?= dev

.PHONY: demo test system-deps build lint bench clean assets serve

$(STAMP): pyproject.toml
	$(MAKE) system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[$(EXTRAS)]'
	$(MAKE) assets
	touch $(STAMP)

# Front-end packages (GOV.UK Frontend, Vega, Vega-Lite, vega-embed; axe-core for the tests)
# from the npm registry at the versions in package-lock.json, copied into the package so the
# site serves them itself (no CDN).
VENDOR := src/placelens/web/static/vendor
GOVUK := node_modules/govuk-frontend/dist/govuk
assets: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.js $(VENDOR)/
	cp -r $(GOVUK)/assets $(VENDOR)/govuk-assets
	cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
		node_modules/vega-embed/build/vega-embed.min.js $(VENDOR)/

# WeasyPrint needs Pango, HarfBuzz (with subsetting, for small PDFs) and fonts from the
# system; install them with apt-get when any is missing.
SYSTEM_LIBS := libpango-1.0.so libpangoft2-1.0.so libharfbuzz-subset.so
system-deps:
	@missing=0; for lib in $(SYSTEM_LIBS); do ldconfig -p | grep -q $$lib || missing=1; done; \
	fc-list 2>/dev/null | grep -qi dejavu || missing=1; \
	if [ $$missing = 1 ]; then \
		echo "Installing Pango, HarfBuzz and fonts for PDF output (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
			fonts-dejavu-core fontconfig >/dev/null; \
	fi

build: $(STAMP)
	$(BIN)/placelens data build

PROP99 ?= $(or $(PLACELENS_DATAPACK),../shared/datapack)/synth_control_benchmarks/california_prop99_smoking_adh2010.csv

demo: build
	$(BIN)/placelens profile Birmingham "Greater Manchester" Cornwall Cardiff --out $(OUT)
	$(BIN)/placelens profile --all --type lad --html-only --charts browser --jobs 0 --out $(OUT)
	$(BIN)/placelens regions build --map $(OUT)/functional_regions.html --area-set $(OUT)/functional_regions.csv > /dev/null
	$(BIN)/placelens network build --out $(OUT)/networks
	$(BIN)/placelens evaluate scm --treated California --outcome cigsale --start 1989 \
		--intervention "Proposition 99" --panel $(PROP99) --unit state --time year \
		--predictor lnincome:1980-1988 --predictor retprice:1980-1988 \
		--predictor age15to24:1980-1988 --predictor beer:1984-1988 --predictor cigsale:1988 \
		--predictor cigsale:1980 --predictor cigsale:1975 --out $(OUT)/evaluations
	$(BIN)/placelens evidence import-seed
	$(BIN)/placelens evidence map --out $(OUT)/evidence_map.csv
	$(BIN)/placelens qual demo --out $(OUT)/demo_corpus.qdpx
	$(BIN)/placelens index --out $(OUT)
	@echo "Place profiles (web pages, board briefs and full profiles as PDF) are in $(abspath $(OUT)); open $(abspath $(OUT))/index.html"
	@echo "Functional regions: $(abspath $(OUT))/functional_regions.html; networks: $(abspath $(OUT))/networks/; evaluation example: $(abspath $(OUT))/evaluations/; evidence-and-gap map: $(abspath $(OUT))/evidence_map.csv; coded demo corpus (REFI-QDA): $(abspath $(OUT))/demo_corpus.qdpx"

# The web observatory on the demo warehouse and a SQLite file (var/placelens.sqlite).
HOST ?= 127.0.0.1
PORT ?= 8000
serve: $(STAMP)
	@test -f $${PLACELENS_WAREHOUSE:-var/placelens.duckdb} || $(BIN)/placelens data build
	$(BIN)/placelens evidence import-seed
	@echo "placelens web observatory: http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(BIN)/placelens serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_build_and_profiles.py

clean:
	rm -rf $(VENV) var $(OUT)
