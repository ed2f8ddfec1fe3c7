# The README's two commands are `make demo` and `make test`; both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo

.PHONY: install demo test lint type check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: import the samples into demo/onboarding.db, review and approve them, print the status
demo: $(STAMP)
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	-$(BIN)/onboard import samples/portal-customers.xlsx samples/klanten-nl.csv samples/multi-country.xlsx \
		--db sqlite:///$(DEMO)/onboarding.db --report-dir $(DEMO)/reports --user demo-importer
	$(BIN)/onboard review export --out $(DEMO)/review.xlsx --db sqlite:///$(DEMO)/onboarding.db
	$(BIN)/python samples/fill_review.py $(DEMO)/review.xlsx
	$(BIN)/onboard review apply $(DEMO)/review.xlsx --reviewer demo-reviewer \
		--db sqlite:///$(DEMO)/onboarding.db --report-dir $(DEMO)/reports
	$(BIN)/onboard status --db sqlite:///$(DEMO)/onboarding.db
	$(BIN)/onboard export --status approved --out $(DEMO)/approved.csv --db sqlite:///$(DEMO)/onboarding.db
	@echo "Reports are in $(DEMO)/reports/; the store is $(DEMO)/onboarding.db"

## test: the whole test suite (PostgreSQL tests run when ONBOARD_TEST_PG_URL is set)
test: $(STAMP)
	$(BIN)/python -m pytest -q

## lint: ruff and mypy (strict on pipeline/ and schemas/)
lint: $(STAMP)
	$(BIN)/ruff check pipeline schemas tests
	$(BIN)/mypy pipeline schemas

type: $(STAMP)
	$(BIN)/mypy pipeline schemas

check: lint test

clean:
	rm -rf $(VENV) $(DEMO) reports onboarding.db .pytest_cache .mypy_cache .ruff_cache
