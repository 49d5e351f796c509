#!/usr/bin/env bash
# Usage: INVENTORY=path/to/hosts.yml [BACKENDS="nftables iptables ufw"] (firewalld also works) \
#          tests/integration/targets/role_firewall/runme.sh
# Run from the collection root (ansible.cfg there resolves beekeeper.swarm.*).
# The inventory: swarm_managers and swarm_workers (children of swarm) on engine nodes
# (docker.io running, so Docker's chains exist; on bare nodes that check is skipped), plus a
# group swarm_outsiders with one lab container on the same network that is NOT in swarm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
inv=${INVENTORY:?set INVENTORY to the lab inventory}
run() { # run NAME ARGS... ; require changed=0 when NAME ends in -unchanged
  local name=$1; shift
  local log; log=$(mktemp)
  local t0=$SECONDS
  ansible-playbook -i "$inv" "$@" | tee "$log"
  if [[ $name == *-unchanged ]] && grep -E 'changed=[1-9]' "$log" >/dev/null; then
    echo "FAIL: $name reported changes" >&2; exit 1
  fi
  echo "PASS: $FW_BACKEND $name ($((SECONDS - t0)) s)"
}
for FW_BACKEND in ${BACKENDS:-nftables iptables ufw}; do
  export FW_BACKEND
  run prepare          "$here/prepare.yml"
  run check            "$here/converge.yml" --check --diff
  run apply            "$here/converge.yml" --diff
  run apply-unchanged  "$here/converge.yml" --diff
  run check-unchanged  "$here/converge.yml" --check --diff
  run verify           "$here/verify.yml"
  run cleanup          "$here/cleanup.yml"
done
