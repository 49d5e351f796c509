#!/usr/bin/env bash
# Check that the execution environment definition builds its context (no image build: no registry
# here). The collection tarball from this tree goes into the context, as AWX would install it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ansible-galaxy collection build "$root" --output-path "$work" >/dev/null
cp -r "$root/execution-environment.yml" "$root/ee" "$work/"
cp "$work"/beekeeper-swarm-*.tar.gz "$work/beekeeper-swarm.tar.gz"
ansible-builder create -f "$work/execution-environment.yml" -c "$work/context" >/dev/null
for want in "beekeeper-swarm.tar.gz" "requirements.txt" "bindep.txt" "requirements.yml" "ansible-core" \
            "docker>=5.0.3" "paramiko" "openssh-clients"; do
  grep -rqF -- "$want" "$work/context" || { echo "FAIL: the EE context has no $want" >&2; exit 1; }
done
test -s "$work/context/_build/collections/beekeeper-swarm.tar.gz"
echo "PASS: ansible-builder create made the EE context in $work/context"
