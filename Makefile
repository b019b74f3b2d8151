# The two commands in README.md: `make run` and `make test`. Both build the venv from nothing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow test-agreement mutants docs lint bench clean chromium

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The report's browser tests drive Debian's chromium through Playwright (Playwright's own
# browser download is not used); installed here when missing, with sudo unless root.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

run: $(STAMP)
	$(BIN)/skyshield run

# The fast tier: lint, types, every test not marked slow (property tests with the small
# "fast" hypothesis profile), and the engine's numba code again with bounds checks.
test: $(STAMP) chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(MAKE) docs
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist loadfile --durations=8
	@# the fast engine's numba code again with bounds checks, in its own cache so it recompiles
	NUMBA_BOUNDSCHECK=1 NUMBA_CACHE_DIR=$(VENV)/numba-boundscheck $(BIN)/python -m pytest -q \
		tests/engine/test_reference.py tests/engine/test_intercept.py \
		-k "cap or reloads or sector or one-unit or head_on or brute"

# The slow tier: the tests marked slow (10,000 fuzzed files, 24 seeds x 160 nights, six MCMC
# fits, ...) and every property test again with the "slow" hypothesis profile (15x examples),
# a file per worker as in the fast tier (CI's time limit).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m "(slow or hypothesis) and not full_agreement" \
		--hypothesis-profile=slow -n auto --dist loadfile --durations=8

# Fast = reference on every shipped scenario in full (issue #20): the reference engine takes
# minutes to tens of minutes per scenario, so this is run by hand, not by CI.
test-agreement: $(STAMP)
	$(BIN)/python -m pytest -q -m full_agreement -n auto --durations=10

# Every mutant in scripts/mutants.sh must be killed by its tests; prints the table.
mutants: $(STAMP)
	bash scripts/mutants.sh

# The API reference and tutorial into site/ (mkdocs.yml). --strict: a broken cross-reference
# (in a page or a docstring) or any other warning fails the build; tests/test_docs.py runs the
# tutorial's code and proves a broken reference fails.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
	@# the site loads nothing from the web (no font or script CDN); links out are fine
	@! grep -rlE '<(script|link|img)[^>]*(src|href)="(https?:)?//' site || \
		{ echo "site/ loads an asset from the web (above)"; exit 1; }
	@# every Sphinx role of a docstring was turned into a link or code (scripts/docs_griffe.py)
	@! grep -rlE ':(py:)?(func|class|mod|meth|attr|data|obj|exc|const):|&lt;autoref' site \
		--include=*.html || { echo "a docstring role was printed as text (above)"; exit 1; }

bench: $(STAMP)
	$(BIN)/python bench/bench_engine.py

clean:
	rm -rf $(VENV) build dist site src/*.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
