# The two commands a reader needs: `make lab` and `make test`.  Everything else is for maintainers.
PYTHON ?= python3
# One BLAS thread: the book's problems are small, and on a 2-core machine running two test
# workers, threaded BLAS oversubscribes the cores and makes EM many times slower.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
# Another interpreter gets its own environment: make test PYTHON=/usr/bin/python3 VENV=.venv-system
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: lab test notebooks figures bench lock clean

# The first run installs about 120 pinned packages (900 MB): pip lists what it collects, then shows a
# progress bar while it installs.  Later runs skip this until pyproject.toml or constraints.txt change.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "gmmbook needs Python >= 3.11"'
	@echo "== Installing the book's pinned packages into $(VENV)/ with $$($(PYTHON) --version) (1.5 to 3 minutes, once)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --progress-bar on -c constraints.txt -e '.[dev]'
	@touch $(STAMP)
	@echo "== $(VENV)/ is ready"

## Open the book in JupyterLab on chapter 01, with the settings in jupyter-config/ (one entry per
## notebook, no news pop-up, a quiet terminal; your own Jupyter configuration is not changed).
## The server runs in the foreground until Ctrl+C.  More options for it: make lab LAB_ARGS=--port=9999
lab: $(STAMP)
	@echo "Starting JupyterLab on chapter 01 (chapters/01_mixtures.ipynb)."
	@echo "If no browser opens, open the address printed below, http://127.0.0.1:8888/lab/tree/...?token=..."
	@echo "JupyterLab runs in this terminal until you stop it: press Ctrl+C twice here (your saved work stays)."
	@JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(VENV)/bin/jupyter lab --ServerApp.root_dir=. $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

## Run every test: unit, property, figure and notebook tests.  PYTEST_ARGS adds pytest options,
## e.g. make test PYTEST_ARGS="tests/test_em.py" (CI uses it for the second interpreter).
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

## Regenerate the student exercises from their solutions, then every .ipynb from its .py, executed.
notebooks: $(STAMP)
	$(PY) tools/exercises.py generate
	$(PY) tools/notebooks.py build

## Regenerate every figure in figures/.
figures: $(STAMP)
	$(PY) tools/figures.py

## Benchmark EM against scikit-learn (slow; not part of `make test`).
bench: $(STAMP)
	$(PY) benchmarks/bench_em.py

## Plant the classic wrong formulas of tools/mutants.toml one at a time and check that the chapters
## catch each (slow: about 8 minutes; not part of `make test`).  MUTANTS_ARGS=--fast runs the quick subset.
.PHONY: mutants
mutants: $(STAMP)
	$(PY) tools/mutants.py $(MUTANTS_ARGS)

## Re-pin constraints.txt to what is installed now.
lock: $(STAMP)
	{ head -n 2 constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^gmmbook'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +

# ---- The HTML edition, the PDF and Binder (book/, binder/, tools/website.py; see README "For maintainers").
# The site has its own pinned environment (Jupyter Book 1 needs markdown-it-py 3; the project pins 4)
# and serves MathJax from an npm install pinned by book/package-lock.json.  Nothing is executed.
SITE_VENV ?= .venv-site
SITE_PY := $(SITE_VENV)/bin/python
SITE_STAMP := $(SITE_VENV)/.installed
MATHJAX_STAMP := _build/npm/.installed

.PHONY: html pdf site-check pdf-check site-lock binder-check

$(SITE_STAMP): book/requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "the site needs Python >= 3.11"'
	test -x $(SITE_PY) || $(PYTHON) -m venv $(SITE_VENV)
	$(SITE_PY) -m pip install --quiet -r book/requirements.txt
	$(SITE_PY) -m pip check
	touch $(SITE_STAMP)

$(MATHJAX_STAMP): book/package.json book/package-lock.json
	@command -v npm >/dev/null || { echo "make html needs npm (Debian: apt-get install -y npm)"; exit 1; }
	mkdir -p _build/npm
	cp book/package.json book/package-lock.json _build/npm/
	cd _build/npm && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(MATHJAX_STAMP)

## The website, in _build/html/ (open _build/html/index.html), from the committed executed notebooks.
html: $(SITE_STAMP) $(MATHJAX_STAMP)
	$(SITE_PY) tools/website.py html

## The whole book as one PDF, _build/pdf/gmmbook.pdf, printed by Chromium (apt-get install -y chromium).
pdf: $(SITE_STAMP) $(MATHJAX_STAMP)
	$(SITE_PY) tools/website.py pdf

## Check the built site in headless Chromium with the network blocked (after make html), and the PDF if
## there is one; pdf-check checks the PDF only (after make pdf).
site-check: $(STAMP) $(SITE_STAMP)
	GMMBOOK_SITE_CHECK=1 $(PY) -m pytest -q tests/test_site.py tests/test_site_browser.py

pdf-check: $(STAMP) $(SITE_STAMP)
	GMMBOOK_PDF_CHECK=1 $(PY) -m pytest -q tests/test_site_browser.py::test_the_pdf

## Emulate Binder: its Jupyter stack in a fresh venv, binder/ on top, the chapters in it (10-20 minutes).
binder-check: $(STAMP)
	GMMBOOK_BINDER_CHECK=1 $(PY) -m pytest -q tests/test_binder.py tests/test_binder_emulation.py

## Re-pin book/requirements.txt to the newest releases of what the site needs.
site-lock:
	rm -rf _build/lock-venv && $(PYTHON) -m venv _build/lock-venv
	_build/lock-venv/bin/pip install --quiet jupyter-book==1.0.4.post1 playwright pypdf soupsieve==2.10
	{ head -n 3 book/requirements.txt; _build/lock-venv/bin/pip freeze; } > book/requirements.txt.new
	mv book/requirements.txt.new book/requirements.txt
	rm -rf _build/lock-venv
