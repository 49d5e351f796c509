#!/usr/bin/python
# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: swarm_service
short_description: Run a swarm service as declared, and wait until the cluster has converged
version_added: 0.1.0
description:
  - Creates, updates, rolls back or removes a swarm service, run against a manager (O(docker_host)).
  - The whole ServiceSpec of the Engine API is built from the options as a plain dict, so every field travels whatever
    the Docker SDK knows. Engine API 1.41 (Docker Engine 20.10) is the floor; an option that needs a newer engine says
    so below, and using it against an older engine fails with C(Engine API 1.41 is too old for OPTION (needs 1.44)).
  - What you declare is what runs - an option left out means the engine's default, and a service changed by hand
    is put back. The comparison is on the normalised spec (order of constraints, env, mounts and ports does not
    matter; defaults the engine leaves out count as set), so an unchanged service is never updated.
  - Every option takes part in idempotency, except O(force_update) (always a change), O(replicas) with
    O(keep_replicas=true), and O(wait), O(wait_timeout), O(on_failure), O(resolve_image), O(with_registry_auth).
  - With O(wait=true) (the default) the module returns only when the cluster has converged - replicated - the
    update completed and exactly O(replicas) tasks run the new spec; global - one running task on every ready,
    active node that matches the constraints; jobs - the current run has its completions. A paused update, an
    update the engine rolled back, or a timeout fails the task with the engine's task errors (C(no suitable node),
    image not found, task exited with its code) and the last log lines of up to two failed tasks, where the log driver
    keeps them. After a rollback the task fails only once the previous spec
    runs on every task again (or O(wait_timeout) is up), and the message says how many tasks run it.
  - When that wait fails after the module changed the service, the service is left as O(on_failure) says - by
    default a service the task created is removed again and a service it updated is rolled back to the spec it
    had - and the message ends with what was done.
  - Names are resolved before anything changes - O(networks) must exist as swarm-scoped networks, O(secrets) and
    O(configs) by name or by the logical name of a versioned object made by M(beekeeper.swarm.swarm_secret) or
    M(beekeeper.swarm.swarm_config) (its newest version).
author:
  - Beekeeper developers (!UNKNOWN)
extends_documentation_fragment:
  - beekeeper.swarm._engine
  - beekeeper.swarm._wait
  - beekeeper.swarm._attributes
  - beekeeper.swarm._attributes.actiongroup_swarm
attributes:
  check_mode:
    support: full
    details: Predicts the change and the diff without calling a mutating endpoint.
  diff_mode:
    support: full
    details: Shows the service's normalised spec before and after.
  idempotent:
    support: full
    details: A service already as declared is left alone (O(force_update) excepted).
options:
  name:
    description: Service name. Letters, digits, C(-), C(_), C(.); 63 characters at most.
    type: str
    required: true
  state:
    description: V(present) to run the service as declared, V(absent) to remove it (and, with O(wait), wait until the
      manager lists none of its tasks - the engine has stopped them).
    type: str
    choices: [present, absent]
    default: present
  rollback:
    description:
      - Return the service to its previous spec (C(docker service rollback)). Takes no spec options.
      - Fails when the service has no previous spec (it was never updated). Unchanged when the last change to the
        service was already a rollback.
    type: bool
    default: false
  image:
    description:
      - Image reference, C([registry/]name[:tag][@sha256:digest]). Required with O(state=present), unless O(rollback).
      - A tag without a digest matches a running image pinned to a digest of that tag.
    type: str
  resolve_image:
    description:
      - Pin the image to the digest its tag points to on the registry now (as the docker CLI does), so every node
        runs the same image and a moved tag updates the service. When the registry cannot be reached, a warning
        says so and the tag is used.
      - V(false) runs the tag as given; nodes pull it independently.
    type: bool
    default: false
  with_registry_auth:
    description: Send the registry credentials of the engine host's Docker config (C(docker login) there) with the
      spec, so nodes can pull a private image (C(--with-registry-auth)).
    type: bool
    default: false
  entrypoint:
    description: Overrides the image's entrypoint (ContainerSpec.Command). A list, or a string split like a shell would.
    type: raw
  command:
    description:
      - The command run by the entrypoint (ContainerSpec.Args), as C(docker service create IMAGE COMMAND...).
        A list, or a string split like a shell would.
    type: raw
  args:
    description: Arguments appended to O(command).
    type: list
    elements: str
  env:
    description: Environment variables, a mapping (or a list of C(KEY=VALUE)). Order does not matter.
    type: raw
  env_files:
    description: Files of C(KEY=VALUE) lines on the node the task runs on, read into O(env) (O(env) wins).
    type: list
    elements: path
  labels:
    description: Service labels.
    type: dict
  container_labels:
    description: Labels of the task containers.
    type: dict
  mode:
    description:
      - V(replicated) (O(replicas) tasks), V(global) (one task per eligible node), V(replicated-job) (O(total_completions)
        runs, O(max_concurrent) at a time), V(global-job) (one run per eligible node).
      - The mode of an existing service cannot change; the engine refuses it (remove the service first).
    type: str
    choices: [replicated, global, replicated-job, global-job]
    default: replicated
  replicas:
    description: Number of tasks of a replicated service. Left out, 1. Only with O(mode=replicated).
    type: int
  keep_replicas:
    description: Leave the replica count of an existing service as it is (owned by day-2 scaling); O(replicas) is used only
      when the service is created.
    type: bool
    default: false
  on_failure:
    description:
      - What to leave when the wait (O(wait=true)) fails after the module created or updated the service - what only
        the engine finds after the write, such as an image no node can pull, a group the image does not have, a
        constraint no node meets, or a task that keeps failing.
      - V(rollback) removes a service this task created again, and rolls a service it updated back to the spec it
        had (C(docker service rollback)), waiting up to O(wait_timeout) once more for that. An update whose
        O(update_config.failure_action=rollback) the engine already rolled back is not rolled back again.
      - V(keep) leaves the service as it is for inspection - an updated one on its new spec, its update paused by
        the engine (O(update_config.failure_action=pause), the engine default).
      - The failure message says which happened (C(service 'web' was removed again), C(was rolled back to its
        previous spec), C(was left as it is for inspection)) after the engine's task errors; a removal or
        rollback that fails itself is reported after the first error. The result's RV(after_failure) says it in
        one word.
      - Check mode changes nothing, so there is nothing to undo; with O(wait=false) the module returns before the
        engine has found anything, so no failure is known and nothing is undone.
      - Does not take part in idempotency.
    type: str
    choices: [rollback, keep]
    default: rollback
  max_concurrent:
    description: How many tasks of a replicated job run at once. Default 1.
    type: int
  total_completions:
    description: How many completed tasks a replicated job needs. Default O(max_concurrent).
    type: int
  hostname:
    description: Container hostname (Go templates such as C({{.Node.Hostname}}) allowed).
    type: str
  user:
    description: User (and group) the task's process runs as.
    type: str
  groups:
    description: Additional groups of the process.
    type: list
    elements: str
  workdir:
    description: Working directory, an absolute path.
    type: str
  tty:
    description: Allocate a TTY.
    type: bool
  stdin_open:
    description: Keep the task's standard input open (C(docker run -i); Compose's C(stdin_open)).
    type: bool
  read_only:
    description: Mount the container's root filesystem read-only.
    type: bool
  init:
    description: Run an init process inside the container that forwards signals and reaps processes.
    type: bool
  stop_signal:
    description: Signal that stops the container, by name (with or without C(SIG)) or number, e.g. C(SIGTERM), C(SIGRTMIN+3), C(15).
    type: str
  stop_grace_period:
    description: Time to wait after the stop signal before killing the container, e.g. C(30s). Engine default 10s.
    type: str
  hosts:
    description: Extra C(/etc/hosts) entries, a mapping of hostname to IP (or a list of C(IP HOSTNAME) lines).
    type: raw
  dns:
    description: DNS settings of the tasks.
    type: dict
    suboptions:
      nameservers:
        description: Name servers.
        type: list
        elements: str
      search:
        description: Search domains.
        type: list
        elements: str
      options:
        description: resolver options, e.g. C(ndots:2).
        type: list
        elements: str
  healthcheck:
    description:
      - Container healthcheck. A task is running only once healthy; an update's O(update_config.monitor) should cover
        C(start_period + interval x retries) - the module warns when it does not (moby/moby#24854).
    type: dict
    suboptions:
      test:
        description: A command string (run by the shell, C(CMD-SHELL)) or a list (C(CMD)); C([NONE]) disables the image's.
        type: raw
      interval:
        description: Time between checks. Engine default 30s.
        type: str
      timeout:
        description: Time a check may take. Engine default 30s.
        type: str
      retries:
        description: Failed checks in a row before unhealthy. Engine default 3.
        type: int
      start_period:
        description: Time after start during which failures do not count. Engine default 0s.
        type: str
      start_interval:
        description: Time between checks during O(healthcheck.start_period). Engine API 1.44+.
        type: str
  mounts:
    description: Volume, bind and tmpfs mounts. Order does not matter.
    type: list
    elements: dict
    suboptions:
      type:
        description: Kind of mount.
        type: str
        choices: [volume, bind, tmpfs]
        default: volume
      source:
        description: Volume name (volume) or path on the node (bind). None for tmpfs; a volume without one is anonymous.
        type: str
      target:
        description: Path inside the container, absolute.
        type: str
        required: true
      readonly:
        description: Mount read-only.
        type: bool
        default: false
      propagation:
        description: Bind propagation.
        type: str
        choices: [private, rprivate, shared, rshared, slave, rslave]
      no_copy:
        description: Do not copy the image's files into a new volume.
        type: bool
        default: false
      volume_driver:
        description: Volume driver.
        type: str
      volume_options:
        description: Volume driver options.
        type: dict
      volume_labels:
        description: Labels of a volume the mount creates.
        type: dict
      tmpfs_size:
        description: Size of a tmpfs mount, e.g. C(64M).
        type: str
      tmpfs_mode:
        description: Mode of a tmpfs mount - octal as a quoted string (C('1777')) or a YAML octal number.
        type: raw
  secrets:
    description: Secrets the tasks get as files (C(/run/secrets/TARGET) by default). Order does not matter.
    type: list
    elements: dict
    suboptions:
      source:
        description: Secret name, or the logical name of a versioned secret (its newest version is used).
        type: str
        required: true
      target:
        description: File name under C(/run/secrets/) (or an absolute path). Default O(secrets[].source).
        type: str
      uid: &ref_uid
        description: Owner UID of the file. Default 0.
        type: int
      gid: &ref_gid
        description: Group GID of the file. Default 0.
        type: int
      mode: &ref_mode
        description: File mode - octal as a quoted string (C('0440')), or a YAML octal number (C(0440)). Default C('0444').
        type: raw
  configs:
    description: Configs the tasks get as files (C(/TARGET) by default). Order does not matter.
    type: list
    elements: dict
    suboptions:
      source:
        description: Config name, or the logical name of a versioned config (its newest version is used).
        type: str
        required: true
      target:
        description: Path inside the container. Default C(/) followed by O(configs[].source).
        type: str
      uid: *ref_uid
      gid: *ref_gid
      mode: *ref_mode
  ulimits:
    description: Resource limits of the process. Engine API 1.41+.
    type: list
    elements: dict
    suboptions:
      name:
        description: Limit name, e.g. C(nofile).
        type: str
        required: true
      soft:
        description: Soft limit.
        type: int
        required: true
      hard:
        description: Hard limit. Default O(ulimits[].soft).
        type: int
  cap_add:
    description: Kernel capabilities to add, with or without the C(CAP_) prefix, e.g. C(NET_ADMIN). Engine API 1.41+.
    type: list
    elements: str
  cap_drop:
    description: Kernel capabilities to drop, with or without the C(CAP_) prefix. Engine API 1.41+.
    type: list
    elements: str
  sysctls:
    description: Namespaced kernel parameters of the task (C(net.*), C(fs.mqueue.*), the kernel IPC ones such as C(kernel.shmmax)),
      values strings or numbers. Engine API 1.40+.
    type: dict
  oom_score_adj:
    description: OOM killer score adjustment of the task. Engine API 1.46+.
    type: int
  limits:
    description: Resource limits of each task.
    type: dict
    suboptions:
      cpus: &resource_cpus
        description: CPUs, e.g. C(0.5); 0 is none, and the smallest share is C(0.000000001) (one NanoCPU).
        type: float
      memory: &resource_memory
        description: Memory, bytes or with a unit, e.g. C(512M).
        type: str
      pids:
        description: Maximum number of processes. Engine API 1.41+.
        type: int
  reservations:
    description: Resources reserved for each task; the scheduler places a task only where they are free.
    type: dict
    suboptions:
      cpus: *resource_cpus
      memory: *resource_memory
      generic_resources:
        description: Generic resources the node advertises (e.g. GPUs), as C(kind) and C(value) (a count, or a named resource).
        type: list
        elements: dict
        suboptions:
          kind:
            description: Resource kind, e.g. C(gpu).
            type: str
            required: true
          value:
            description: A count (discrete resource) or a name (named resource).
            type: raw
            required: true
  restart_policy:
    description: When the engine restarts a task.
    type: dict
    suboptions:
      condition:
        description: Restart condition. Engine default V(any).
        type: str
        choices: [none, on-failure, any]
      delay:
        description: Delay between restarts. Engine default 5s.
        type: str
      max_attempts:
        description: Restarts before giving up; 0 is unlimited. Engine default 0.
        type: int
      window:
        description: Window used to count restarts. Engine default 0s.
        type: str
  placement:
    description: Where tasks may run.
    type: dict
    suboptions:
      constraints:
        description: Placement constraints, e.g. C(node.role==worker), C(node.labels.zone==eu-1). Order does not matter.
        type: list
        elements: str
      preferences:
        description: Spread preferences, each a mapping with key C(spread) and a label, e.g. C(node.labels.zone). Order matters.
        type: list
        elements: dict
        suboptions:
          spread:
            description: The label to spread the tasks over evenly, C(node.labels.KEY) or C(engine.labels.KEY).
            type: str
            required: true
      max_replicas:
        description: Maximum tasks of the service per node; 0 is unlimited. Engine API 1.40+.
        type: int
  networks:
    description: Swarm-scoped networks to attach, by name (or ID), with aliases. Order does not matter.
    type: list
    elements: dict
    suboptions:
      name:
        description: Network name or ID.
        type: str
        required: true
      aliases:
        description: DNS aliases of the service on this network.
        type: list
        elements: str
      driver_opts:
        description: Driver options of the attachment.
        type: dict
  endpoint_mode:
    description: V(vip) (a virtual IP balanced by IPVS) or V(dnsrr) (DNS round robin over the task IPs).
    type: str
    choices: [vip, dnsrr]
    default: vip
  ports:
    description: Published ports. Order does not matter.
    type: list
    elements: dict
    suboptions:
      target:
        description: Port inside the container.
        type: int
        required: true
      published:
        description: Port on the nodes. Left out, the engine picks one (ingress) or none is bound per node (host).
        type: int
      protocol:
        description: Protocol.
        type: str
        choices: [tcp, udp, sctp]
        default: tcp
      mode:
        description: V(ingress) (the routing mesh, on every node) or V(host) (only on nodes running a task).
        type: str
        choices: [ingress, host]
        default: ingress
      name:
        description: Port name.
        type: str
  logging:
    description: Log driver of the tasks.
    type: dict
    suboptions:
      driver:
        description: Driver name, e.g. C(json-file).
        type: str
      options:
        description: Driver options.
        type: dict
  update_config:
    description:
      - How an update rolls out.
      - A field left out takes the engine's default, given with each field as the engine's code has it (its docs
        differ - C(monitor) is 5s in the code).
    type: dict
    suboptions:
      # Written once: rollback_config merges the same fields; only failure_action differs.
      <<: &rollout_fields
        parallelism:
          description: Tasks changed at once, in one batch; 0 changes all at once. Engine default 1.
          type: int
        delay:
          description: Delay between batches, e.g. C(10s). Engine default 0s.
          type: str
        monitor:
          description: Time after each task is changed during which its failure counts, e.g. C(30s). Engine default 5s.
          type: str
        max_failure_ratio:
          description: Fraction of tasks that may fail before C(failure_action) applies. Engine default 0.
          type: float
        order:
          description: V(stop-first), or V(start-first) - the new task starts before the old one stops. Engine default
            V(stop-first).
          type: str
          choices: [stop-first, start-first]
      failure_action:
        description:
          - What to do when a task fails to update. Engine default V(pause).
          - V(rollback) returns the service to its previous spec, rolled out as O(rollback_config) says.
        type: str
        choices: [continue, pause, rollback]
  rollback_config:
    description:
      - How a rollback rolls out - O(rollback=true), or an update whose O(update_config.failure_action=rollback) fired.
      - The same fields and engine defaults as O(update_config), except that C(failure_action) cannot be V(rollback).
    type: dict
    suboptions:
      <<: *rollout_fields
      failure_action:
        description: What to do when a task fails to roll back. Engine default V(pause).
        type: str
        choices: [continue, pause]
  force_update:
    description: Restart every task even when nothing changed (C(docker service update --force)); always a change.
    type: bool
    default: false
notes:
  - Not covered from the ServiceSpec - Privileges (credential spec, SELinux, seccomp and AppArmor profiles),
    Isolation, Placement.Platforms, plugin and network-attachment runtimes, and the deprecated service-level Networks.
  - In a lab without IPVS (no C(ip_vs) kernel module), use O(endpoint_mode=dnsrr) and host-mode ports.
  - A loop over many services waits for each in turn (each rolling update lasts at least its monitor window). To let the
    engine update them side by side, run the loop with C(async) and C(poll=0) and collect the results with
    M(ansible.builtin.async_status); every task still waits for its own service to converge.
seealso:
  - module: beekeeper.swarm.swarm_secret
  - module: beekeeper.swarm.swarm_config
  - module: beekeeper.swarm.swarm_network
"""

EXAMPLES = r"""
- name: Run a web service with a rolling update that rolls back on failure
  beekeeper.swarm.swarm_service:
    name: web
    image: registry.example.com/web:2.1
    replicas: 4
    networks:
      - name: frontend
        aliases: [www]
    ports:
      - target: 8080
        published: 80
    secrets:
      - source: db_password
    env:
      DB_PASSWORD_FILE: /run/secrets/db_password
    update_config:
      parallelism: 2
      delay: 5s
      order: start-first
      failure_action: rollback
      monitor: 30s
    healthcheck:
      test: wget -qO- http://127.0.0.1:8080/health
      interval: 5s
      retries: 3

- name: One agent per node, except drained ones
  beekeeper.swarm.swarm_service:
    name: node-agent
    image: registry.example.com/agent:1.0
    mode: global
    placement:
      constraints: [node.platform.os==linux]

- name: Keep whatever replica count day-2 scaling has set
  beekeeper.swarm.swarm_service:
    name: worker
    image: registry.example.com/worker:3
    replicas: 2
    keep_replicas: true

- name: Return a service to its previous spec
  beekeeper.swarm.swarm_service:
    name: web
    rollback: true

- name: Remove a service and wait until its tasks stopped
  beekeeper.swarm.swarm_service:
    name: web
    state: absent
"""

RETURN = r"""
service:
  description: The service after the change (predicted in check mode), its normalised spec in the options' terms.
  returned: when state is present
  type: dict
  contains:
    id:
      description: Service ID (null when created in check mode).
      type: str
    name:
      description: Service name.
      type: str
    version:
      description: Spec version index.
      type: int
    update_state:
      description: The engine's update state (V(updating), V(completed), V(paused), V(rollback_completed)...), or null.
      type: str
    spec:
      description: Every option's value as the engine runs it (defaults filled in).
      type: dict
    running:
      description: Tasks running on the current spec (completed runs for a job), after the wait.
      type: int
    wanted:
      description: Tasks wanted (replicas, eligible nodes, or completions), after the wait.
      type: int
    virtual_ips:
      description:
        - The virtual IPs the engine gave the service, one per network (C(ingress) too when a port is published
          through the routing mesh). The service's name resolves to the VIP on each network.
        - Absent with O(endpoint_mode=dnsrr), without networks or published ports, and in check mode for a new service.
      returned: when the service has VIPs
      type: list
      elements: dict
      sample: [{network: ingress, address: 10.0.0.5/24}, {network: appnet, address: 10.0.1.2/24}]
      contains:
        network:
          description: The network's name (its ID when the network is not one the service's spec names).
          type: str
        address:
          description: The VIP with its prefix length.
          type: str
changes:
  description: Top-level options that changed (empty when the service was created or unchanged).
  returned: when state is present
  type: list
  elements: str
  sample: [image, update_config]
tasks:
  description: The service's tasks after the wait - slot, node, state, desired state, message, error, exit code.
  returned: when the module waited
  type: list
  elements: dict
after_failure:
  description:
    - What was done when the wait failed after the service was created or updated (O(on_failure)) -
      V(removed), V(rolled_back), V(rolled_back_by_engine) (C(update_config.failure_action=rollback) fired),
      V(kept), or, when that itself failed, V(remove_failed), V(rollback_failed), V(rollback_not_converged);
      V(gone) when the service no longer existed.
  returned: when the task failed because the service did not converge after a create or update
  type: str
  sample: rolled_back
reports:
  description:
    - The wait's last report per service, by name, when the wait failed - progress, tasks, the engine's task errors,
      and C(logs) (the last log lines of up to two failed tasks, by task ID) where the log driver keeps them.
  returned: when the wait failed
  type: dict
"""

from ansible_collections.beekeeper.swarm.plugins.module_utils._module import SwarmModule, run
from ansible_collections.beekeeper.swarm.plugins.module_utils._service import manage, validate
from ansible_collections.beekeeper.swarm.plugins.module_utils._service_spec import argument_spec


def main():
    module = SwarmModule(argument_spec=argument_spec(), supports_check_mode=True)
    run(module, manage, validate=validate)


if __name__ == "__main__":
    main()
