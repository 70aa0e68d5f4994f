# Two commands do everything (each sets itself up on a fresh machine):
#   make book   build the course website into _build/html (then `make serve` to browse it)
#   make test   run the whole test suite (references vs torch/sklearn, grader, book)
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: book book-shots serve test lint bench bench-faults mutants setup system clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,book,grading]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP) system

system:
	bash scripts/install-system-deps.sh

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --path-output . -W --keep-going
	@echo "open _build/html/index.html (or: make serve)"

# Screenshots of every chapter at desktop (1280 px) and phone (390 px) width, full page, into
# _build/screenshots/, and a table of what the render audit measured on each page.
book-shots: book
	$(PY) scripts/book_browser.py

serve: book
	$(PY) -m http.server --directory _build/html 8000

# One BLAS/OpenMP thread per xdist worker: two workers already fill the two cores.
test: setup
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(VENV)/bin/ruff check solutions autograder tests bench

bench: $(STAMP)
	$(PY) bench/references.py

# Every gradebook fault (Ctrl-C, SIGTERM, SIGKILL, disk full, concurrent graders, a killed Dask
# worker) on 200 submissions, each compared row by row with a clean run (needs root for the
# disk-full tmpfs; ~30 min on 2 cores). `make bench-faults N=20` for a quick one.
bench-faults: $(STAMP)
	$(PY) bench/faults.py $(if $(N),-n $(N))

# Mutation score of every exercise's cases (the full sweep; slow: tens of minutes).
# `make mutants EXERCISE=losses.cross_entropy` for one exercise (or a chapter);
# `make mutants RECORD=1` also rewrites autograder/mutant_floors.json.
mutants: $(STAMP)
	$(PY) -m autograder mutants $(EXERCISE) --survivors $(if $(RECORD),--record)

clean:
	rm -rf _build
