# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _compose_schema: version selection like docker/cli 27+, validation by the vendored schemas with either
library (or none), and messages that name the path and the fix."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils import _compose_schema as schema


@pytest.mark.parametrize("versions,result", [
    ([("a", None)], None), ([("a", None), ("b", None)], None),
    ([("a", "3")], "3.13"), ([("a", "3.8"), ("b", "3.8")], "3.8"), ([("a", None), ("b", "3.13")], "3.13"), ([("a", "3.1")], "3.1"),
])
def test_version_selection(versions, result):
    assert schema.project_version(versions) == result


@pytest.mark.parametrize("versions,message", [
    ([("a", "3.8"), ("b", "3.9")], "b: version mismatched between two composefiles : 3.8 and 3.9"),
    ([("a", "3.8"), ("b", None)], "b: version mismatched between two composefiles : 3.8 and 3.13"),
    ([("a", "2.4")], "a: unsupported Compose file version: 2.4"), ([("a", "3.14")], "a: unsupported Compose file version: 3.14"),
])
def test_version_errors(versions, message):
    with pytest.raises(InvalidInput) as exc:
        schema.project_version(versions)
    assert exc.value.msg.startswith(message)


def test_file_version_is_go_stringified():
    assert schema.file_version({"version": 3.10}) == "3.1" and schema.file_version({}) is None


def test_every_vendored_schema_is_there_with_its_notice():
    names = sorted(os.listdir(schema.SCHEMA_DIR))
    assert names == sorted(["NOTICE", "compose-spec.json"] + ["config_schema_v3.%d.json" % n for n in range(14)])
    for name in names:
        if name.endswith(".json"):
            with open(os.path.join(schema.SCHEMA_DIR, name), encoding="utf-8") as handle:
                assert json.load(handle)["type"] == "object"


WEB = {"image": "x"}

ERRORS = [
    ({"deploy": {"replicas": "a"}}, "3.13", "services.web.deploy.replicas must be an integer, not a string; write the number without quotes"),
    ({"imagee": "x"}, "3.13", "services.web: Additional property imagee is not allowed; did you mean image?"),
    ({"profiles": ["a"]}, "3.13", "services.web: Additional property profiles is not allowed; profiles is a Compose Specification key"),
    ({"deploy": {"x-deploy-ext": 1}}, "3.13", "services.web.deploy: Additional property x-deploy-ext is not allowed; allowed here: endpoint_mode"),
    ({"depends_on": {"db": {"condition": "service_started"}}}, "3.13", "services.web.depends_on must be a list of strings, not a mapping"),
    ({"environment": 5}, "3.13", "services.web.environment must be a mapping or a list of strings, not an integer"),
    ({"ports": ["abc"]}, "3.13", "services.web.ports[0]: 'abc' is not a port; write [ip:][published:]target[/protocol]"),
    ({"ports": [{"target": 80, "publishd": 1}]}, "3.13", "services.web.ports[0]: Additional property publishd is not allowed; did you mean published?"),
    ({"secrets": [{"source": "s", "mode": "0400"}]}, "3.13", "services.web.secrets[0].mode must be a number, not a string"),
    ({"environment": {"YES": True}}, "3.8", "services.web.environment.YES must be a string, number or null, not a boolean; quote it"),
    ({"healthcheck": {"interval": "10"}}, "3.13", "services.web.healthcheck.interval: '10' is not a duration; write a Go duration"),
    ({"ulimits": {"nofile": {"soft": 1}}}, "3.13", "services.web.ulimits.nofile needs hard; add hard: ..."),
    ({"dns": ["a", "a"]}, "3.13", "services.web.dns has the same item twice"),
    ({"image": 5}, "3.13", 'services.web.image must be a string, not an integer; quote it, e.g. image: "5"'),
    ({"deploy": {"replicas": "a"}}, None, None),  # the Compose Specification takes strings for replicas
    ({"oom_score_adj": 1}, "3.12", "services.web: Additional property oom_score_adj is not allowed"),  # 3.13 only
]


@pytest.mark.parametrize("library", ["fastjsonschema", "jsonschema", "fastjsonschema alone"])
@pytest.mark.parametrize("service,version,message", ERRORS)
def test_errors_name_the_path_and_the_fix(monkeypatch, library, service, version, message):
    if library == "jsonschema":
        monkeypatch.setitem(sys.modules, "fastjsonschema", None)
    if library == "fastjsonschema alone":
        monkeypatch.setitem(sys.modules, "jsonschema", None)
    data = {"services": {"web": dict(WEB, **service)}}
    if version:
        data["version"] = version
    if message is None:
        assert schema.validate(data, version, "f.yml") == []
        return
    with pytest.raises(InvalidInput) as exc:
        schema.validate(data, version, "f.yml")
    if library == "fastjsonschema alone" and "Additional" not in message and "same item" not in message and "needs" not in message:
        assert exc.value.msg.startswith("f.yml: services.web")
    else:
        assert exc.value.msg.startswith("f.yml: " + message)


@pytest.mark.parametrize("data", [
    {"version": "3.8", "services": {"web": {"image": "x", "deploy": {"replicas": 1e3}}}},  # an integral float is an integer, as in Go
    {"services": {"web": {"image": "x", "ports": [80, "22:22", "127.0.0.1:80:80/udp", "8000-8001:80-81"], "x-a": 1}}, "x-top": {}},
    {"services": {"web": {"image": "x", "healthcheck": {"interval": "1m30s", "timeout": "0"}}}},
])
def test_valid_files(data):
    assert schema.validate(data, data.get("version", "3.13"), "f.yml") == []


def test_a_version_as_a_number_is_a_schema_error():
    with pytest.raises(InvalidInput, match='f.yml: version must be a string, not a number; quote it, e.g. version: "3.8"'):
        schema.validate({"version": 3.8, "services": {}}, "3.8", "f.yml")


def test_no_library_means_a_warning(monkeypatch):
    monkeypatch.setitem(sys.modules, "fastjsonschema", None)
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    assert schema.validate({"services": {"web": {"imagee": 1}}}, "3.13", "f.yml") == [schema.SKIPPED]


def test_validator_code_is_cached_and_a_bad_cache_is_only_slower(tmp_path, monkeypatch):
    """Each ansible-playbook run is a new process: the generated validator is kept in the user's cache directory, and a
    cache file that is truncated or not ours is ignored (the validator is generated again and the file replaced)."""
    pytest.importorskip("fastjsonschema")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    bad = {"version": "3.8", "services": {"web": {"image": "nginx", "deploy": {"replicas": "two"}}}}
    schema._fast.cache_clear()
    assert schema.validate({"version": "3.8", "services": {"web": {"image": "nginx"}}}, "3.8", "a.yml") == []
    (cached,) = (tmp_path / "beekeeper.swarm").iterdir()
    assert (tmp_path / "beekeeper.swarm").stat().st_mode & 0o777 == 0o700
    for content in (cached.read_bytes()[:100], b""):
        cached.write_bytes(content)
        schema._fast.cache_clear()
        with pytest.raises(InvalidInput) as exc:
            schema.validate(bad, "3.8", "a.yml")
        assert "services.web.deploy.replicas" in exc.value.msg
        assert cached.stat().st_size > 100000
    schema._fast.cache_clear()
