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

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "gmmbook needs Python >= 3.11"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## Open the book in JupyterLab.  A chapter's .py opens as a notebook on double-click: the default
## viewer is set in the venv's own JupyterLab config (nothing is written to your home directory).
lab: $(STAMP)
	$(VENV)/bin/jupytext-config --settings-file $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json set-default-viewer python
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. $(if $(filter 0,$(shell id -u)),--allow-root) chapters/01_mixtures.ipynb

## Run every test: unit, property, figure and notebook tests.
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

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

## Re-pin constraints.txt to what is installed now.
lock: $(STAMP)
	{ head -n 2 constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^gmmbook'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
	find . -name __pycache__ -prune -exec rm -rf {} +
