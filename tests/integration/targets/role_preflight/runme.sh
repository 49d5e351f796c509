#!/usr/bin/env bash
# Usage: INVENTORY=path/to/hosts.yml tests/integration/targets/role_preflight/runme.sh
# Run from the collection root (ansible.cfg there resolves beekeeper.swarm.*).
# The inventory: groups swarm_managers and swarm_workers (children of swarm), 2+ hosts,
# bare nodes or engine nodes, reachable as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
inv=${INVENTORY:?set INVENTORY to the lab inventory}
run() { # run NAME ARGS... ; require changed=0 when NAME ends in -unchanged, a change when -changes
  local name=$1; shift
  local log; log=$(mktemp)
  local t0=$SECONDS
  ansible-playbook -i "$inv" "$@" | tee "$log"
  if [[ $name == *-unchanged ]] && grep -E 'changed=[1-9]' "$log" >/dev/null; then
    echo "FAIL: $name reported changes" >&2; exit 1
  fi
  if [[ $name == *-changes ]] && ! grep -E 'changed=[1-9]' "$log" >/dev/null; then
    echo "FAIL: $name reported no change" >&2; exit 1
  fi
  echo "PASS: $name ($((SECONDS - t0)) s)"
}
run check            "$here/converge.yml" --check --diff
run apply            "$here/converge.yml" --diff
run apply-unchanged  "$here/converge.yml" --diff
run check-unchanged  "$here/converge.yml" --check --diff
run verify           "$here/verify.yml"
run negative         "$here/negative.yml"
last=$(ansible -i "$inv" 'swarm[-1]' --list-hosts | tail -1 | tr -d ' ')
export DRIFT_PHASE=break;      run drift-break       "$here/drift.yml"
run drift-check-changes "$here/converge.yml" --check --diff --limit "$last"
export DRIFT_PHASE=expect-off; run drift-still-off   "$here/drift.yml"
run drift-apply-changes "$here/converge.yml" --diff --limit "$last"
export DRIFT_PHASE=expect-on;  run drift-fixed       "$here/drift.yml"
