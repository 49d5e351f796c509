# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: secrets and configs as versioned objects.

The engine never changes a secret's or config's data, so a logical name (``db_password``) is a
series of objects (``db_password.v1``, ``db_password.v2``...), each labelled with the logical name,
its version number and a SHA-256 of its data. The newest version is the current one; services
refer to it by logical name (swarm_service's ``secrets: [{source: db_password}]``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._args import connection_argument_spec, wait_args
from ansible_collections.beekeeper.swarm.plugins.module_utils._cluster import LABEL_KEY_RE
from ansible_collections.beekeeper.swarm.plugins.module_utils._converge import ServiceWatch, rollout_expected, wait_services
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import (
    ConvergenceTimeout,
    EngineError,
    InvalidInput,
    NotFound,
    Refused,
)

LABEL_NAME = "com.beekeeper.swarm.name"
LABEL_VERSION = "com.beekeeper.swarm.version"
LABEL_HASH = "com.beekeeper.swarm.hash"
KINDS = ("secret", "config")


def argument_spec(kind):
    """swarm_secret's and swarm_config's options (the same, plus templating for configs)."""
    options = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        data=dict(type="str", no_log=True),
        data_is_b64=dict(type="bool", default=False),
        src=dict(type="path"),
        remote_src=dict(type="bool", default=False),
        labels=dict(type="dict"),
        rotate=dict(type="bool", default=True),
        keep=dict(type="int", default=1),
        **wait_args(),
        force=dict(type="bool", default=False),
    )
    if kind == "config":
        options["templating"] = dict(type="str", choices=["golang"])
    return connection_argument_spec(**options)


def list_objects(engine, kind, logical=None):
    """Every secret (or config); with ``logical``, the versions of that logical name, oldest first."""
    found = _api.list_objects(engine, kind, label="%s=%s" % (LABEL_NAME, logical) if logical else None)
    if logical:
        found.sort(key=lambda o: int(((o.get("Spec") or {}).get("Labels") or {}).get(LABEL_VERSION) or 0))
    return found


def resolve_object(engine, kind, name, existing=None):
    """The object a service means by ``name``: the one with exactly that name, else the newest version
    of that logical name. ``existing`` is an already-read list of all objects of the kind (saves a call).
    Raise NotFound naming the object and the fix."""
    objects = existing if existing is not None else list_objects(engine, kind)
    for obj in objects:
        if (obj.get("Spec") or {}).get("Name") == name:
            return obj
    versions = [o for o in objects if ((o.get("Spec") or {}).get("Labels") or {}).get(LABEL_NAME) == name]
    if versions:
        return max(versions, key=lambda o: int(((o.get("Spec") or {}).get("Labels") or {}).get(LABEL_VERSION) or 0))
    raise NotFound(
        "Failed to find %s '%s': the swarm has no %s of that name or logical name; create it first with "
        "beekeeper.swarm.swarm_%s." % (kind, name, kind, kind)
    )


def logical_name(obj):
    """The logical name of a versioned object, or its own name for a plain one."""
    spec = obj.get("Spec") or {}
    return (spec.get("Labels") or {}).get(LABEL_NAME) or spec.get("Name")


# -- naming, content and validation ------------------------------------------------------------

OWN_PREFIX = "com.beekeeper.swarm."
NAME_MAX = 64
# Room for ".v" and four digits, so every version of a logical name fits the engine's 64 characters.
LOGICAL_MAX = NAME_MAX - len(".v9999")
NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
B64_RE = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
MAX_KB = {"secret": 500, "config": 1000}
TEMPLATING_MIN_API = "1.37"
# Where a service's task template refers to objects of each kind: list key, ID key, name key.
REFS = {"secret": ("Secrets", "SecretID", "SecretName"), "config": ("Configs", "ConfigID", "ConfigName")}


def max_bytes(kind):
    return MAX_KB[kind] * 1024


def size_error(kind, field, size):
    """The message for content over the engine's limit (``field`` names where it came from)."""
    return (
        "%s: the content is %d bytes; the engine takes at most %d bytes (%d KB) for a %s. Keep it smaller, "
        "or ship large files another way (a volume, or the image)." % (field, size, max_bytes(kind), MAX_KB[kind], kind)
    )


def version_name(logical, version):
    return "%s.v%d" % (logical, version)


def labels_of(obj):
    return dict(((obj or {}).get("Spec") or {}).get("Labels") or {})


def name_of(obj):
    return ((obj or {}).get("Spec") or {}).get("Name")


def version_of(obj):
    """The version number of a versioned object; 0 for a plain one (or an unreadable label)."""
    try:
        return int(labels_of(obj).get(LABEL_VERSION) or 0)
    except ValueError:
        return 0


def user_labels(labels):
    """The user's labels: all but this collection's own com.beekeeper.swarm.* bookkeeping."""
    return dict((k, v) for k, v in (labels or {}).items() if not k.startswith(OWN_PREFIX))


def templating_of(obj):
    return (((obj or {}).get("Spec") or {}).get("Templating") or {}).get("Name") or None


def content_hash(data):
    return hashlib.sha256(data).hexdigest()


def validate_name(kind, name):
    if not NAME_RE.match(name or ""):
        raise InvalidInput(
            "name: '%s' is not a valid %s name; use letters, digits, '.', '-' and '_', starting and ending with a "
            "letter or digit." % (name, kind)
        )
    if len(name) > LOGICAL_MAX:
        raise InvalidInput(
            "name: '%s' is %d characters; a logical name has at most %d, so that its versions (NAME.v1 ... NAME.v9999) "
            "fit the engine's %d-character limit. Use a shorter name." % (name, len(name), LOGICAL_MAX, NAME_MAX)
        )


def validate_labels(labels):
    """User labels: a map of valid keys to strings, none in this collection's own namespace."""
    if labels is None:
        return None
    for key, value in labels.items():
        if not LABEL_KEY_RE.match(str(key)):
            raise InvalidInput(
                "labels: '%s' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and "
                "ending with a letter or digit (for example com.example.team)." % key
            )
        if str(key).startswith(OWN_PREFIX):
            raise InvalidInput(
                "labels: '%s' is in %s*, which this collection keeps for its versioning; use another key." % (key, OWN_PREFIX)
            )
        if not isinstance(value, str):
            raise InvalidInput(
                "labels: the value of '%s' is not a string (%s); label values are strings, so quote it (%s: \"%s\")."
                % (key, type(value).__name__, key, str(value).lower() if isinstance(value, bool) else value)
            )
    return dict((str(k), v) for k, v in labels.items())


def decode_b64(text, field="data"):
    """Base64 text (line breaks allowed, as `base64` writes it) -> bytes; InvalidInput naming ``field``."""
    compact = re.sub(r"\s+", "", text or "")
    if not B64_RE.match(compact) or len(compact) % 4:
        raise InvalidInput(
            "%s: not valid base64 (data_is_b64 is true): use only A-Z, a-z, 0-9, '+' and '/', padded with '=' to a "
            "multiple of 4 characters; or set data_is_b64: false for plain text." % field
        )
    return base64.b64decode(compact)


def read_content(kind, params):
    """The content the task declares, as bytes, or None when it declares none (content not managed).

    ``src`` reaching a module names a file on the node the module runs on: the action plugin turns a
    controller file (remote_src: false) into base64 ``data`` before the module runs.
    """
    data, src = params.get("data"), params.get("src")
    if data is not None and src is not None:
        raise InvalidInput("data and src are mutually exclusive: set one of them (data for inline content, src for a file).")
    if src is not None:
        try:
            with open(src, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise InvalidInput(
                "src: cannot read '%s' on the node the module runs on (%s); give a readable file there, or set "
                "remote_src: false for a file on the controller." % (src, exc.strerror or exc)
            ) from exc
        field = "src"
    elif data is not None:
        content = decode_b64(data) if params.get("data_is_b64") else to_bytes(data, errors="surrogate_or_strict")
        field = "data"
    else:
        return None
    if len(content) > max_bytes(kind):
        raise InvalidInput(size_error(kind, field, len(content)))
    return content


def validate(kind, params):
    """Every check on the task's options, before the engine is asked anything: the desired state."""
    validate_name(kind, params["name"])
    labels = validate_labels(params.get("labels"))
    if (params.get("keep") or 0) < 0:
        raise InvalidInput("keep: %d is negative; keep 0 or more old versions (default 1)." % params["keep"])
    if (params.get("wait_timeout") or 0) <= 0:
        raise InvalidInput("wait_timeout: %d is not a positive number of seconds; use e.g. 300." % (params.get("wait_timeout") or 0))
    content = read_content(kind, params) if params.get("state") != "absent" else None
    return dict(
        labels=labels,
        hash=content_hash(content) if content is not None else None,
        data=content,
        templating=params.get("templating") if kind == "config" else None,
    )


# -- the series of versions of one logical name -------------------------------------------------


class Series:
    """The objects of one logical name: its versions (oldest first) and a plain object of that name."""

    def __init__(self, kind, logical, objects):
        self.kind = kind
        self.logical = logical
        self.versions = sorted(
            [o for o in objects if labels_of(o).get(LABEL_NAME) == logical],
            key=version_of,
        )
        plain = [o for o in objects if name_of(o) == logical and LABEL_NAME not in labels_of(o)]
        self.plain = plain[0] if plain else None

    @property
    def current(self):
        """The newest version; the plain object when there is no version yet; None when neither."""
        return self.versions[-1] if self.versions else self.plain

    @property
    def members(self):
        """Every object of the series, the plain one first."""
        return ([self.plain] if self.plain else []) + self.versions

    def ids(self):
        return set(o["ID"] for o in self.members)

    def next_version(self):
        return max([version_of(o) for o in self.versions] + [0]) + 1


def refs(kind, service):
    """The references (dicts) of one kind in a service's container spec."""
    key = REFS[kind][0]
    spec = ((service.get("Spec") or {}).get("TaskTemplate") or {}).get("ContainerSpec") or {}
    return spec.get(key) or []


def service_name(service):
    return (service.get("Spec") or {}).get("Name") or service.get("ID")


def users(kind, services, ids):
    """Services that refer to any of ``ids``, sorted by name."""
    id_key = REFS[kind][1]
    found = [s for s in services if any(r.get(id_key) in ids for r in refs(kind, s))]
    return sorted(found, key=service_name)


def repointed_spec(kind, spec, old_ids, new_id, new_name):
    """A copy of a service spec whose references to ``old_ids`` name the new object instead.

    Only the ID and name change: the target inside the task (File: Name, UID, GID, Mode, or Runtime)
    stays exactly as it was, so the task sees the new content at the same path. Two references that
    end up the same (the same target) are kept once.
    """
    key, id_key, name_key = REFS[kind]
    spec = copy.deepcopy(spec)
    container = spec.setdefault("TaskTemplate", {}).setdefault("ContainerSpec", {})
    result, seen = [], []
    for ref in container.get(key) or []:
        if ref.get(id_key) in old_ids:
            ref = dict(ref)
            ref[id_key] = new_id
            ref[name_key] = new_name
        if ref not in seen:
            seen.append(ref)
            result.append(ref)
    container[key] = result
    return spec


def detached_spec(kind, spec, ids):
    """A copy of a service spec without its references to ``ids``."""
    key, id_key = REFS[kind][0], REFS[kind][1]
    spec = copy.deepcopy(spec)
    container = spec.setdefault("TaskTemplate", {}).setdefault("ContainerSpec", {})
    container[key] = [r for r in container.get(key) or [] if r.get(id_key) not in ids]
    return spec


def plan_prune(series, keep, in_use, created, replace=False):
    """The objects to delete: the plain object and old versions beyond the ``keep`` newest, unless in use.

    ``created``: a new version is being made, so every existing version is old. ``replace``: old versions
    are not kept at all (rotate: false). A plain object is never counted among the kept (while it exists,
    services that name the logical name would get it instead of the newest version), and it is only
    removed once there is a version to take its place. ``in_use``: IDs services still refer to.
    """
    older = list(series.versions) if created else list(series.versions[:-1])
    keep = 0 if replace else keep
    kept = older[max(0, len(older) - keep):] if keep else []
    candidates = [o for o in older if o not in kept]
    if series.plain is not None and (created or series.versions):
        candidates.insert(0, series.plain)
    return [o for o in candidates if o["ID"] not in in_use]


def in_use_ids(kind, services):
    id_key = REFS[kind][1]
    return set(r.get(id_key) for s in services for r in refs(kind, s))


def user_view(kind, obj):
    """The part of an object a diff shows: its version and user labels (and templating for a config)."""
    if obj is None:
        return {}
    view = dict(version=version_of(obj), labels=user_labels(labels_of(obj)))
    if kind == "config":
        view["templating"] = templating_of(obj)
    return view


def object_view(kind, obj, series_members, services):
    """What the module returns about the current object; never its data nor its hash."""
    id_key = REFS[kind][1]

    def using(oid):
        return sorted(service_name(s) for s in services if any(r.get(id_key) == oid for r in refs(kind, s)))

    view = dict(
        id=obj.get("ID"),
        name=name_of(obj),
        logical_name=logical_name(obj) if LABEL_NAME in labels_of(obj) else name_of(obj),
        version=version_of(obj),
        labels=user_labels(labels_of(obj)),
        created_at=obj.get("CreatedAt"),
        updated_at=obj.get("UpdatedAt"),
        services=using(obj.get("ID")),
        versions=[dict(name=name_of(o), version=version_of(o), id=o.get("ID"), services=using(o.get("ID"))) for o in series_members],
    )
    if kind == "config":
        view["templating"] = templating_of(obj)
    return view


# -- the module's logic --------------------------------------------------------------------------


def _list_services(engine):
    return _api.list_services(engine)


def _in_use_text(kind, using, series):
    by_id = dict((o["ID"], name_of(o)) for o in series.members)
    id_key = REFS[kind][1]
    parts = []
    for svc in using:
        names = sorted(set(by_id[r[id_key]] for r in refs(kind, svc) if r.get(id_key) in by_id))
        parts.append("%s uses %s" % (service_name(svc), ", ".join(names)))
    return "; ".join(parts)


def manage(kind, engine, params, check_mode):
    """swarm_secret / swarm_config: describe the series, compare, act on a difference only."""
    want = validate(kind, params)
    if want["templating"]:
        engine.require("templating", TEMPLATING_MIN_API)
    logical = params["name"]
    series = Series(kind, logical, list_objects(engine, kind))
    services = _list_services(engine)
    if params["state"] == "absent":
        return _absent(kind, engine, params, check_mode, series, services)
    return _present(kind, engine, params, check_mode, series, services, want)


def _present(kind, engine, params, check_mode, series, services, want):
    logical = params["name"]
    current = series.current
    if current is None and want["hash"] is None:
        raise InvalidInput(
            "data or src is required to create %s '%s': set data to the content, or src to a file that holds it." % (kind, logical)
        )
    labels = want["labels"] if want["labels"] is not None else user_labels(labels_of(current))
    new_content = want["hash"] is not None and (
        current is None
        or labels_of(current).get(LABEL_HASH) != want["hash"]
        or LABEL_NAME not in labels_of(current)
        or templating_of(current) != want["templating"]
    )
    using = users(kind, services, series.ids())
    actions, repoint, warnings = [], [], []
    new = None
    if new_content:
        if current is not None and not params["rotate"] and using:
            raise Refused(
                "Refusing to change the content of %s '%s': rotate is false and services use it (%s). Set rotate: true to "
                "create %s and repoint them, or remove it from those services first."
                % (kind, logical, _in_use_text(kind, using, series), version_name(logical, series.next_version()))
            )
        version = series.next_version()
        new = dict(
            Name=version_name(logical, version),
            Labels=dict(labels, **{LABEL_NAME: logical, LABEL_VERSION: str(version), LABEL_HASH: want["hash"]}),
        )
        if want["templating"]:
            new["Templating"] = {"Name": want["templating"]}
        if len(new["Name"]) > NAME_MAX:
            raise InvalidInput("name: the next version, '%s', would be longer than the engine's %d characters; use a shorter name."
                               % (new["Name"], NAME_MAX))
        actions.append("create %s" % new["Name"])
        repoint = using if params["rotate"] else []
        actions.extend("repoint service %s" % service_name(s) for s in repoint)
    elif labels != user_labels(labels_of(current)):
        actions.append("update labels of %s" % name_of(current))
    # The references once the repointed services name the new version.
    in_use = in_use_ids(kind, [s for s in services if s not in repoint])
    prune = plan_prune(series, params["keep"], in_use, created=new is not None, replace=new is not None and not params["rotate"])
    actions.extend("prune %s" % name_of(o) for o in prune)

    before = user_view(kind, current)
    if new is not None:
        after = dict(version=version_of({"Spec": new}), labels=labels)
        if kind == "config":
            after["templating"] = want["templating"]
    else:
        after = dict(before, labels=labels)
    pruned = set(o["ID"] for o in prune)
    if current is not None:
        before["versions"] = [version_of(o) for o in series.members]
    after["versions"] = [version_of(o) for o in series.members if o["ID"] not in pruned] + ([version_of({"Spec": new})] if new else [])
    result = dict(changed=bool(actions), actions=actions, warnings=warnings, diff=dict(before=before, after=after))
    if not actions:
        result[kind] = object_view(kind, current, series.members, services)
        return result
    if check_mode:
        result[kind] = _predicted_view(kind, series, current, new, labels, prune, repoint, services)
        return result

    new_id = None
    if new is not None:
        body = dict(new, Data=base64.b64encode(want["data"]).decode("ascii"))
        created = _api.create_object(engine, kind, body)
        new_id = created["ID"]
        done = ["create %s" % new["Name"]]
        updated = []
        for svc in repoint:
            updated.append((svc, _update_service(engine, kind, svc, lambda spec: repointed_spec(kind, spec, series.ids(), new_id, new["Name"]))))
            done.append("repoint service %s" % service_name(svc))
        if params["wait"]:
            _wait(engine, updated, params["wait_timeout"], done)
    else:
        _update_labels(engine, kind, current, labels)
    # Prune what no service refers to now (the services were read again after they converged).
    series = Series(kind, params["name"], list_objects(engine, kind))
    services = _list_services(engine)
    prune = plan_prune(series, params["keep"], in_use_ids(kind, services), created=False,
                       replace=new is not None and not params["rotate"])
    for obj in prune:
        _api.remove_object(engine, kind, obj)
    actions[:] = [a for a in actions if not a.startswith("prune ")] + ["prune %s" % name_of(o) for o in prune]
    if prune:
        series = Series(kind, params["name"], list_objects(engine, kind))
    after["versions"] = [version_of(o) for o in series.members]
    result[kind] = object_view(kind, series.current, series.members, services)
    return result


def _predicted_view(kind, series, current, new, labels, prune, repoint, services):
    pruned = set(o["ID"] for o in prune)
    members = [o for o in series.members if o["ID"] not in pruned]
    if new is None:
        obj = copy.deepcopy(current)
        obj["Spec"]["Labels"] = dict(labels, **dict((k, v) for k, v in labels_of(current).items() if k.startswith(OWN_PREFIX)))
        members = [obj if o["ID"] == current["ID"] else o for o in members]
        return object_view(kind, obj, members, services)
    obj = {"ID": None, "Spec": new, "CreatedAt": None, "UpdatedAt": None}
    # The repointed services name the new object; the IDs they named are replaced by None (its ID to be).
    old_ids = series.ids()
    predicted = [dict(s, Spec=repointed_spec(kind, s.get("Spec") or {}, old_ids, None, new["Name"])) if s in repoint else s for s in services]
    return object_view(kind, obj, members + [obj], predicted)


def _update_service(engine, kind, svc, change):
    """Update the service with ``change(spec)`` (read, mutate, write with its version): the watch for its wait."""
    before, _answer = _api.update_service(engine, svc["ID"], change)
    path = ("TaskTemplate", "ContainerSpec", REFS[kind][0])
    return ServiceWatch(svc["ID"], name=service_name(svc), since=before.get("UpdateStatus"),
                        rollout=rollout_expected(before["Spec"], before["Spec"], [path]))


def _wait(engine, updated, timeout, done):
    """Wait for every repointed or detached service at once; on failure say what was done so far."""
    try:
        wait_services(engine, [watch for _svc, watch in updated], timeout)
    except (ConvergenceTimeout, EngineError) as exc:
        raise type(exc)("%s Done so far: %s; old versions were not pruned." % (exc.msg, ", ".join(done)), actions=done,
                        **exc.details) from exc


def _update_labels(engine, kind, obj, labels):
    def change(spec):
        spec["Labels"] = dict(labels, **dict((k, v) for k, v in (spec.get("Labels") or {}).items() if k.startswith(OWN_PREFIX)))

    _api.update_object_labels(engine, kind, obj, change)


def _absent(kind, engine, params, check_mode, series, services):
    members = series.members
    if not members:
        return dict(changed=False, actions=[], diff=dict(before={}, after={}))
    using = users(kind, services, series.ids())
    if using and not params["force"]:
        raise Refused(
            "Refusing to remove %s '%s': services use it (%s). Remove it from those services first, or set force: true "
            "to detach it from them." % (kind, params["name"], _in_use_text(kind, using, series))
        )
    before = user_view(kind, series.current)
    before["versions"] = [version_of(o) for o in members]
    actions = ["detach service %s" % service_name(s) for s in using] + ["remove %s" % name_of(o) for o in members]
    result = dict(changed=True, actions=actions, diff=dict(before=before, after={}))
    if check_mode:
        return result
    ids = series.ids()
    updated = [(svc, _update_service(engine, kind, svc, lambda spec: detached_spec(kind, spec, ids))) for svc in using]
    if params["wait"]:
        _wait(engine, updated, params["wait_timeout"], actions[:len(updated)])
    for obj in members:
        _api.remove_object(engine, kind, obj)
    return result
