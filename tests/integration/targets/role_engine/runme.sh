#!/usr/bin/env bash
# Integration test of roles/swarm_engine on a bare lab (nodes without an engine):
#
#   bk-lab up eng --nodes 4 --managers 3 --subnet 10.88.40.0/24 --bare --release bookworm --inventory /tmp/eng.yml
#   tests/integration/targets/role_engine/runme.sh /tmp/eng.yml [EXTRA ansible-playbook ARGS...]
#
# The inventory needs groups swarm_managers and swarm_workers (children of swarm), as bk-lab
# writes them; 3 managers make the restart test meaningful (quorum kept while one restarts).
# The nodes must be bare (no engine) at the start: the first check-mode run must report changes.
# Every step prints its wall time; any unexpected change, failure or assertion stops the run.
set -euo pipefail

INVENTORY=${1:?usage: runme.sh INVENTORY [ansible-playbook args...]}
shift
INVENTORY=$(realpath "$INVENTORY")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../../.." && pwd)
export ANSIBLE_CONFIG=${ANSIBLE_CONFIG:-$ROOT/ansible.cfg}
export ANSIBLE_FORCE_COLOR=0
LOG_DIR=${ROLE_ENGINE_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/role_engine.XXXXXX")}
cd "$HERE"

# step NAME EXPECT PLAYBOOK [ARGS...]; EXPECT: changed (every host changed>0), unchanged
# (every host changed=0) or any. Failed or unreachable hosts always fail the step.
step() {
  local name=$1 expect=$2 playbook=$3
  shift 3
  local log="$LOG_DIR/$name.log" start end
  start=$(date +%s)
  if ! ansible-playbook -i "$INVENTORY" --diff "$playbook" "$@" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "FAIL $name: ansible-playbook failed (log: $log)" >&2
    return 1
  fi
  end=$(date +%s)
  local recap
  recap=$(sed -n '/^PLAY RECAP/,$p' "$log" | grep -E '^\S+ +: ok=')
  if grep -Eq 'unreachable=[1-9]|failed=[1-9]' <<<"$recap"; then
    echo "$recap"; echo "FAIL $name: failed or unreachable hosts (log: $log)" >&2; return 1
  fi
  case $expect in
    changed) if grep -Eq 'changed=0 ' <<<"$recap"; then
               echo "$recap"; echo "FAIL $name: a host reported no change (log: $log)" >&2; return 1; fi ;;
    unchanged) if grep -Eq 'changed=[1-9]' <<<"$recap"; then
                 echo "$recap"; grep -E '^(changed|TASK)' "$log" | grep -B1 '^changed' >&2 || true
                 echo "FAIL $name: a host changed (log: $log)" >&2; return 1; fi ;;
  esac
  printf 'ok   %-28s %4ss  %s\n' "$name" "$((end - start))" \
    "$(awk '{for(i=1;i<=NF;i++) if($i ~ /^changed=/) printf "%s %s  ", $1, $i}' <<<"$recap")"
}

cleanup() {
  ansible-playbook -i "$INVENTORY" cleanup.yml "$@" >"$LOG_DIR/cleanup.log" 2>&1 \
    || echo "cleanup failed (log: $LOG_DIR/cleanup.log)" >&2
}

echo "role_engine: logs in $LOG_DIR"
step 01-docker-ce-check   any       docker_ce_check.yml --check "$@"
step 02-check-bare        changed   apply.yml --check "$@"
step 03-apply             changed   apply.yml "$@"
step 04-apply-again       unchanged apply.yml "$@"
step 05-check-converged   unchanged apply.yml --check "$@"
step 06-verify            any       verify.yml "$@"
step 07-live-restore      any       live_restore.yml "$@"
trap 'cleanup "$@"' EXIT
step 08-swarm             any       swarm.yml "$@"
step 09-restart           changed   restart_test.yml "$@"
grep -E "msg: '?Restarts one at a time" -A2 "$LOG_DIR/09-restart.log" | head -n 4 || true
step 10-apply-changed     unchanged apply.yml -e @vars/max_size.yml "$@"
step 11-check-changed     unchanged apply.yml -e @vars/max_size.yml --check "$@"
step 12-verify-changed    any       verify.yml -e role_engine_max_size=20m "$@"
echo "role_engine: all steps passed"
