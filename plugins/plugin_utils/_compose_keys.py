# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: which Compose keys swarm_stack maps, warns about or refuses.

The first three lists are docker/cli's (``cli/compose/types/types.go``, identical from 20.10 to 28.x) with its
texts; the rest sort the Compose Specification's keys that no v3 schema has, as docs/STACKS.md section 5 says
(REFUSE with the CLI's resource hint, WARN because swarm mode has no use for them).
"""

from __future__ import annotations

RESOURCE_HINT = "Set resource limits using deploy.resources"

# Warned "Ignoring unsupported options: ..." and ignored (except restart, which the CLI still uses).
UNSUPPORTED = ("build", "cgroupns_mode", "cgroup_parent", "devices", "domainname", "external_links", "ipc", "links", "mac_address",
               "network_mode", "pid", "privileged", "restart", "security_opt", "shm_size", "userns_mode")

# Warned "Ignoring deprecated options:" with these texts, and ignored.
DEPRECATED = {
    "container_name": "Setting the container name is not supported.",
    "expose": "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
}

# Refused before anything else: "Compose file contains unsupported options:".
FORBIDDEN = {
    "extends": "Support for `extends` is not implemented yet.",
    "volume_driver": "Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and "
                     "specify the driver there.",
    "volumes_from": "To share a volume between services, define it using the top-level `volumes` option and reference it from each "
                    "service that shares it using the service-level `volumes` option.",
    "cpu_quota": RESOURCE_HINT,
    "cpu_shares": RESOURCE_HINT,
    "cpuset": RESOURCE_HINT,
    "mem_limit": RESOURCE_HINT,
    "memswap_limit": RESOURCE_HINT,
}

# Compose Specification service keys refused like the CLI's forbidden resource keys (section 5.2).
SPEC_RESOURCES = ("blkio_config", "cpu_count", "cpu_percent", "cpu_period", "cpu_rt_period", "cpu_rt_runtime", "cpus", "mem_reservation",
                  "mem_swappiness", "oom_kill_disable", "pids_limit", "storage_opt")

# Compose Specification service keys for compose-only runtime features: accepted, ignored, warned about.
SPEC_IGNORED = {
    "annotations": "", "attach": "", "cgroup": "", "develop": "", "device_cgroup_rules": "", "dns_opt": "", "group_add": "",
    "label_file": "", "models": "", "platform": "", "post_start": "", "pre_start": "", "pre_stop": "", "provider": "",
    "pull_policy": "", "pull_refresh_after": "", "runtime": "", "use_api_socket": "", "uts": "",
    "scale": "set deploy.replicas instead: scale does not change the number of tasks",
    "gpus": "reserve GPUs with deploy.resources.reservations.generic_resources instead: no GPU is given to the tasks",
}

# Keys the CLI accepts but never converts, and does not warn about (section 1.7); swarm_stack warns.
SILENTLY_IGNORED = {
    "depends_on": "is ignored in swarm mode: services start in any order; make each one wait for what it needs",
    "tmpfs": "is ignored by docker stack deploy; mount a tmpfs with a volumes: entry of type: tmpfs instead",
}

# Per-service network keys swarm mode ignores (the engine gives task addresses itself).
SERVICE_NETWORK_IGNORED = ("ipv4_address", "ipv6_address", "interface_name", "link_local_ips", "mac_address", "priority", "gw_priority")

# Long-syntax port keys of the Compose Specification that a swarm port has no field for.
SPEC_PORT_IGNORED = ("host_ip", "name", "app_protocol")

# Top-level network keys of the Compose Specification the CLI's conversion has no field for.
SPEC_NETWORK_IGNORED = ("enable_ipv4", "enable_ipv6")
SPEC_IPAM_IGNORED = ("gateway", "ip_range", "aux_addresses")

# The service keys the long form carries on to the conversion (what the CLI's ServiceConfig converts).
SERVICE_KEYS = ("image", "command", "entrypoint", "hostname", "user", "working_dir", "stop_signal", "stop_grace_period", "tty",
                "stdin_open", "read_only", "init", "extra_hosts", "dns", "dns_search", "healthcheck", "labels", "environment", "logging",
                "cap_add", "cap_drop", "sysctls", "ulimits", "secrets", "configs", "networks", "ports", "volumes", "deploy", "restart",
                "isolation", "credential_spec", "oom_score_adj")
