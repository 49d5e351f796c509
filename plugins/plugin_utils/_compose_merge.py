# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: merging the loaded files of a project, later files over earlier ones.

Both rule sets work on each file's long form (what ``_compose_load`` makes of one file), as the CLI merges its
typed ``ServiceConfig`` structs.

``rules="cli"`` is docker/cli's ``loader/merge.go``: mergo with ``WithOverride`` and ``WithAppendSlice`` plus
its transformers, quirks included:

- a scalar is overridden only by a non-zero value (``false``, ``0``, ``""``, ``0s`` do not override), except
  the ``*uint64`` fields (``replicas``, ``parallelism``, ``max_attempts``, ``retries``: any value, 23.0+);
- maps (``labels``, ``sysctls``, ``deploy.labels``, logging options) merge key by key, the later value winning
  even when empty; ``environment`` only with a non-empty value (or over an empty one);
- lists are appended (``dns``, ``cap_add``, ``extra_hosts``, ``placement.constraints``, and
  ``healthcheck.test``: ``["CMD", "true", "CMD", "false"]``); ``command`` and ``entrypoint`` are replaced;
- ``ports`` are keyed by the published port alone, ``secrets`` / ``configs`` by source, ``volumes`` by target -
  once the earlier file has the key, its own entries collapse by that key too (two unpublished ports become
  one) and the result is sorted by it;
- ``logging`` options merge when the drivers match (lost when the earlier file had none), else the later
  block wins; a service network keeps its ``driver_opts`` but takes the later ``aliases`` (none when not given);
  ``ulimits`` are replaced name by name;
- top-level ``networks`` / ``volumes`` / ``secrets`` / ``configs`` entries are replaced whole.

``rules="spec"`` is the Compose Specification's (``13-merge.md``, compose-go's ``override``): deep merge,
later values always win; lists appended, without repeats where compose-go keeps them unique; ``ports`` keyed
by (host IP, target, published, protocol), ``secrets`` / ``configs`` / ``volumes`` by target (replaced in
place); ``command``, ``entrypoint``, ``healthcheck.test`` replaced; ``!reset`` removes what earlier files set
at that path, ``!override`` replaces it whole.
"""

from __future__ import annotations

import copy

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_syntax import go_duration
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_yaml import Override, Reset

OBJECT_KINDS = ("networks", "volumes", "secrets", "configs")
# mergo's *uint64 transformer (mergeUint64): a set value wins, even 0.
_UINT_PTRS = (("deploy", "replicas"), ("deploy", "update_config", "parallelism"), ("deploy", "rollback_config", "parallelism"),
              ("deploy", "restart_policy", "max_attempts"), ("healthcheck", "retries"))
_DURATIONS = (("stop_grace_period",), ("healthcheck", "interval"), ("healthcheck", "timeout"), ("healthcheck", "start_period"),
              ("healthcheck", "start_interval"), ("deploy", "update_config", "delay"), ("deploy", "update_config", "monitor"),
              ("deploy", "rollback_config", "delay"), ("deploy", "rollback_config", "monitor"), ("deploy", "restart_policy", "delay"),
              ("deploy", "restart_policy", "window"))
_STRING_MAPS = (("labels",), ("sysctls",), ("deploy", "labels"), ("build", "args"), ("build", "labels"))
_CLI_KEYED = {"ports": lambda p: p.get("published") or 0, "secrets": lambda r: r["source"], "configs": lambda r: r["source"],
              "volumes": lambda v: v.get("target") or ""}
_SPEC_KEYED = {"ports": lambda p: (p.get("_ip") or "0.0.0.0", p.get("published") or 0, p.get("target"), p.get("protocol") or "tcp"),
               "secrets": lambda r: r.get("target"), "configs": lambda r: r.get("target"), "volumes": lambda v: v.get("target")}
_SPEC_UNIQUE = ("cap_add", "cap_drop", "dns", "dns_opt", "dns_search", "extra_hosts", "links", "tmpfs", "expose", "profiles", "depends_on")
_REPLACED = ("command", "entrypoint")


def _zero(value, path):
    if value in (None, "", 0, False) or value == [] or value == {}:
        return True
    if path in _DURATIONS and isinstance(value, str):
        try:
            return go_duration(value) == 0
        except ValueError:
            return False
    return False


# -- the CLI's rules ------------------------------------------------------------------------------


def _cli_keyed(base, over, key):
    merged = dict((key(item), item) for item in base)
    merged.update((key(item), item) for item in over)
    return [merged[k] for k in sorted(merged)]


def _cli_environment(base, over):
    out = dict(base)
    for name, value in over.items():
        if name not in out or value not in (None, "") or out[name] in (None, ""):
            out[name] = value
    return out


def _cli_networks(base, over):
    out = dict(base)
    for name, value in over.items():
        old = out.get(name)
        if old is None:
            out[name] = value
        elif value is not None:
            new = dict((k, v) for k, v in old.items() if k != "aliases")
            if value.get("aliases") is not None:
                new["aliases"] = value["aliases"]
            for key in ("ipv4_address", "ipv6_address"):
                if value.get(key):
                    new[key] = value[key]
            out[name] = new
    return out


def _cli_logging(base, over):
    if base.get("driver") and over.get("driver") and base["driver"] != over["driver"]:
        return over
    out = dict(base)
    if not out.get("driver") and over.get("driver"):
        out["driver"] = over["driver"]
    if "options" in base:  # mergo merges into the earlier options map; a nil one stays nil
        out["options"] = dict(base["options"], **(over.get("options") or {}))
    return out


def _merge_keys(base, over, path, merge):
    """Two mappings, key by key: a key in both is merged by ``merge`` at its path, the rest taken as they are."""
    out = dict(base)
    for key, value in over.items():
        out[key] = merge(base[key], value, path + (key,)) if key in base else value
    return out


def _cli_value(base, over, path):
    """mergo's Merge of one field ``path`` (relative to the service)."""
    if path in _UINT_PTRS:
        return over if over is not None else base
    if path in _STRING_MAPS and isinstance(base, dict) and isinstance(over, dict):
        return dict(base, **over)
    if isinstance(base, dict) and isinstance(over, dict):
        return _merge_keys(base, over, path, _cli_value)
    if isinstance(base, list) and isinstance(over, list):
        return base + over
    return base if _zero(over, path) else over


def _cli_service(base, over):
    out = dict(base)
    for key, value in over.items():
        if key not in base:
            out[key] = value
        elif key in _CLI_KEYED:
            out[key] = _cli_keyed(base[key], value or [], _CLI_KEYED[key])
        elif key in _REPLACED:
            out[key] = value if value else base[key]
        elif key == "environment":
            out[key] = _cli_environment(base[key], value)
        elif key == "networks":
            out[key] = _cli_networks(base[key], value)
        elif key == "logging":
            out[key] = _cli_logging(base[key], value) if value is not None else base[key]
        elif key == "ulimits":
            out[key] = dict(base[key], **value)
        else:
            out[key] = _cli_value(base[key], value, (key,))
    # mergo runs the keyed transformers whenever the earlier file has the list, even when the later one has none.
    for key, index in _CLI_KEYED.items():
        if key in base and key not in over:
            out[key] = _cli_keyed(base[key], [], index)
    return out


# -- the Compose Specification's rules ------------------------------------------------------------


def _unique(items, key):
    out, where = [], {}
    for item in items:
        k = key(item)
        if k in where:
            out[where[k]] = item
        else:
            where[k] = len(out)
            out.append(item)
    return out


def _spec_value(base, over, path):
    if path in (("healthcheck", "test"), ("command",), ("entrypoint",)):
        return over
    if path[:1] == ("ulimits",) and len(path) == 2:
        return over
    if path == ("logging",) and isinstance(base, dict) and isinstance(over, dict) and base.get("driver") and over.get("driver") \
            and base["driver"] != over["driver"]:
        return over
    if path == ("networks",) and isinstance(base, dict) and isinstance(over, dict):
        base = dict((k, v or {}) for k, v in base.items())
        over = dict((k, v or {}) for k, v in over.items())
    if isinstance(base, dict) and isinstance(over, dict):
        return _merge_keys(base, over, path, _spec_value)
    if isinstance(base, list) and isinstance(over, list):
        if len(path) == 1 and path[0] in _SPEC_KEYED:
            return _unique(base + over, _SPEC_KEYED[path[0]])
        if (len(path) == 1 and path[0] in _SPEC_UNIQUE) or path[-1:] == ("aliases",):
            return _unique(base + over, repr)
        return base + over
    return over


def _spec_object(base, over):
    out = _spec_value(base, over, ("object",))
    ipam = (base.get("ipam") or {}).get("config"), (over.get("ipam") or {}).get("config")
    if isinstance(ipam[0], list) and isinstance(ipam[1], list):
        by_subnet = {}
        for pool in ipam[0] + ipam[1]:
            by_subnet[pool.get("subnet")] = dict(by_subnet.get(pool.get("subnet"), {}), **pool)
        out["ipam"]["config"] = list(by_subnet.values())
    return out


# -- !reset / !override ---------------------------------------------------------------------------


def extract_tags(data, source):
    """The file's data without its ``!reset`` / ``!override`` markers, and {path: "reset" | "override"}."""
    tags = {}

    def walk(value, path):
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if isinstance(item, Reset):
                    tags[path + (key,)] = "reset"
                    continue
                if isinstance(item, Override):
                    tags[path + (key,)] = "override"
                    item = item.value
                out[key] = walk(item, path + (key,))
            return out
        if isinstance(value, list):
            for item in value:
                if isinstance(item, (Reset, Override)):
                    raise InvalidInput("%s line %d: %s: !reset and !override apply to a key's whole value, not to one list item; tag "
                                       "the list instead." % (source, item.line, ".".join(map(str, path))))
            return [walk(item, path) for item in value]
        return value

    return walk(data, ()), tags


def _drop(project, path):
    node = project
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(path[-1], None)


# -- the project ----------------------------------------------------------------------------------


def merge(files, rules="cli"):
    """One project from ``[(data, tags)]`` in file order: services by name (sorted), objects by key, later files winning.

    ``data`` is a file's long form ({"services", "networks", "volumes", "secrets", "configs", "name"}); ``tags``
    its ``!reset`` / ``!override`` paths (spec rules only)."""
    project = dict(name=None, services={}, networks={}, volumes={}, secrets={}, configs={})
    for index, (data, tags) in enumerate(files):
        data = copy.deepcopy(data)
        if index:
            for path in tags:
                _drop(project, path)
        if data.get("name") is not None:
            project["name"] = data["name"]
        for name, service in (data.get("services") or {}).items():
            old = project["services"].get(name)
            if old is None:
                project["services"][name] = service
            elif rules == "spec":
                project["services"][name] = dict(old, **dict((k, _spec_value(old[k], v, (k,)) if k in old else v) for k, v in service.items()))
            else:
                project["services"][name] = _cli_service(old, service)
        for kind in OBJECT_KINDS:
            for key, entry in (data.get(kind) or {}).items():
                old = project[kind].get(key)
                project[kind][key] = _spec_object(old, entry) if rules == "spec" and old is not None else entry
    project["services"] = dict(sorted(project["services"].items()))
    return project
