# chemomech developer entry points. `make run` and `make test` create .venv on first use.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
CASE ?= cases/default.yaml
# MPI ranks for `make run` (e.g. `make run NP=2`); 1 runs without mpiexec
NP ?= 1

# First Python >= 3.12 found: $PYTHON, then python3.13/python3.12 on PATH, then pyenv's versions.
find_python = $(shell for p in $$PYTHON python3.13 python3.12 python3 \
	$$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
	  [ -n "$$p" ] && command -v $$p >/dev/null 2>&1 && \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: venv run test test-all bench reproduce clean
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@py="$(call find_python)"; \
	if [ -z "$$py" ]; then \
	  echo "error: chemomech needs Python >= 3.12; none found on PATH or under pyenv." >&2; \
	  echo "       install one (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12" >&2; exit 1; fi; \
	echo "using $$py ($$($$py -V))"; \
	[ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[fenicsx,test]"
	@touch $@

run: venv
ifeq ($(NP),1)
	$(VENV)/bin/chemomech run $(CASE)
else
	$(VENV)/bin/mpiexec -n $(NP) $(VENV)/bin/chemomech run $(CASE)
endif

test: venv
	$(PY) -m pytest -q

test-all: venv
	$(PY) -m pytest -q -m "" 

bench: venv
	$(PY) bench/bench_workloads.py

# Every cases/*/reference.yaml through `chemomech compare`, then docs/reproductions.md.
# Up-to-date runs (same case hash) are reused; RERUN=1 runs all again; JOBS runs at once.
JOBS ?= 2
reproduce: venv
	$(PY) -m solver.compare.report --jobs $(JOBS) --np $(NP) $(if $(RERUN),--rerun)

clean:
	rm -rf $(VENV) results .pytest_cache
