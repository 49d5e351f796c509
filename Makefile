# Two commands on a fresh machine: `make lab` and `make test` (what CI runs).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := $(CURDIR)/.venv
BIN    := $(VENV)/bin
# ansible-core 2.20+ needs Python >= 3.12: use the machine's 3.12 (pyenv carries it here).
PYTHON ?= $(shell for p in $$HOME/.pyenv/versions/3.12*/bin/python3.12 $$(command -v python3.12); do \
            "$$p" -c 'import sys' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
LAB    ?= lab
NODES  ?= 3
MANAGERS ?= 1

export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0

.PHONY: help venv engine images app-images lab lab-down lab-status test static vm-bases lint ruff mypy ansible-lint argspecs apidocs ee unit sanity integration workloads roles molecule vm

help:
	@echo "make lab    - install what is needed, bring up a $(NODES)-node lab, form the swarm with site.yml, print it"
	@echo "make test   - ruff, ansible-lint, unit tests, ansible-test sanity, integration and Molecule scenarios on the lab"
	@echo "make vm     - the VM lane alone: Molecule site-vm and the mesh, VIP, encrypted-overlay and reboot tests (docs/testing.md)"
	@echo "make lab-down - remove the lab"

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it (pyenv install 3.12) or set PYTHON=" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/.installed

engine: venv
	$(BIN)/bk-lab engine

images: engine
	$(BIN)/bk-lab images --release bookworm
	$(BIN)/bk-lab images --release trixie

# The tutorials' application images (WordPress, MariaDB, Traefik: about 1 min) and headless Chromium, for the
# stacks that run on the lab.
app-images: engine
	$(BIN)/bk-lab images --apps
	$(BIN)/bk-lab browser

# The lab's WordPress database passwords, made once (git ignores them; no output shows them).
WORDPRESS_PASSWORDS := stacks/wordpress/db_password.txt stacks/wordpress/db_root_password.txt
$(WORDPRESS_PASSWORDS):
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(16))' > $@

# Bare nodes (no engine): site.yml does preflight, firewall, engine and cluster on them. Then the tutorials'
# images go into the nodes' engines (the lab has no registry) and playbooks/stacks.yml deploys Traefik and
# WordPress behind it (the list in inventories/lab/group_vars/swarm.yml), with the database passwords made here.
lab: engine $(WORDPRESS_PASSWORDS)
	$(BIN)/bk-lab up $(LAB) --nodes $(NODES) --managers $(MANAGERS) --subnet 10.88.0.0/24 --bare --inventory inventories/lab/hosts.yml
	$(BIN)/ansible-playbook -i inventories/lab/hosts.yml playbooks/site.yml --skip-tags stacks
	$(BIN)/bk-lab load $(LAB) $$($(BIN)/bk-lab images --apps)
	$(BIN)/ansible-playbook -i inventories/lab/hosts.yml playbooks/stacks.yml
	$(MAKE) --no-print-directory lab-status

lab-status: venv
	@$(BIN)/ansible-playbook -i inventories/lab/hosts.yml playbooks/lab-status.yml >/dev/null
	@$(BIN)/bk-lab table .lab/$(LAB)/info.json

lab-down: venv
	$(BIN)/bk-lab down $(LAB)

# The VM lane (the VM bases, then Molecule's site-vm and tests/integration/vm: about 25 min here, as
# the VMs run under TCG) beside the static gates, then the container lab lanes two at a time. The VMs
# take both cores while they work, and run beside no container lane: measured side by side, they made
# the container lanes 2.5 times slower. Each lab has its own name and subnet; output is kept per
# target so every lane's log stays readable. The venv comes first: both lanes need it. The VM bases, the
# node images and the application images are built side by side before the lanes (mostly debootstrap, dpkg and
# downloads): about 5 min on a fresh machine, which the container phase otherwise waited for alone.
test: venv
	$(MAKE) --no-print-directory -j3 --output-sync=target vm-bases images app-images
	$(MAKE) --no-print-directory -j2 --output-sync=target vm static
	$(MAKE) --no-print-directory -j2 --output-sync=target integration roles workloads molecule

static:
	$(MAKE) --no-print-directory -j1 lint unit sanity

# The VM bases (built once per machine, about 2.5 min) and the busybox workload image.
vm-bases: venv
	@if reason=$$($(BIN)/bk-lab vm-check); then \
	  echo "$$reason"; start=$$(date +%s); $(BIN)/bk-lab images --vm >/dev/null; \
	  echo "VM bases ready in $$(( $$(date +%s) - start ))s"; \
	else echo "VM tests NOT RUN: $$reason"; fi

lint: ruff mypy ansible-lint argspecs apidocs ee

ruff: venv
	$(BIN)/ruff check .

mypy: venv
	cd collections && $(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p ansible_collections.beekeeper.swarm.plugins.module_utils

ansible-lint: venv
	$(BIN)/ansible-lint --profile production

argspecs: venv
	$(BIN)/python tests/check_argument_specs.py
	$(BIN)/python tests/check_cluster_settings.py

apidocs: venv
	$(BIN)/python tests/check_engine_api_docs.py

ee: venv
	tests/ee.sh

unit: venv
	$(BIN)/pytest -q tests/unit

sanity: venv
	tests/sanity.sh

# One directory per module under tests/integration: its driver test_<module>.py beside one playbook per capability.
MEMBERSHIP := $(addprefix tests/integration/,swarm_info swarm_init swarm_join swarm_node)
WORKLOADS  := $(addprefix tests/integration/,swarm_service swarm_wait swarm_secret swarm_config swarm_network swarm_stack regressions sweep)

integration: images
	$(BIN)/pytest -q --durations=8 $(MEMBERSHIP)

# Services, secrets, configs and networks on labs of their own, so they can run beside the module tests: two
# pytest workers, each with its own lab (wl0 on 10.88.60.0/24, wl1 on .61), a test file at a time. The lane waits
# on the engines more than it computes (alone it used under one core): 1024 s on one lab, 606 s on two.
workloads: images
	BEEKEEPER_IT_LAB=wl BEEKEEPER_IT_SUBNET=10.88.60.0/24 $(BIN)/pytest -q --durations=8 -n 2 --dist loadfile $(WORKLOADS)

roles: images
	$(BIN)/pytest -q --durations=8 -n 3 tests/integration/roles

# Every scenario on node containers; site-vm (VMs) runs in the VM lane.
molecule: images
	cd $(CURDIR) && $(BIN)/molecule test --all --exclude site-vm

# The VM lane (docs/testing.md): Molecule's site-vm (site.yml from bare VMs, idempotence, verify
# through the mesh), then the mesh, VIP, encrypted-overlay and reboot tests on its lab. A machine
# that cannot run VMs says NOT RUN and why; the tests are then skipped, never passed.
vm: vm-bases
	$(BIN)/pytest -q -s -rs --durations=0 tests/integration/vm

# Side-by-side benchmark of swarm_service against community.docker.docker_swarm_service on its own lab
# (`bn`, 10.88.63.0/24): see bench/README.md. Not part of `make test`. BENCH_SERVICES, BENCH_REPEAT, BENCH_KEEP=1.
.PHONY: bench bench-services bench-stacks
BENCH_VENV := $(CURDIR)/bench/.venv

$(BENCH_VENV)/.installed: bench/requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: install it (pyenv install 3.12) or set PYTHON=" >&2; exit 1; }
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_VENV)/bin/pip install -q -r bench/requirements.txt
	touch $@

bench: bench-services bench-stacks

bench-services: images $(BENCH_VENV)/.installed
	$(BIN)/python bench/services.py

# swarm_stack against community.docker.docker_stack, `docker stack deploy` and raw API calls on lab `bs`
# (10.88.64.0/24, trixie): bench/README.md. BENCH_STACK_SERVICES (10), BENCH_REPEAT, BENCH_KEEP=1.
bench-stacks: images $(BENCH_VENV)/.installed
	$(BIN)/python bench/stacks.py
