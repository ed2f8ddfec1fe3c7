# The README's two commands are `make demo` and `make test`; both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo

.PHONY: install install-user mutate demo test test-cov test-slow wheel-check lint type check clean import validate review-export review-apply sweep bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## install-user: onboard for this user, from a built wheel (~/.local/bin/onboard)
USER_HOME := $(HOME)/.local/share/onboard
install-user:
	$(PYTHON) -m venv $(USER_HOME)
	$(USER_HOME)/bin/pip install --quiet --upgrade pip
	$(USER_HOME)/bin/pip install --quiet --force-reinstall .
	mkdir -p $(HOME)/.local/bin
	ln -sf $(USER_HOME)/bin/onboard $(HOME)/.local/bin/onboard
	@echo "installed $(HOME)/.local/bin/onboard (add $(HOME)/.local/bin to PATH if it is not there)"

## demo: import the samples into demo/onboarding.db, review and approve them, print the status
demo: $(STAMP)
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	@# Exit 1 means some sample rows were rejected, as they are meant to be; 2 would be a failure.
	$(BIN)/onboard import samples/portal-customers.xlsx samples/klanten-nl.csv samples/multi-country.xlsx \
		--db sqlite:///$(DEMO)/onboarding.db --report-dir $(DEMO)/reports --user demo-importer \
		|| test $$? -eq 1
	$(BIN)/onboard review export --out $(DEMO)/review.xlsx --db sqlite:///$(DEMO)/onboarding.db
	$(BIN)/python samples/fill_review.py $(DEMO)/review.xlsx
	$(BIN)/onboard review apply $(DEMO)/review.xlsx --reviewer demo-reviewer \
		--db sqlite:///$(DEMO)/onboarding.db --report-dir $(DEMO)/reports
	$(BIN)/onboard status --db sqlite:///$(DEMO)/onboarding.db
	$(BIN)/onboard export --status approved --out $(DEMO)/approved.csv --db sqlite:///$(DEMO)/onboarding.db
	@echo "Reports are in $(DEMO)/reports/; the store is $(DEMO)/onboarding.db"

## test: the quick test suite, all but the slow tests, on WORKERS processes (default 2; each
## with a PostgreSQL database of its own, the test database's name + _gw0, _gw1, …);
## PostgreSQL tests run when ONBOARD_TEST_PG_URL is set
WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n $(WORKERS)

## test-cov: the quick suite with branch coverage of pipeline/ and schemas/, the onboard
## processes the tests start included; fails below fail_under (pyproject.toml). CI runs it.
test-cov: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n $(WORKERS) --cov=pipeline --cov=schemas --cov-branch

## wheel-check: install from a built wheel into a fresh venv; migrate, import, review, export with it
wheel-check:
	bash .ci/wheel-check

## Team targets. DB defaults to the configuration (onboard.toml / ONBOARD_DB_URL).
ONBOARD := $(BIN)/onboard
DBOPT := $(if $(DB),--db $(DB),) $(if $(REPORTS),--report-dir $(REPORTS),)

# make itself exits 2 whenever a recipe fails; EXPLAIN says which of onboard's codes it was
# (make's own "Error 1" / "Error 2" line repeats it). A CI job that branches on 1 versus 2
# runs .venv/bin/onboard directly.
EXPLAIN = code=$$?; case $$code in \
	1) echo "onboard: exit 1: some rows were rejected (see the reports)" >&2;; \
	2) echo "onboard: exit 2: a file was unusable or the store failed" >&2;; esac; exit $$code

## import FILE=sheet.xlsx: import one spreadsheet
import: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make import FILE=customers.xlsx [DB=url]" >&2; exit 2; }
	@$(ONBOARD) import "$(FILE)" $(DBOPT); $(EXPLAIN)

## validate FILE=sheet.xlsx: a CI gate; exits non-zero when rows are rejected or the file is unusable
validate: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make validate FILE=customers.xlsx" >&2; exit 2; }
	@$(ONBOARD) validate "$(FILE)" $(if $(REPORTS),--report-dir $(REPORTS),); $(EXPLAIN)

## review-export [OUT=review.xlsx] [BATCH=id]: a review file of pending customers
review-export: $(STAMP)
	$(ONBOARD) review export --out "$(or $(OUT),review.xlsx)" $(if $(BATCH),--batch $(BATCH),) $(if $(DB),--db $(DB),)

## review-apply FILE=review.xlsx REVIEWER=name: apply a filled-in review file
review-apply: $(STAMP)
	@test -n "$(FILE)" -a -n "$(REVIEWER)" || \
		{ echo "usage: make review-apply FILE=review.xlsx REVIEWER=name" >&2; exit 2; }
	$(ONBOARD) review apply "$(FILE)" --reviewer "$(REVIEWER)" $(DBOPT)

## sweep ROOT=dir: one cron sweep of a drop folder
sweep: $(STAMP)
	@test -n "$(ROOT)" || { echo "usage: make sweep ROOT=/srv/onboarding" >&2; exit 2; }
	$(ONBOARD) run --root "$(ROOT)" $(if $(DB),--db $(DB),)

## test-slow: the slow tests (crash, concurrency, time-outs, LibreOffice), the property tests
## with many examples, and the file tests on PostgreSQL (docs/testing.md, "Tiers")
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow; status=$$?; [ $$status -eq 5 ] && echo "no slow tests" || exit $$status

## lint: ruff (lint and format) and mypy (strict on pipeline/ and schemas/)
lint: $(STAMP)
	$(BIN)/ruff check pipeline schemas tests bench samples
	$(BIN)/ruff format --check pipeline schemas tests bench samples
	$(BIN)/mypy pipeline schemas bench

## bench: onboard against frictionless-py and python-calamine, alternating runs, median of REPEAT
## (PG_URL, or ONBOARD_TEST_PG_URL, adds the PostgreSQL load comparison; ~15 minutes on 2 cores)
BENCH_PEERS := $(VENV)/.bench-peers
$(BENCH_PEERS): $(STAMP)
	$(BIN)/pip install --quiet "frictionless>=5.18" "python-calamine>=0.2"
	touch $(BENCH_PEERS)

bench: $(BENCH_PEERS)
	$(BIN)/python bench/run.py --repeat $(or $(REPEAT),3) \
		$(if $(ROWS),--rows $(ROWS),) $(if $(BIG_ROWS),--big-rows $(BIG_ROWS),) \
		$(if $(PG_URL),--pg-url $(PG_URL),) --markdown bench/last-run.md

## mutate: mutation testing (mutmut) of the rules, review decisions, store upsert and sweep
## claims; prints the score per module (hours on 2 cores; see docs/testing.md). Part of it:
## make mutate ONLY="'pipeline.review.*' 'schemas.rules.tax_id.*'"
mutate: $(STAMP)
	$(BIN)/pip install --quiet "mutmut>=3.8,<4"
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 $(ONLY) || true
	$(BIN)/python tests/mutation_scores.py $(BIN)/mutmut

type: $(STAMP)
	$(BIN)/mypy pipeline schemas

check: lint test

clean:
	rm -rf $(VENV) $(DEMO) mutants reports onboarding.db .pytest_cache .mypy_cache \
		.ruff_cache bench/.data .coverage .coverage.* build *.egg-info
