# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: secrets and configs as versioned objects (naming, content, plans; pure).

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
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, NotFound
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import shown
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import validate_labels as _validate_labels

LABEL_NAME = "com.beekeeper.swarm.name"


LABEL_VERSION = "com.beekeeper.swarm.version"


LABEL_HASH = "com.beekeeper.swarm.hash"


KINDS = ("secret", "config")


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


OWN_PREFIX = "com.beekeeper.swarm."


NAME_MAX = 64


# Room for ".v" and four digits, so every version of a logical name fits the engine's 64 characters.
LOGICAL_MAX = NAME_MAX - len(".v9999")


NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")


B64_RE = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


MAX_KB = {"secret": 500, "config": 1000}


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
            "name: %s is not a valid %s name; use letters, digits, '.', '-' and '_', starting and ending with a "
            "letter or digit." % (shown(name or ""), kind)
        )
    if len(name) > LOGICAL_MAX:
        raise InvalidInput(
            "name: '%s' is %d characters; a logical name has at most %d, so that its versions (NAME.v1 ... NAME.v9999) "
            "fit the engine's %d-character limit. Use a shorter name." % (name, len(name), LOGICAL_MAX, NAME_MAX)
        )


def validate_labels(labels):
    """User labels: a map of valid keys to strings, none in this collection's own namespace."""
    return _validate_labels(labels, strings=True, reserved=OWN_PREFIX)


def decode_b64(text, field="data"):
    """Base64 text (line breaks allowed, as `base64` writes it) -> bytes; InvalidInput naming ``field``."""
    compact = re.sub(r"\s+", "", text or "")
    if not B64_RE.match(compact) or len(compact) % 4:
        raise InvalidInput(
            "%s: not valid base64 (data_is_b64 is true): use only A-Z, a-z, 0-9, '+' and '/', padded with '=' to a "
            "multiple of 4 characters; or set data_is_b64: false for plain text." % field
        )
    return base64.b64decode(compact)


# What YAML makes of an unquoted value (subclasses too: ansible-core tags what it loads), in the order to test
# them (a bool is an int). None of them is text: a list would be stored as the text "['x']". A vaulted string is
# none of them, and passes.
NOT_TEXT = ((bool, "a boolean"), ((int, float), "a number"), (dict, "a mapping"), ((list, tuple, set), "a list"))


def not_text(value):
    """What a value that is not text is ('a list'), or None for text (and for a vaulted string)."""
    for types, what in NOT_TEXT:
        if isinstance(value, types):
            return what
    return None


def check_data(data, option="data"):
    """``data`` is text. The message names the type only: the value may be a secret."""
    what = not_text(data)
    if what:
        raise InvalidInput("%s: %s is not content; give the content as a string (quote it in YAML, or use | string), "
                           "or base64 text with data_is_b64: true." % (option, what))


def read_content(kind, params):
    """The content the task declares, as bytes, or None when it declares none (content not managed).

    ``src`` reaching a module names a file on the node the module runs on: the action plugin turns a
    controller file (remote_src: false) into base64 ``data`` before the module runs.
    """
    data, src = params.get("data"), params.get("src")
    if data is not None and src is not None:
        raise InvalidInput("data and src are mutually exclusive: set one of them (data for inline content, src for a file).")
    if src is not None:
        if "\x00" in src:
            raise InvalidInput("src: the path has a NUL byte (\\x00), which no file name has; give the file's path, "
                               "e.g. src: /etc/app/db_password.")
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
        check_data(data)
        content = decode_b64(data) if params.get("data_is_b64") else to_bytes(data, errors="surrogate_or_strict")
        field = "data"
    else:
        return None
    if len(content) > max_bytes(kind):
        raise InvalidInput(size_error(kind, field, len(content)))
    return content


# A bound on the old versions kept, far above any real series: the number has to fit the int64 the
# engine would ever count objects in.
MAX_KEEP = 2 ** 31 - 1


def validate(kind, params):
    """Every check on the task's options, before the engine is asked anything: the desired state."""
    validate_name(kind, params["name"])
    labels = validate_labels(params.get("labels"))
    if (params.get("keep") or 0) < 0:
        raise InvalidInput("keep: %d is negative; keep 0 or more old versions (default 1)." % params["keep"])
    if (params.get("keep") or 0) > MAX_KEEP:
        raise InvalidInput("keep: %s is more versions than the engine could hold; keep 0 to %d old versions (default 1)."
                           % (shown(params["keep"]), MAX_KEEP))
    if (params.get("wait_timeout") or 0) <= 0:
        raise InvalidInput("wait_timeout: %d is not a positive number of seconds; use e.g. 300." % (params.get("wait_timeout") or 0))
    content = read_content(kind, params) if params.get("state") != "absent" else None
    return dict(
        labels=labels,
        hash=content_hash(content) if content is not None else None,
        data=content,
        templating=params.get("templating") if kind == "config" else None,
    )


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


def _in_use_text(kind, using, series):
    by_id = dict((o["ID"], name_of(o)) for o in series.members)
    id_key = REFS[kind][1]
    parts = []
    for svc in using:
        names = sorted(set(by_id[r[id_key]] for r in refs(kind, svc) if r.get(id_key) in by_id))
        parts.append("%s uses %s" % (service_name(svc), ", ".join(names)))
    return "; ".join(parts)


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
