# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _objects: names, content checks, the series of versions, repointing and pruning."""

from __future__ import annotations

import base64
import copy
import hashlib

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _versioned as _objects
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput, NotFound
from ansible_collections.beekeeper.swarm.plugins.module_utils._versioned import LABEL_HASH, LABEL_NAME, LABEL_VERSION, Series


def obj(oid, name, logical=None, version=None, labels=None, templating=None):
    spec_labels = dict(labels or {})
    if logical:
        spec_labels.update({LABEL_NAME: logical, LABEL_VERSION: str(version), LABEL_HASH: "h%s" % version})
    spec = {"Name": name, "Labels": spec_labels}
    if templating:
        spec["Templating"] = {"Name": templating}
    return {"ID": oid, "Spec": spec, "CreatedAt": "c-" + oid, "UpdatedAt": "u-" + oid}


def service(sid, name, secrets=(), configs=()):
    container = {"Image": "busybox"}
    if secrets:
        container["Secrets"] = [dict(r) for r in secrets]
    if configs:
        container["Configs"] = [dict(r) for r in configs]
    return {"ID": sid, "Spec": {"Name": name, "TaskTemplate": {"ContainerSpec": container}}}


def sref(oid, name, target="db_password", uid="0", gid="0", mode=0o444):
    return {"File": {"Name": target, "UID": uid, "GID": gid, "Mode": mode}, "SecretID": oid, "SecretName": name}


V1 = obj("id1", "db_password.v1", "db_password", 1)
V2 = obj("id2", "db_password.v2", "db_password", 2)
V3 = obj("id3", "db_password.v3", "db_password", 3)
V10 = obj("id10", "db_password.v10", "db_password", 10)
PLAIN = obj("idp", "db_password")
OTHER = obj("ido", "api_key.v1", "api_key", 1)

# -- names ----------------------------------------------------------------------------------------

GOOD_NAMES = ["db_password", "a", "A1", "my-app.conf", "x" * 58, "a_b-c.d"]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_validate_name_good(name):
    _objects.validate_name("secret", name)


BAD_NAMES = [
    ("db password", "name: 'db password' is not a valid secret name; use letters, digits, '.', '-' and '_', starting and "
                    "ending with a letter or digit."),
    ("-x", "name: '-x' is not a valid secret name; use letters, digits, '.', '-' and '_', starting and ending with a letter or digit."),
    ("x.", "name: 'x.' is not a valid secret name; use letters, digits, '.', '-' and '_', starting and ending with a letter or digit."),
    ("", "name: '' is not a valid secret name; use letters, digits, '.', '-' and '_', starting and ending with a letter or digit."),
    ("db_password\n", "name: 'db_password\\n' is not a valid secret name; use letters, digits, '.', '-' and '_', starting and ending "
                      "with a letter or digit."),
    ("x" * 59, "name: '%s' is 59 characters; a logical name has at most 58, so that its versions (NAME.v1 ... NAME.v9999) fit "
               "the engine's 64-character limit. Use a shorter name." % ("x" * 59)),
]


@pytest.mark.parametrize("name, msg", BAD_NAMES, ids=[n[:10] or "empty" for n, _m in BAD_NAMES])
def test_validate_name_bad(name, msg):
    with pytest.raises(InvalidInput) as exc:
        _objects.validate_name("secret", name)
    assert exc.value.msg == msg


def test_version_name_fits_the_engine():
    assert len(_objects.version_name("x" * _objects.LOGICAL_MAX, 9999)) == _objects.NAME_MAX


# -- labels ---------------------------------------------------------------------------------------

LABEL_CASES = [
    (None, None, None),
    ({}, {}, None),
    ({"app": "shop", "com.example.team": "a"}, {"app": "shop", "com.example.team": "a"}, None),
    ({"-app": "x"}, None, "labels: '-app' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending "
                          "with a letter or digit (for example com.example.zone)."),
    ({"com.beekeeper.swarm.hash": "x"}, None, "labels: 'com.beekeeper.swarm.hash' is in com.beekeeper.swarm.*, which this "
                                              "collection keeps for its versioning; use another key."),
    ({"replicas": 3}, None, "labels.replicas: 3 is not a string (int); quote it in YAML (for example '3')."),
    ({"on": True}, None, "labels.on: True is not a string (bool); quote it in YAML (for example 'true')."),
    ({"app": {"x": 1}}, None, "labels.app: a mapping is not a label value; label values are strings, e.g. labels: {app: 'eu-1'}."),
    ({"app\n": "x"}, None, "labels: 'app\\n' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending "
                           "with a letter or digit (for example com.example.zone)."),
]


@pytest.mark.parametrize("labels, expected, msg", LABEL_CASES)
def test_validate_labels(labels, expected, msg):
    if msg:
        with pytest.raises(InvalidInput) as exc:
            _objects.validate_labels(labels)
        assert exc.value.msg == msg
    else:
        assert _objects.validate_labels(labels) == expected


def test_user_labels_drop_the_collections_own():
    assert _objects.user_labels(V1["Spec"]["Labels"]) == {}
    assert _objects.user_labels({"app": "a", LABEL_NAME: "x"}) == {"app": "a"}


# -- content --------------------------------------------------------------------------------------

NOT_B64 = ("data: not valid base64 (data_is_b64 is true): use only A-Z, a-z, 0-9, '+' and '/', padded with '=' to a multiple "
           "of 4 characters; or set data_is_b64: false for plain text.")

B64_CASES = [
    ("aGVsbG8=", b"hello", None),
    ("aGVs\nbG8=\n", b"hello", None),
    ("", b"", None),
    ("aGVsbG8", None, NOT_B64),
    ("not base64!", None, NOT_B64),
    ("aGVsbG8===", None, NOT_B64),
]


@pytest.mark.parametrize("text, expected, msg", B64_CASES)
def test_decode_b64(text, expected, msg):
    if msg:
        with pytest.raises(InvalidInput) as exc:
            _objects.decode_b64(text)
        assert exc.value.msg == msg
    else:
        assert _objects.decode_b64(text) == expected


def params(**kw):
    base = dict(name="db_password", state="present", data=None, data_is_b64=False, src=None, remote_src=False, labels=None,
                rotate=True, keep=1, wait=True, wait_timeout=300, force=False)
    base.update(kw)
    return base


def test_read_content_sources(tmp_path):
    node_file = tmp_path / "value"
    node_file.write_bytes(b"from-file\x00")
    assert _objects.read_content("secret", params(data="héllo")) == "héllo".encode()
    assert _objects.read_content("secret", params(data=base64.b64encode(b"\x01\x02").decode(), data_is_b64=True)) == b"\x01\x02"
    assert _objects.read_content("secret", params(src=str(node_file), remote_src=True)) == b"from-file\x00"
    assert _objects.read_content("secret", params()) is None


SIZE_CASES = [
    ("secret", 500 * 1024, None),
    ("secret", 500 * 1024 + 1, "data: the content is 512001 bytes; the engine takes at most 512000 bytes (500 KB) for a secret. "
                               "Keep it smaller, or ship large files another way (a volume, or the image)."),
    ("config", 1000 * 1024, None),
    ("config", 1000 * 1024 + 1, "data: the content is 1024001 bytes; the engine takes at most 1024000 bytes (1000 KB) for a "
                                "config. Keep it smaller, or ship large files another way (a volume, or the image)."),
]


@pytest.mark.parametrize("kind, size, msg", SIZE_CASES)
def test_read_content_size(kind, size, msg):
    if msg:
        with pytest.raises(InvalidInput) as exc:
            _objects.read_content(kind, params(data="x" * size))
        assert exc.value.msg == msg
    else:
        assert len(_objects.read_content(kind, params(data="x" * size))) == size


def test_read_content_errors(tmp_path):
    with pytest.raises(InvalidInput) as exc:
        _objects.read_content("secret", params(data="a", src="/etc/hostname"))
    assert exc.value.msg == "data and src are mutually exclusive: set one of them (data for inline content, src for a file)."
    with pytest.raises(InvalidInput) as exc:
        _objects.read_content("secret", params(src=str(tmp_path / "missing"), remote_src=True))
    assert exc.value.msg == (
        "src: cannot read '%s' on the node the module runs on (No such file or directory); give a readable file there, or set "
        "remote_src: false for a file on the controller." % (tmp_path / "missing"))


NOT_CONTENT = ("data: %s is not content; give the content as a string (quote it in YAML, or use | string), or base64 text with "
               "data_is_b64: true.")


# The issue: data: ["x"] was stored as the text "['x']". The message shows the type, never the data.
@pytest.mark.parametrize("data, what", [(["s3cret"], "a list"), ({"s3cret": 1}, "a mapping"), (12345, "a number"), (1.5, "a number"),
                                        (True, "a boolean")], ids=["list", "mapping", "int", "float", "bool"])
def test_data_must_be_text(data, what):
    with pytest.raises(InvalidInput) as exc:
        _objects.read_content("secret", params(data=data))
    assert exc.value.msg == NOT_CONTENT % what
    assert "s3cret" not in exc.value.msg and "12345" not in exc.value.msg


def test_a_nul_byte_in_a_node_src_is_named(tmp_path):
    """The issue: 'ValueError: embedded null byte' with remote_src: true."""
    with pytest.raises(InvalidInput) as exc:
        _objects.validate("secret", params(src=str(tmp_path) + "/a\x00b", remote_src=True))
    assert exc.value.msg == "src: the path has a NUL byte (\\x00), which no file name has; give the file's path, e.g. src: /etc/app/db_password."


VALIDATE_CASES = [
    (dict(keep=-1), "keep: -1 is negative; keep 0 or more old versions (default 1)."),
    (dict(wait_timeout=0), "wait_timeout: 0 is not a positive number of seconds; use e.g. 300."),
]


@pytest.mark.parametrize("extra, msg", VALIDATE_CASES)
def test_validate_errors(extra, msg):
    with pytest.raises(InvalidInput) as exc:
        _objects.validate("secret", params(data="x", **extra))
    assert exc.value.msg == msg


def test_validate_hashes_the_content_and_never_reads_it_for_absent():
    want = _objects.validate("secret", params(data="s3cret"))
    assert want["hash"] == hashlib.sha256(b"s3cret").hexdigest()
    assert want["templating"] is None
    assert _objects.validate("config", params(data="x", templating="golang"))["templating"] == "golang"
    assert _objects.validate("secret", params(state="absent", data="a", src="/x"))["hash"] is None


# -- the series -----------------------------------------------------------------------------------

SERIES_CASES = [
    ([], [], None, None, 1),
    ([V2, OTHER, V1], ["id1", "id2"], None, "id2", 3),
    ([V10, V2, V1], ["id1", "id2", "id10"], None, "id10", 11),
    ([PLAIN], [], "idp", "idp", 1),
    ([V1, PLAIN, OTHER], ["id1"], "idp", "id1", 2),
]


@pytest.mark.parametrize("objects, versions, plain, current, next_version", SERIES_CASES)
def test_series(objects, versions, plain, current, next_version):
    series = Series("secret", "db_password", objects)
    assert [o["ID"] for o in series.versions] == versions
    assert (series.plain or {}).get("ID") == plain
    assert (series.current or {}).get("ID") == current
    assert series.next_version() == next_version


def test_resolve_object_exact_name_then_newest_version():
    assert _objects.resolve_object(None, "secret", "db_password", existing=[V1, V2])["ID"] == "id2"
    assert _objects.resolve_object(None, "secret", "db_password.v1", existing=[V1, V2])["ID"] == "id1"
    assert _objects.resolve_object(None, "secret", "db_password", existing=[V1, PLAIN])["ID"] == "idp"
    with pytest.raises(NotFound):
        _objects.resolve_object(None, "secret", "nope", existing=[V1])


# -- repointing -----------------------------------------------------------------------------------


def test_repointed_spec_keeps_the_target():
    svc = service("s1", "web", secrets=[sref("id1", "db_password.v1", uid="1000", gid="1000", mode=0o400), sref("ido", "api_key.v1", "api")])
    before = copy.deepcopy(svc)
    spec = _objects.repointed_spec("secret", svc["Spec"], {"id1", "id2"}, "id3", "db_password.v3")
    assert spec["TaskTemplate"]["ContainerSpec"]["Secrets"] == [
        sref("id3", "db_password.v3", uid="1000", gid="1000", mode=0o400),
        sref("ido", "api_key.v1", "api"),
    ]
    assert svc == before, "the service read is left as it was"


def test_repointed_spec_merges_duplicates_and_handles_configs():
    svc = service("s1", "web", secrets=[sref("id1", "db_password.v1"), sref("id2", "db_password.v2")])
    assert _objects.repointed_spec("secret", svc["Spec"], {"id1", "id2"}, "id3", "db_password.v3")["TaskTemplate"]["ContainerSpec"]["Secrets"] == [
        sref("id3", "db_password.v3")]
    cref = {"File": {"Name": "/etc/app.conf", "UID": "0", "GID": "0", "Mode": 0o444}, "ConfigID": "c1", "ConfigName": "app.v1"}
    runtime = {"Runtime": {}, "ConfigID": "c1", "ConfigName": "app.v1"}
    svc = service("s2", "api", configs=[cref, runtime])
    configs = _objects.repointed_spec("config", svc["Spec"], {"c1"}, "c2", "app.v2")["TaskTemplate"]["ContainerSpec"]["Configs"]
    assert configs == [dict(cref, ConfigID="c2", ConfigName="app.v2"), dict(runtime, ConfigID="c2", ConfigName="app.v2")]


def test_detached_spec_and_users():
    web = service("s1", "web", secrets=[sref("id1", "db_password.v1"), sref("ido", "api_key.v1", "api")])
    api = service("s2", "api", secrets=[sref("ido", "api_key.v1", "api")])
    bare = service("s3", "bare")
    assert _objects.detached_spec("secret", web["Spec"], {"id1"})["TaskTemplate"]["ContainerSpec"]["Secrets"] == [sref("ido", "api_key.v1", "api")]
    assert [s["ID"] for s in _objects.users("secret", [api, web, bare], {"id1", "id2"})] == ["s1"]
    assert _objects.users("config", [api, web, bare], {"id1"}) == []
    assert _objects.in_use_ids("secret", [web, api, bare]) == {"id1", "ido"}


# -- pruning --------------------------------------------------------------------------------------

PRUNE_CASES = [
    # objects, keep, in use, a version is being created, replace -> pruned IDs
    ([V1, V2, V3], 1, set(), False, False, ["id1"]),
    ([V1, V2, V3], 1, set(), True, False, ["id1", "id2"]),
    ([V1, V2, V3], 0, set(), False, False, ["id1", "id2"]),
    ([V1, V2, V3], 5, set(), True, False, []),
    ([V1, V2, V3], 0, {"id1"}, False, False, ["id2"]),
    ([V1, V2, V3], 1, set(), True, True, ["id1", "id2", "id3"]),
    ([V3], 1, set(), False, False, []),
    ([], 1, set(), False, False, []),
    # a plain object is not kept by keep once a version exists (or is being made), unless in use
    ([PLAIN], 1, set(), True, False, ["idp"]),
    ([PLAIN], 1, set(), False, False, []),
    ([PLAIN, V1], 1, set(), False, False, ["idp"]),
    ([PLAIN, V1], 1, {"idp"}, False, False, []),
]


@pytest.mark.parametrize("objects, keep, in_use, created, replace, pruned", PRUNE_CASES)
def test_plan_prune(objects, keep, in_use, created, replace, pruned):
    series = Series("secret", "db_password", objects)
    assert [o["ID"] for o in _objects.plan_prune(series, keep, in_use, created, replace)] == pruned


# -- views ----------------------------------------------------------------------------------------


def test_views_never_carry_data_or_hash():
    v2 = obj("id2", "db_password.v2", "db_password", 2, labels={"app": "shop"})
    v2["Spec"]["Data"] = "c2VjcmV0"
    web = service("s1", "web", secrets=[sref("id2", "db_password.v2")])
    series = Series("secret", "db_password", [V1, v2])
    view = _objects.object_view("secret", v2, series.members, [web])
    assert view == dict(
        id="id2", name="db_password.v2", logical_name="db_password", version=2, labels={"app": "shop"},
        created_at="c-id2", updated_at="u-id2", services=["web"],
        versions=[dict(name="db_password.v1", version=1, id="id1", services=[]),
                  dict(name="db_password.v2", version=2, id="id2", services=["web"])],
    )
    assert _objects.user_view("secret", v2) == {"version": 2, "labels": {"app": "shop"}}
    assert _objects.user_view("config", obj("c", "x.v1", "x", 1, templating="golang")) == {"version": 1, "labels": {}, "templating": "golang"}
    assert _objects.user_view("secret", None) == {}
    assert "c2VjcmV0" not in repr(view) and "h2" not in repr(view)
