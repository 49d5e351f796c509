#!/usr/bin/env bash
# ansible-test sanity for beekeeper.swarm, without docker.
#
# ansible-test wants the collection at .../ansible_collections/beekeeper/swarm and resolves
# symlinks, so collections/ansible_collections/beekeeper/swarm (a link to the root) does not do:
# the tree (git-tracked plus untracked-but-not-ignored files) is copied to a temporary
# ansible_collections/beekeeper/swarm and tested there. Ignore files stay empty: fix the code.
#
# Runs:
#   1. every sanity test on the controller Python (3.12), in ansible-test's own venvs;
#   2. import and compile (what runs on the nodes) for the node Pythons - Debian bookworm 3.11,
#      trixie 3.13 - when an interpreter for them is found on PATH or under $PYENV_ROOT/versions
#      (skipped with a notice otherwise; SANITY_NODE_PYTHONS="" skips them on purpose). The
#      import test runs in a venv ansible-test makes from that interpreter; nothing is installed
#      into the interpreter itself.
#
# Environment: ANSIBLE_TEST (default: ansible-test from PATH), SANITY_NODE_PYTHONS
# (default "3.11 3.13"), KEEP_SANITY_TREE=1 to keep the copy for debugging.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ANSIBLE_TEST=${ANSIBLE_TEST:-$(command -v ansible-test || true)}
NODE_PYTHONS=${SANITY_NODE_PYTHONS-3.11 3.13}

if [[ -z "$ANSIBLE_TEST" ]]; then
  echo "sanity: ansible-test not found; run 'make venv' (it comes with ansible-core) or set ANSIBLE_TEST" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/beekeeper-sanity.XXXXXX")
cleanup() {
  if [[ "${KEEP_SANITY_TREE:-0}" == 1 ]]; then
    echo "sanity: tree kept at $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

DEST="$WORK/ansible_collections/beekeeper/swarm"
mkdir -p "$DEST"

# Files git knows, plus new files that are not ignored; never the venv, the lab state or the
# in-place collections path (a symlink back to the root).
cd "$ROOT"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do
      case "$f" in
        .venv/* | .lab/* | .ansible/* | tests/output/* | collections/* | collections) continue ;;
      esac
      # a tracked file deleted in the working tree is not part of what is tested
      [[ -e "$f" || -L "$f" ]] && printf '%s\0' "$f"
    done \
  | tar --null -T - -cf - \
  | tar -xf - -C "$DEST"

# ansible-test starts each venv it creates by running a get-pip.py it downloads from
# ci-files.testing.ansible.com, which is not reachable here (only PyPI is). When the cached
# script is missing, put an equivalent in its place: pip's own wheel from PyPI, run from the
# wheel (pip supports that) to install what ansible-test asked for.
seed_pip_bootstrap() {
  local py at_dir pip_version cache shim wheel wheels
  py="$(dirname "$ANSIBLE_TEST")/python"
  [[ -x "$py" ]] || py=python3
  at_dir=$("$py" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
  pip_version=$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" "$at_dir/_internal/python_requirements.py" | head -n 1)
  [[ -n "$pip_version" ]] || { echo "sanity: cannot tell which pip ansible-test bootstraps" >&2; return 1; }
  cache="$HOME/.ansible/test/cache"
  shim="$cache/get_pip_${pip_version//./_}.py"
  [[ -s "$shim" ]] && return 0
  mkdir -p "$cache"
  "$py" -m pip download -q --no-deps --only-binary :all: -d "$cache" "pip==$pip_version"
  wheels=("$cache"/pip-"$pip_version"-*.whl)
  wheel=${wheels[0]}
  cat >"$shim.tmp" <<EOF
# Stand-in for get-pip.py $pip_version, written by beekeeper.swarm tests/sanity.sh because
# ci-files.testing.ansible.com is not reachable: runs pip from its wheel to install what
# ansible-test asks for (the same arguments get-pip.py takes).
import runpy
import sys

sys.path.insert(0, "$wheel")
sys.argv = ["pip", "install"] + [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
runpy.run_module("pip", run_name="__main__", alter_sys=True)
EOF
  mv "$shim.tmp" "$shim"
}
seed_pip_bootstrap

cd "$DEST"
echo "sanity: testing a copy at $DEST"

# 1. All tests on the controller Python. A failure still lets step 2 run: one report of everything.
status=0
"$ANSIBLE_TEST" sanity --venv --requirements --python 3.12 --color no || status=$?

# 2. What runs on the nodes, on the nodes' Pythons.
find_python() {
  # the real interpreter (not a pyenv shim) of the first candidate that runs as that version
  local version=$1 candidate
  for candidate in $(type -ap "python$version") "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/python"$version"; do
    [[ -x "$candidate" ]] || continue
    "$candidate" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$version'; print(sys.executable)" 2>/dev/null \
      && return 0
  done
  return 1
}

targets=()
for version in $NODE_PYTHONS; do
  interpreter=$(find_python "$version" || true)
  if [[ -z "$interpreter" ]]; then
    echo "sanity: NOTICE: no python$version found; import/compile for Python $version not run" >&2
    continue
  fi
  targets+=(--target-python "$version@$interpreter")
  # the import test looks the interpreter up on PATH as well (a pyenv shim there may not run it)
  PATH="$(dirname "$interpreter"):$PATH"
done
if ((${#targets[@]})); then
  "$ANSIBLE_TEST" sanity --color no --test import --test compile \
    --controller origin:python=venv/3.12 "${targets[@]}" || status=$?
fi
if ((status)); then
  echo "sanity: FAILED (see the errors above)" >&2
  exit "$status"
fi
echo "sanity: passed"
