# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: a Compose project loaded on the controller as ``docker stack deploy`` loads it.

Per file, in the CLI's order (``cli/compose/loader``): YAML 1.2 (``_compose_yaml``); the forbidden keys refused
with the CLI's message; interpolation and its casts (``_compose_interpolate``); schema validation
(``_compose_schema``); the typed load into one long form, with the service's environment resolved (``env_file``,
then ``environment``, then the CLI's rule that a name without a value or with an empty one takes the variable's
value) and bind sources made absolute. Then the files are merged (``_compose_merge``), the warnings the CLI
prints are collected with its wording, plus the ones it forgets, and every service must have an image.

Variables come from ``env``, then ``env_files`` (later ones win), then ``<project_dir>/.env``, then - only with
``use_controller_env`` - the controller's environment. Nothing else reads ``os.environ``.

The result (``load_project``) is JSON-serialisable; the conversion to swarm objects (module_utils/_stack_convert)
relies on its shape. ``object_data`` reads the secrets' and configs' contents.
"""

from __future__ import annotations

import copy
import datetime
import ntpath
import os
import posixpath

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils import _compose_keys as keys
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_envfile import read_dotenv, read_kvfile
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_interpolate import interpolate
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_merge import OBJECT_KINDS, extract_tags, merge
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_schema import SPEC, file_version, project_version, validate
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_syntax import image_error, parse_volume_spec, port_configs
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_yaml import GoTime, go_string, go_time, load

RULES = ("cli", "spec")


def variables(env=None, env_files=None, project_dir=None, dotenv=True, use_controller_env=False):
    """The interpolation variables: ``env`` over ``env_files`` (later over earlier) over ``.env`` over, on request, os.environ."""
    lookup = dict(os.environ) if use_controller_env else {}
    chain = {}
    dot = os.path.join(project_dir, ".env") if project_dir else None
    if dotenv and dot and os.path.isfile(dot):
        chain.update(read_dotenv(dot, ".env", chain))
    for i, path in enumerate(env_files or []):
        chain.update(read_dotenv(path, "env_files[%d]" % i, chain))
    lookup.update(chain)
    lookup.update((str(k), go_string(v)) for k, v in (env or {}).items())
    return lookup


# -- input ----------------------------------------------------------------------------------------


def _plain(value):
    """An inline ``definition`` as plain data: str for str subclasses, lists for tuples, dates as the YAML loader gives them."""
    if isinstance(value, dict):
        return dict((go_string(_plain(k)), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        text = value.isoformat()
        return GoTime(text, go_time(text) or text)
    if isinstance(value, str) and not isinstance(value, GoTime):
        return str.__str__(value)  # a plain str, also from Ansible's str subclasses
    return value


def _sources(files, definition):
    out = []
    for i, path in enumerate(files or []):
        try:
            with open(path, "rb") as handle:
                out.append((path, handle.read()))
        except OSError as exc:
            raise InvalidInput("files[%d]: cannot read '%s' on the controller (%s); give an existing Compose file." % (i, path, exc.strerror or exc)) from None
    if definition is not None:
        if not isinstance(definition, (str, bytes, dict)):
            raise InvalidInput("definition: give the Compose project as a mapping, or as YAML text (a | block keeps YAML 1.2 typing).")
        out.append(("definition", definition))
    if not out:
        raise InvalidInput("files: give the Compose files (or an inline definition) of the stack.")
    return out


# -- per file: checks before interpolation and after validation -----------------------------------


def _check_forbidden(data, source):
    """The CLI's ``validateForbidden``: refused, whatever the file's version."""
    services = data.get("services")
    found = {}
    for svc in (services or {}).values() if isinstance(services, dict) else ():
        if isinstance(svc, dict):
            found.update((k, keys.FORBIDDEN[k]) for k in svc if k in keys.FORBIDDEN)
    if found:
        lines = "\n\n".join(sorted("%s: %s" % item for item in found.items()))
        raise InvalidInput("%s: Compose file contains unsupported options:\n\n%s\n" % (source, lines))


def _check_spec(data, source):
    """Compose Specification keys that cannot work in a swarm stack (STACKS.md section 5 REFUSE)."""
    if "include" in data:
        raise InvalidInput("%s: include is not supported by swarm_stack; list the included files in files: instead." % source)
    for name, svc in (data.get("services") or {}).items():
        where = "%s: services.%s" % (source, name)
        for key in svc:
            if key in keys.SPEC_RESOURCES:
                raise InvalidInput("%s.%s is not supported in a swarm stack: %s." % (where, key, keys.RESOURCE_HINT))
        if "profiles" in svc:
            raise InvalidInput("%s.profiles is not supported by swarm_stack: every service of the files is deployed; leave the service "
                               "out of the files instead." % where)
        reservations = ((svc.get("deploy") or {}).get("resources") or {}).get("reservations") or {}
        if "devices" in reservations:
            raise InvalidInput("%s.deploy.resources.reservations.devices is not supported in a swarm stack; reserve devices with "
                               "generic_resources (discrete_resource_spec: {kind: gpu, value: 1}) instead." % where)


def _service_warnings(data, source, spec):
    """Warnings about keys swarm_stack ignores (the CLI's own lists are warned about once, for the whole project)."""
    out = []
    for name, svc in (data.get("services") or {}).items():
        where = "services.%s" % name
        for key, text in keys.SILENTLY_IGNORED.items():
            if key in svc:
                extra = " (the map form with conditions is a Compose Specification feature)" if isinstance(svc[key], dict) else ""
                out.append("%s.%s %s%s." % (where, key, text, extra))
        for key, hint in keys.SPEC_IGNORED.items():
            if key in svc:
                out.append("%s.%s is a Compose Specification key that swarm mode does not use; it is ignored%s." % (where, key, "; " + hint if hint else ""))
        for net, opts in (svc.get("networks") or {}).items() if isinstance(svc.get("networks"), dict) else ():
            for key in keys.SERVICE_NETWORK_IGNORED:
                if isinstance(opts, dict) and opts.get(key) not in (None, "", []):
                    out.append("%s.networks.%s.%s is ignored in swarm mode: the engine gives each task its address." % (where, net, key))
        for key in (svc.get("deploy") or {}):
            if str(key).startswith("x-"):
                out.append("%s.deploy.%s: x- keys inside deploy are a Compose Specification extension; it is ignored." % (where, key))
    if spec:
        if "models" in data:
            out.append("models: Compose Specification models are not supported in a swarm stack; they are ignored.")
        for key, net in (data.get("networks") or {}).items():
            for opt in keys.SPEC_NETWORK_IGNORED:
                if opt in (net or {}):
                    out.append("networks.%s.%s is not converted by docker stack deploy; it is ignored." % (key, opt))
            for i, pool in enumerate(((net or {}).get("ipam") or {}).get("config") or []):
                for opt in keys.SPEC_IPAM_IGNORED:
                    if opt in pool:
                        out.append("networks.%s.ipam.config[%d].%s: docker stack deploy takes only subnet from ipam.config; it is ignored."
                                   % (key, i, opt))
    return ["%s: %s" % (source, w) for w in out]


# -- per file: the long form ----------------------------------------------------------------------


class _File:
    """What one file's typed load needs: where it is, the variables, the warnings, the version."""

    def __init__(self, source, working_dir, lookup, warnings, version):
        self.source, self.working_dir, self.lookup, self.warnings, self.version = source, working_dir, lookup, warnings, version

    def fail(self, where, text):
        raise InvalidInput("%s: %s: %s" % (self.source, where, text))

    def warn(self, where, text):
        self.warnings.append("%s: %s: %s" % (self.source, where, text))


def _mapping(value, allow_nil):
    """The CLI's ``transformMappingOrList``: a mapping or ``KEY=VALUE`` list as {str: str} (None only with ``allow_nil``)."""
    if isinstance(value, dict):
        return dict((k, None if v is None and allow_nil else go_string(v)) for k, v in value.items())
    out = {}
    for item in value or []:
        key, found, val = go_string(item).partition("=")
        out[key] = val if found else (None if allow_nil else "")
    return out


def _hosts(value):
    """``transformHostsList``: "host:ip" strings; the map form sorted (Go's toStringList), brackets of [::1] removed."""
    if isinstance(value, dict):
        pairs = sorted("%s:%s" % (k, go_string(v)) for k, v in value.items() if v is not None)
    else:
        pairs = []
        for item in value or []:
            text = go_string(item)
            for sep in ("=", ":"):
                if sep in text:
                    pairs.append(":".join(text.split(sep, 1)))
                    break
    out = []
    for pair in pairs:
        host, _sep, ip = pair.partition(":")
        if len(ip) > 2 and ip[0] == "[" and ip[-1] == "]":
            ip = ip[1:-1]
        out.append("%s:%s" % (host, ip))
    return out


def _int(value, ctx, where):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        ctx.fail(where, "%s is not a whole number; write one without quotes, e.g. 3." % go_string(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    if isinstance(value, int):
        return value
    ctx.fail(where, "'%s' is not a whole number; write one without quotes, e.g. 3." % go_string(value))


def _bool(value, ctx, where):
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        ctx.fail(where, "'%s' is not a boolean; write true or false." % go_string(value))
    return value


def _environment(name, svc, ctx):
    """``resolveEnvironment``: env_file entries, then environment; an unset or empty value takes the variable when defined."""
    env = {}

    def update(pairs):
        for key, value in pairs.items():
            env[key] = ctx.lookup[key] if value in (None, "") and key in ctx.lookup else value

    files = svc.get("env_file")
    for i, entry in enumerate([files] if isinstance(files, (str, dict)) else files or []):
        path, required = (entry.get("path"), entry.get("required", True)) if isinstance(entry, dict) else (entry, True)
        full = _abs(ctx.working_dir, go_string(path))
        if not required and not os.path.exists(full):
            continue
        update(dict(read_kvfile(full, ctx.lookup, "%s: services.%s.env_file[%d]" % (ctx.source, name, i))))
    if "environment" in svc:
        update(_mapping(svc["environment"], True))
    return env


def _abs(working_dir, path):
    """The CLI's ``absPath``: filepath.Join(workingDir, path) unless absolute."""
    return path if posixpath.isabs(path) else posixpath.normpath(posixpath.join(working_dir, path))


def _ports(value, ctx, where):
    out = []
    for i, port in enumerate(value or []):
        at = "%s.ports[%d]" % (where, i)
        if isinstance(port, bool) or isinstance(port, float) and not port.is_integer():
            ctx.fail(at, "invalid type %s for port; write it as a string, e.g. \"8080:80\"." % type(port).__name__)
        if isinstance(port, (int, float, str)):
            try:
                configs, warnings = port_configs(go_string(int(port)) if isinstance(port, float) else go_string(port))
            except ValueError as exc:
                ctx.fail(at, "%s; write [ip:][published:]target[/protocol], e.g. 8080:80 or 53:53/udp." % exc)
            for text in warnings:
                ctx.warn(at, text)
            out.extend(configs)
            continue
        out.extend(_long_port(port, ctx, at))
    return out


def _long_port(port, ctx, at):
    if port.get("target") in (None, ""):
        ctx.fail(at, "the port needs target: the port inside the container, e.g. target: 80.")
    entry = dict(target=_int(port["target"], ctx, at + ".target"), published=None, protocol=go_string(port.get("protocol")),
                 mode=go_string(port.get("mode")))
    for key in keys.SPEC_PORT_IGNORED:
        if port.get(key) not in (None, ""):
            ctx.warn(at, "%s has no swarm equivalent; it is ignored." % key)
    if port.get("host_ip"):
        entry["_ip"] = go_string(port["host_ip"])
    published = port.get("published")
    if isinstance(published, str) and "-" in published:
        low, _sep, high = published.partition("-")
        ctx.warn(at, "the published range %s is expanded to one published port per number, as the short syntax does." % published)
        return [dict(entry, published=p) for p in range(_int(low, ctx, at + ".published"), _int(high, ctx, at + ".published") + 1)]
    if published not in (None, ""):
        entry["published"] = _int(published, ctx, at + ".published") or None
    return [entry]


def _volumes(value, ctx, where):
    out = []
    for i, vol in enumerate(value or []):
        at = "%s.volumes[%d]" % (where, i)
        if isinstance(vol, str):
            try:
                vol = parse_volume_spec(vol)
            except ValueError as exc:
                ctx.fail(at, "%s; write source:target[:ro], e.g. data:/var/lib/data or ./conf:/etc/app:ro." % exc)
        else:
            vol = dict((k, v) for k, v in vol.items() if not str(k).startswith("x-"))
            vol["read_only"] = _bool(vol.get("read_only", False), ctx, at + ".read_only")
        if vol.get("type") == "bind":
            vol["source"] = _bind_source(vol.get("source") or "", ctx, at)
        entry = dict(type=vol.get("type"), source=go_string(vol.get("source")), target=go_string(vol.get("target")), read_only=vol["read_only"])
        if not entry["source"]:
            del entry["source"]
        for key in ("consistency", "bind", "volume", "tmpfs", "image", "cluster"):
            if vol.get(key) is not None:
                entry[key] = vol[key]
        out.append(entry)
    return out


def _bind_source(source, ctx, at):
    """``resolveVolumePaths``: ~ from the variables' HOME, relative paths against the working directory (with a warning)."""
    if not source:
        ctx.fail(at, 'invalid mount config for type "bind": field Source must not be empty; give the host path to mount.')
    path = source
    if path.startswith("~"):
        if "HOME" in ctx.lookup:
            path = path.replace("~", ctx.lookup["HOME"], 1)
        else:
            ctx.warn(at, "cannot expand '~', because the environment lacks HOME; give HOME in env: (or use_controller_env: true)")
    if posixpath.isabs(path) or ntpath.isabs(path) and ntpath.splitdrive(path)[0]:
        return path
    path = _abs(ctx.working_dir, path)
    ctx.warn(at, "the relative bind source '%s' is %s on the controller; it must exist at that path on every node that may run the "
             "task (the docker CLI resolves it the same way, against its own directory)." % (source, path))
    return path


def _refs(value, ctx, at):
    out = []
    for i, ref in enumerate(value or []):
        ref = dict(source=ref) if isinstance(ref, str) else dict((k, v) for k, v in ref.items() if not str(k).startswith("x-"))
        mode = ref.get("mode")
        if isinstance(mode, str):
            try:
                mode = int(mode, 8)
            except ValueError:
                ctx.fail("%s[%d].mode" % (at, i), "'%s' is not a file mode; write an octal number, e.g. 0440." % mode)
        out.append(dict(source=ref["source"], target=go_string(ref.get("target")) or ref["source"], uid=go_string(ref.get("uid")) or "0",
                        gid=go_string(ref.get("gid")) or "0", mode=0o444 if mode is None else _int(mode, ctx, "%s[%d].mode" % (at, i))))
    return out


def _ulimit(value, ctx, at):
    """``nofile: 1024`` is soft and hard 1024; the mapping form needs both (the schema says so)."""
    if isinstance(value, dict):
        return dict(soft=_int(value.get("soft"), ctx, at + ".soft"), hard=_int(value.get("hard"), ctx, at + ".hard"))
    return dict(soft=_int(value, ctx, at), hard=_int(value, ctx, at))


def _networks(value):
    if isinstance(value, list):
        return dict((go_string(n), None) for n in value)
    out = {}
    for name, opts in (value or {}).items():
        if opts is None:
            out[name] = None
            continue
        opts = dict((k, v) for k, v in opts.items() if not str(k).startswith("x-"))
        if opts.get("driver_opts") is not None:
            opts["driver_opts"] = _mapping(opts["driver_opts"], False)
        out[name] = opts
    return out


def _deploy(deploy, ctx, where):
    out = dict((k, copy.deepcopy(v)) for k, v in deploy.items() if not str(k).startswith("x-"))
    if "labels" in out:
        out["labels"] = _mapping(out["labels"], False)
    if out.get("replicas") is not None:
        out["replicas"] = _int(out["replicas"], ctx, where + ".replicas")
    for block in ("update_config", "rollback_config", "restart_policy", "placement", "resources"):
        if isinstance(out.get(block), dict):
            out[block] = dict((k, v) for k, v in out[block].items() if not str(k).startswith("x-"))
    for block, key in (("update_config", "parallelism"), ("rollback_config", "parallelism"), ("restart_policy", "max_attempts"),
                       ("placement", "max_replicas_per_node")):
        if (out.get(block) or {}).get(key) is not None:
            out[block][key] = _int(out[block][key], ctx, "%s.%s.%s" % (where, block, key))
    return out


def _service(name, svc, ctx):
    """One service's long form (the keys the conversion takes, SERVICE_KEYS)."""
    where = "services.%s" % name
    out = dict((k, copy.deepcopy(svc[k])) for k in keys.SERVICE_KEYS if svc.get(k) is not None)
    for key in ("tty", "stdin_open", "read_only", "init"):
        if key in out:
            out[key] = _bool(out[key], ctx, "%s.%s" % (where, key))
    for key in ("image", "hostname", "user", "working_dir", "stop_signal", "stop_grace_period", "restart", "isolation"):
        if key in out:
            out[key] = go_string(out[key])
    if "oom_score_adj" in out:
        out["oom_score_adj"] = _int(out["oom_score_adj"], ctx, where + ".oom_score_adj")
    out["environment"] = _environment(name, svc, ctx)
    for key in ("labels", "sysctls"):
        if key in out:
            out[key] = _mapping(out[key], False)
    if "extra_hosts" in out:
        out["extra_hosts"] = _hosts(out["extra_hosts"])
    for key in ("dns", "dns_search", "cap_add", "cap_drop"):
        if isinstance(out.get(key), str):
            out[key] = [out[key]]
    if "healthcheck" in out:
        health = dict((k, v) for k, v in out["healthcheck"].items() if not str(k).startswith("x-"))
        if isinstance(health.get("test"), str):
            health["test"] = ["CMD-SHELL", health["test"]]
        if health.get("retries") is not None:
            health["retries"] = _int(health["retries"], ctx, where + ".healthcheck.retries")
        if "disable" in health:
            health["disable"] = _bool(health["disable"], ctx, where + ".healthcheck.disable")
        out["healthcheck"] = health
    if "logging" in out:
        logging = dict((k, v) for k, v in out["logging"].items() if k in ("driver", "options"))
        if logging.get("options") is not None:
            logging["options"] = _mapping(logging["options"], False)
        out["logging"] = logging
    if "ulimits" in out:
        out["ulimits"] = dict((k, _ulimit(v, ctx, "%s.ulimits.%s" % (where, k))) for k, v in out["ulimits"].items())
    for key in ("secrets", "configs"):
        if key in out:
            out[key] = _refs(out[key], ctx, "%s.%s" % (where, key))
    if "networks" in out:
        out["networks"] = _networks(out["networks"])
    if "ports" in out:
        out["ports"] = _ports(out["ports"], ctx, where)
    if "volumes" in out:
        out["volumes"] = _volumes(out["volumes"], ctx, where)
    if "deploy" in out:
        out["deploy"] = _deploy(out["deploy"], ctx, where + ".deploy")
    return out


def _object(kind, key, entry, ctx):
    """A top-level network, volume, secret or config as the CLI's LoadNetworks / LoadVolumes / loadFileObjectConfig leave it."""
    noun = kind[:-1]
    out = dict((k, copy.deepcopy(v)) for k, v in (entry or {}).items()
               if v is not None and (not str(k).startswith("x-") or (kind, k) == ("volumes", "x-cluster-spec")))
    for name in ("labels", "driver_opts"):
        if name in out:
            out[name] = _mapping(out[name], False)
    external = out.get("external", False)
    external_name = None
    if isinstance(external, dict):
        external_name = go_string(external.get("name")) or None
        external = True
    elif isinstance(external, str):  # the Compose Specification allows "true" / "false"
        external = _bool(external, ctx, "%s.%s.external" % (kind, key))
    out["external"] = bool(external)
    if out["external"]:
        if kind == "volumes":
            for name in ("driver", "driver_opts", "labels"):
                if out.get(name):
                    ctx.fail("%s.%s" % (kind, key), 'conflicting parameters "external" and "%s" specified for volume "%s"; an external volume '
                             "exists already, so drop %s." % (name, key, name))
        if external_name:
            if out.get("name"):
                ctx.fail("%s.%s" % (kind, key), "%s.external.name and %s.name conflict; only use %s.name." % (noun, noun, noun))
            if ctx.version is SPEC or _minor(ctx.version) >= (4 if kind == "volumes" else 5):
                ctx.warn("%s.%s" % (kind, key), "%s %s: %s.external.name is deprecated in favor of %s.name" % (noun, key, noun, noun))
            out["name"] = external_name
        out.setdefault("name", key)
    elif kind in ("secrets", "configs"):
        if out.get("driver") and out.get("file"):
            ctx.fail("%s.%s" % (kind, key), "%s %s: %s.driver and %s.file conflict; only use %s.driver" % (noun, key, noun, noun, noun))
        if out.get("file"):
            out["file"] = _abs(ctx.working_dir, go_string(out["file"]))
    if kind in ("secrets", "configs") and "name" in out:
        out["name"] = go_string(out["name"])
    return out


def _minor(version):
    return int(version.split(".")[1])


def _long_form(data, ctx):
    services = dict((str(n), _service(str(n), s or {}, ctx)) for n, s in (data.get("services") or {}).items())
    out = dict(name=data.get("name"), services=services)
    for kind in OBJECT_KINDS:
        out[kind] = dict((str(k), _object(kind, str(k), v, ctx)) for k, v in (data.get(kind) or {}).items())
    return out


# -- the project ----------------------------------------------------------------------------------


def _cli_warnings(raws):
    """``GetUnsupportedProperties`` / ``GetDeprecatedProperties`` over every file, worded as the CLI prints them."""
    unsupported, deprecated = set(), {}
    for data in raws:
        for svc in (data.get("services") or {}).values() if isinstance(data.get("services"), dict) else ():
            if isinstance(svc, dict):
                unsupported.update(k for k in keys.UNSUPPORTED if k in svc)
                deprecated.update((k, t) for k, t in keys.DEPRECATED.items() if k in svc)
    out = []
    if unsupported:
        out.append("Ignoring unsupported options: %s" % ", ".join(sorted(unsupported)))
    if deprecated:
        out.append("Ignoring deprecated options:\n\n%s" % "\n\n".join(sorted("%s: %s" % item for item in deprecated.items())))
    return out


def _finish(project, warnings):
    for name, svc in project["services"].items():
        where = "services.%s" % name
        image = svc.get("image")
        if not image:
            raise InvalidInput("%s: invalid image reference for service %s: no image specified; set image:, e.g. image: nginx:1.27 "
                               "(docker stack deploy never builds)." % (where, name))
        problem = image_error(image)
        if problem:
            raise InvalidInput("%s.image: invalid image reference for service %s: %s; write name[:tag][@digest], e.g. nginx:1.27."
                               % (where, name, problem))
        if svc.get("restart") and not (svc.get("deploy") or {}).get("restart_policy"):
            warnings.append("%s.restart: '%s' is used as the restart policy because deploy.restart_policy is absent, as the docker CLI "
                            "does although it says it ignores restart; write deploy.restart_policy instead." % (where, svc["restart"]))
        networks = dict((k, v if v is not None else {}) for k, v in (svc.get("networks") or {}).items())
        svc["networks"] = networks or {"default": {}}
        for port in svc.get("ports") or []:
            port.pop("_ip", None)
    for kind in ("secrets", "configs"):
        for key, entry in project[kind].items():
            if not entry["external"] and not any(entry.get(k) is not None for k in ("file", "environment", "content", "driver")):
                raise InvalidInput("%s.%s: give file: (or external: true%s); a %s needs its content."
                                   % (kind, key, ", environment: or content:" if kind == "configs" else " or environment:", kind[:-1]))


def load_project(files=None, definition=None, *, project_dir=None, env=None, env_files=None, dotenv=True, use_controller_env=False,
                 rules="cli", strict=False):
    """The project in long form, merged: {"name", "version", "working_dir", "services", "networks", "volumes", "secrets",
    "configs", "warnings"}; InvalidInput naming the file and the path.

    ``files`` are absolute paths; ``definition`` an inline mapping or YAML text, loaded after them. The working
    directory (relative paths, ``.env``) is ``project_dir``, else the first file's directory, else the current one.
    ``rules`` "cli" (docker stack deploy) or "spec" (the Compose Specification) for interpolation and merge;
    ``strict`` turns every warning into a failure."""
    if rules not in RULES:
        raise InvalidInput("rules: '%s' is not one of %s; use cli (docker stack deploy's rules) or spec (the Compose Specification's)."
                           % (rules, ", ".join(RULES)))
    sources = _sources(files, definition)
    working_dir = os.path.abspath(project_dir or (os.path.dirname(files[0]) if files else os.getcwd()))
    lookup = variables(env, env_files, working_dir, dotenv, use_controller_env)
    raws = []
    for source, content in sources:
        data = _plain(copy.deepcopy(content)) if isinstance(content, dict) else load(content, source, tags=rules == "spec")
        data, tags = extract_tags(data, source) if rules == "spec" else (data, {})
        raws.append((source, data, tags))
    version = project_version([(source, file_version(data)) for source, data, _t in raws])
    warnings = _cli_warnings([data for _s, data, _t in raws])
    files_long = []
    for source, data, tags in raws:
        _check_forbidden(data, source)
        data = interpolate(data, lookup, source, rules, spec_schema=version is SPEC, warnings=warnings)
        for text in validate(data, version, source):
            if text not in warnings:
                warnings.append(text)
        if version is SPEC:
            _check_spec(data, source)
        warnings.extend(w for w in _service_warnings(data, source, version is SPEC) if w not in warnings)
        ctx = _File(source, working_dir, lookup, warnings, version)
        files_long.append((_long_form(data, ctx), tags))
    project = merge(files_long, rules)
    _finish(project, warnings)
    if strict and warnings:
        raise InvalidInput("strict: %s" % "\n".join(warnings))
    return dict(name=project["name"], version=version, working_dir=working_dir, services=project["services"],
                networks=project["networks"], volumes=project["volumes"], secrets=project["secrets"], configs=project["configs"],
                warnings=warnings)


def object_data(project, env=None, env_files=None, project_dir=None, dotenv=True, use_controller_env=False):
    """{"secrets": {key: bytes}, "configs": {key: bytes}} for the objects the stack creates from ``file``, ``environment`` (a
    variable) or ``content``; errors name the key and the file, never the data."""
    lookup = None
    out = dict(secrets={}, configs={})
    for kind in ("secrets", "configs"):
        for key, entry in (project.get(kind) or {}).items():
            if entry.get("external"):
                continue
            if entry.get("file"):
                try:
                    with open(entry["file"], "rb") as handle:
                        out[kind][key] = handle.read()
                except OSError as exc:
                    raise InvalidInput("%s.%s.file: cannot read '%s' on the controller (%s); give an existing file, relative to the "
                                       "project directory." % (kind, key, entry["file"], exc.strerror or exc)) from None
            elif entry.get("environment") is not None:
                if lookup is None:
                    lookup = variables(env, env_files, project_dir or project.get("working_dir"), dotenv, use_controller_env)
                name = go_string(entry["environment"])
                if name not in lookup:
                    raise InvalidInput("%s.%s.environment: the variable %s is not set; give it in env: (or env_files:, .env)." % (kind, key, name))
                out[kind][key] = lookup[name].encode("utf-8")
            elif entry.get("content") is not None:
                out[kind][key] = go_string(entry["content"]).encode("utf-8")
    return out
