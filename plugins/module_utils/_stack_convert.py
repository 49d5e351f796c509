# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: a loaded Compose project as the swarm objects ``docker stack deploy`` makes of it.

The project comes from the controller's loader (plugin_utils/_compose_load), already merged, interpolated and
in one long form. Here each Compose service becomes swarm_service's parameters, so the ServiceSpec is built by
swarm_service's own option table (_service_spec) and compared in its canonical form; networks, secrets and
configs become the bodies the CLI would create. Names, labels and defaults follow the CLI exactly
(shared/STACKS.md sections 1.3-1.6): ``STACK_x`` names, ``com.docker.stack.namespace`` on everything,
``com.docker.stack.image`` on services, the default network, external objects by their own name. Pure.
"""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.module_utils._kinds import BareName

NAMESPACE = "com.docker.stack.namespace"
IMAGE_LABEL = "com.docker.stack.image"
# Networks a service may name without declaring them: the engine's own, never created nor scoped.
PREDEFINED = ("host", "bridge", "none", "ingress")
# swarm-cronjob scales these services itself: a redeploy must not reset their replica count.
CRONJOB_LABEL = "swarm.cronjob.enable"
LEGACY_RESTART = {"always": "any", "unless-stopped": "any"}


def scoped(stack, key):
    return "%s_%s" % (stack, key)


def object_name(stack, key, entry):
    """The engine name of a top-level network, secret, config or volume: ``name:`` verbatim, else scoped
    (an external object without ``name:`` is its key, unscoped)."""
    entry = entry or {}
    if entry.get("name"):
        return entry["name"]
    return key if entry.get("external") else scoped(stack, key)


def with_tag(image):
    """The image as the Go client sends it: ``:latest`` added to a reference with neither tag nor digest."""
    if "@" in image:
        return image
    last = image.rsplit("/", 1)[-1]
    return image if ":" in last else image + ":latest"


def _labels(stack, labels):
    out = dict(labels or {})
    out[NAMESPACE] = stack
    return out


def _duration(value):
    return None if value is None or value == "" else value


def _argv(value):
    return value if value is None or isinstance(value, list) else str(value)


def _restart_policy(svc):
    deploy = svc.get("deploy") or {}
    policy = deploy.get("restart_policy")
    if policy is not None:
        out = dict(condition=policy.get("condition") or None, delay=_duration(policy.get("delay")),
                   max_attempts=policy.get("max_attempts"), window=_duration(policy.get("window")))
        return dict((k, v) for k, v in out.items() if v is not None) or None
    legacy = svc.get("restart")
    if not legacy or legacy == "no":
        return None
    if legacy in LEGACY_RESTART:
        return dict(condition=LEGACY_RESTART[legacy])
    if legacy.startswith("on-failure"):
        count = legacy.partition(":")[2]
        out = dict(condition="on-failure")
        if count and int(count) > 0:
            out["max_attempts"] = int(count)
        return out
    raise InvalidInput("services.%s.restart: '%s' is not a restart policy; use no, always, unless-stopped or on-failure[:N], or "
                       "deploy.restart_policy." % (svc.get("_key"), legacy))


def _rollout(config):
    if config is None:
        return None
    out = dict(parallelism=config.get("parallelism", 1), delay=_duration(config.get("delay")),
               failure_action=config.get("failure_action") or None, monitor=_duration(config.get("monitor")),
               max_failure_ratio=config.get("max_failure_ratio"), order=config.get("order") or None)
    return dict((k, v) for k, v in out.items() if v is not None)


def _resources(deploy, key):
    res = ((deploy.get("resources") or {}).get(key)) or {}
    out = {}
    if res.get("cpus") not in (None, ""):
        out["cpus"] = res["cpus"]
    if res.get("memory") not in (None, ""):
        out["memory"] = res["memory"]
    if key == "limits" and res.get("pids") is not None:
        out["pids"] = res["pids"]
    if key == "reservations" and res.get("generic_resources"):
        generic = []
        for item in res["generic_resources"]:
            spec = item.get("discrete_resource_spec") or {}
            generic.append(dict(kind=spec.get("kind"), value=spec.get("value")))
        out["generic_resources"] = generic
    return out or None


def _healthcheck(key, health):
    if health is None:
        return None
    if health.get("disable"):
        if health.get("test"):
            raise InvalidInput("services.%s.healthcheck: test and disable can't be set at the same time; remove one." % key)
        return dict(test=["NONE"])
    out = dict(test=health.get("test"), interval=_duration(health.get("interval")), timeout=_duration(health.get("timeout")),
               start_period=_duration(health.get("start_period")), start_interval=_duration(health.get("start_interval")),
               retries=health.get("retries"))
    return dict((k, v) for k, v in out.items() if v is not None) or None


def _mounts(stack, key, svc, volumes):
    out = []
    for i, vol in enumerate(svc.get("volumes") or []):
        where = "services.%s.volumes[%d]" % (key, i)
        kind = vol.get("type") or "volume"
        if kind not in ("volume", "bind", "tmpfs"):
            raise InvalidInput("%s.type: '%s' mounts are not supported by swarm_stack yet; use volume, bind or tmpfs." % (where, kind))
        mount = dict(type=kind, target=vol.get("target"), readonly=bool(vol.get("read_only")))
        source = vol.get("source")
        if kind == "volume" and source:
            if source not in volumes:
                raise InvalidInput("%s: undefined volume \"%s\"; declare it under the top-level volumes:." % (where, source))
            top = volumes.get(source) or {}
            mount["source"] = object_name(stack, source, top)
            if not top.get("external"):
                mount["volume_labels"] = _labels(stack, top.get("labels"))
                if top.get("driver") or top.get("driver_opts"):
                    mount["volume_driver"] = top.get("driver") or "local"
                    if top.get("driver_opts"):
                        mount["volume_options"] = dict(top["driver_opts"])
        elif source:
            mount["source"] = source
        if (vol.get("volume") or {}).get("nocopy"):
            mount["no_copy"] = True
        if (vol.get("bind") or {}).get("propagation"):
            mount["propagation"] = vol["bind"]["propagation"]
        if kind == "tmpfs" and (vol.get("tmpfs") or {}).get("size") is not None:
            mount["tmpfs_size"] = str(vol["tmpfs"]["size"])
        out.append(mount)
    return out


def _refs(stack, key, svc, kind, declared, names):
    """Secret or config references; ``names`` maps a top-level key to the object the service must use."""
    out, targets = [], set()
    for i, ref in enumerate(svc.get(kind) or []):
        source = ref["source"]
        if source not in declared:
            raise InvalidInput("services.%s.%s[%d]: undefined %s \"%s\"; declare it under the top-level %s:." % (key, kind, i, kind[:-1], source, kind))
        target = ref.get("target") or source
        if target in targets:
            raise InvalidInput("services.%s.%s[%d]: duplicate %s target for %s not allowed; give each a target of its own."
                               % (key, kind, i, kind[:-1], source))
        targets.add(target)
        out.append(dict(source=names[source], target=target, uid=int(ref.get("uid") or 0), gid=int(ref.get("gid") or 0),
                        mode=ref.get("mode") if ref.get("mode") is not None else 0o444, as_written=True))
    return out


def _networks(stack, key, svc, declared):
    out = []
    for name, opts in sorted((svc.get("networks") or {"default": {}}).items()):
        opts = opts or {}
        if name in PREDEFINED and name not in declared:
            out.append(dict(name=name))
            continue
        if name not in declared and name != "default":
            raise InvalidInput("services.%s.networks: undefined network \"%s\"; declare it under the top-level networks:." % (key, name))
        entry = dict(name=object_name(stack, name, declared.get(name)), aliases=list(opts.get("aliases") or []) + [key])
        if opts.get("driver_opts"):
            entry["driver_opts"] = dict(opts["driver_opts"])
        out.append(entry)
    return out


def _ports(svc):
    out = []
    for port in svc.get("ports") or []:
        entry = dict(target=port["target"], protocol=port.get("protocol") or "tcp", mode=port.get("mode") or "ingress")
        if port.get("published"):
            entry["published"] = port["published"]
        out.append(entry)
    return out


def _env(svc):
    """The task's environment as the CLI sends it: sorted ``K=V``, a name without a value as ``K``."""
    env = svc.get("environment") or {}
    return sorted(BareName(k) if v is None else "%s=%s" % (k, v) for k, v in env.items())


def service_params(stack, key, svc, project, refs):
    """swarm_service's parameters for one Compose service (``refs``: {"secrets"|"configs": {key: object name}})."""
    if not svc.get("image"):
        raise InvalidInput("services.%s.image: invalid image reference for service %s: no image specified; set image, e.g. "
                           "image: nginx:1.27." % (key, key))
    deploy = svc.get("deploy") or {}
    mode = deploy.get("mode") or "replicated"
    if mode not in ("replicated", "global", "replicated-job", "global-job"):
        raise InvalidInput("services.%s.deploy.mode: unknown mode: %s; use replicated, global, replicated-job or global-job." % (key, mode))
    replicas = deploy.get("replicas")
    if replicas is not None and mode == "global":
        raise InvalidInput("services.%s.deploy.replicas: replicas can only be used with replicated or replicated-job mode; remove it "
                           "or use mode: replicated." % key)
    image = svc["image"]
    labels = _labels(stack, deploy.get("labels"))
    labels[IMAGE_LABEL] = image
    placement = deploy.get("placement") or {}
    params = dict(
        name=scoped(stack, key),
        image=with_tag(image),
        labels=labels,
        container_labels=_labels(stack, svc.get("labels")),
        env=_env(svc) or None,
        entrypoint=_argv(svc.get("entrypoint")),
        command=_argv(svc.get("command")),
        hostname=svc.get("hostname"),
        user=svc.get("user"),
        workdir=svc.get("working_dir"),
        stop_signal=svc.get("stop_signal"),
        stop_grace_period=_duration(svc.get("stop_grace_period")),
        tty=svc.get("tty") or None,
        stdin_open=svc.get("stdin_open") or None,
        read_only=svc.get("read_only") or None,
        init=svc.get("init"),
        hosts=["%s %s" % (h.split(":", 1)[1], h.split(":", 1)[0]) for h in svc.get("extra_hosts") or []] or None,
        healthcheck=_healthcheck(key, svc.get("healthcheck")),
        mounts=_mounts(stack, key, svc, project.get("volumes") or {}) or None,
        secrets=_refs(stack, key, svc, "secrets", project.get("secrets") or {}, refs["secrets"]) or None,
        configs=_refs(stack, key, svc, "configs", project.get("configs") or {}, refs["configs"]) or None,
        ulimits=[dict(name=n, soft=u["soft"], hard=u["hard"]) for n, u in sorted((svc.get("ulimits") or {}).items())] or None,
        cap_add=svc.get("cap_add") or None,
        cap_drop=svc.get("cap_drop") or None,
        sysctls=svc.get("sysctls") or None,
        oom_score_adj=svc.get("oom_score_adj"),
        limits=_resources(deploy, "limits"),
        reservations=_resources(deploy, "reservations"),
        restart_policy=_restart_policy(dict(svc, _key=key)),
        placement=dict((k, v) for k, v in dict(
            constraints=placement.get("constraints") or None,
            preferences=[dict(spread=p["spread"]) for p in placement.get("preferences") or []] or None,
            max_replicas=placement.get("max_replicas_per_node")).items() if v is not None) or None,
        networks=_networks(stack, key, svc, project.get("networks") or {}),
        mode=mode,
        replicas=replicas if mode == "replicated" else None,
        max_concurrent=replicas if mode == "replicated-job" else None,
        total_completions=replicas if mode == "replicated-job" else None,
        update_config=_rollout(deploy.get("update_config")),
        rollback_config=_rollout(deploy.get("rollback_config")),
        endpoint_mode=(deploy.get("endpoint_mode") or "vip").lower(),
        ports=_ports(svc) or None,
    )
    if svc.get("dns") or svc.get("dns_search"):
        params["dns"] = dict(nameservers=svc.get("dns") or None, search=svc.get("dns_search") or None)
    if svc.get("logging"):
        params["logging"] = dict(driver=svc["logging"].get("driver"), options=svc["logging"].get("options") or None)
    params["keep_replicas"] = str(labels.get(CRONJOB_LABEL, "")).lower() == "true"
    return dict((k, v) for k, v in params.items() if v is not None)


def networks(stack, project):
    """{engine name: (key, entry)} of the networks the services use (the default network when one has none)."""
    declared = project.get("networks") or {}
    used = {}
    for svc in (project.get("services") or {}).values():
        for name in (svc.get("networks") or {"default": {}}):
            if name in PREDEFINED and name not in declared:
                continue
            used[name] = declared.get(name) or {}
    return dict((object_name(stack, k, e), (k, e)) for k, e in sorted(used.items()))


def network_body(stack, name, entry):
    """The NetworkCreate body the CLI sends for a stack network (section 1.5)."""
    body = dict(Name=name, Driver=entry.get("driver") or "overlay", Labels=_labels(stack, entry.get("labels")), Scope="swarm",
                CheckDuplicate=True)
    if entry.get("driver_opts"):
        body["Options"] = dict(entry["driver_opts"])
    if entry.get("internal"):
        body["Internal"] = True
    if entry.get("attachable"):
        body["Attachable"] = True
    ipam = entry.get("ipam") or {}
    if ipam.get("driver") or ipam.get("config"):
        body["IPAM"] = dict(Driver=ipam.get("driver") or "default",
                            Config=[dict(Subnet=c["subnet"]) for c in ipam.get("config") or [] if c.get("subnet")])
    return body


def network_view(net):
    """What a stack network is compared on (section 1.9): driver, labels, options (without the engine's own), flags, subnets."""
    options = dict((k, v) for k, v in (net.get("Options") or {}).items() if k != "com.docker.network.driver.overlay.vxlanid_list")
    ipam = net.get("IPAM") or {}
    subnets = sorted(c.get("Subnet") for c in ipam.get("Config") or [] if c.get("Subnet"))
    return dict(driver=net.get("Driver"), labels=dict(net.get("Labels") or {}), options=options, internal=bool(net.get("Internal")),
                attachable=bool(net.get("Attachable")), subnets=subnets)
