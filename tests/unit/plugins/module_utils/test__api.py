# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _api: no name reaches another object, and the one read-mutate-write path.

The engine here records requests and answers with scripted errors: what is tested is the path each
name becomes and the retry's judgement, not the engine's behaviour (the lab tests run the same calls).
"""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._client import Engine
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import EngineError, InvalidInput

BAD_NAMES = ["web?x=1", "nosuch/../web", "web#frag", "../nodes/n1", "{web}", "web}", "{", "..", ".", "", "web x", "web%2F..",
             "web\n", "-web", None, 5, ["web"]]
GOOD_NAMES = ["web", "shop_web", "a.b-c_d", "yffmj3mn8pgh0q2l5rdtkhz3d", "4f1b" * 16]


class Recorder:
    """Records each request; answers GETs with a versioned object and POSTs with scripted errors."""

    def __init__(self, errors=()):
        self.calls, self.errors = [], list(errors)

    def _answer(self, method, path):
        self.calls.append((method, path))
        if self.errors and method == "POST":
            raise self.errors.pop(0)
        if method == "GET":
            return {"ID": "x", "Id": "x", "Version": {"Index": len(self.calls)}, "Spec": {"Name": "web", "Labels": {}}}
        return {}

    def get(self, path, what, params=None, headers=None):
        return self._answer("GET", path)

    def post(self, path, what, body=None, params=None, timeout=None, headers=None):
        self.calls.append(("BODY", body, params))
        return self._answer("POST", path)

    def delete(self, path, what, params=None):
        return self._answer("DELETE", path)

    filters = staticmethod(Engine.filters)


ENDPOINTS = {
    "inspect service": _api.inspect_service,
    "find service": _api.find_service,
    "update service": lambda e, ref: _api.update_service(e, ref, lambda spec: None),
    "remove service": _api.remove_service,
    "inspect node": _api.inspect_node,
    "update node": lambda e, ref: _api.update_node(e, ref, lambda spec: None),
    "remove node": lambda e, ref: _api.remove_node(e, ref, "n1", False),
    "inspect network": _api.inspect_network,
    "find network": _api.find_network,
    "remove network": lambda e, ref: _api.remove_network(e, {"Id": ref, "Name": "net"}),
    "connect container": lambda e, ref: _api.connect_container(e, {"Id": ref, "Name": "net"}, "c1", "c", {}),
    "disconnect container": lambda e, ref: _api.disconnect_container(e, {"Id": ref, "Name": "net"}, "c1", "c"),
    "inspect container": lambda e, ref: _api.inspect_container(e, ref, "c"),
    "remove secret": lambda e, ref: _api.remove_object(e, "secret", {"ID": ref, "Spec": {"Name": "s"}}),
    "update config labels": lambda e, ref: _api.update_object_labels(e, "config", {"ID": ref, "Spec": {"Name": "c"}}, lambda s: None),
}


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_no_bad_name_reaches_the_engine(endpoint, name):
    engine = Recorder()
    with pytest.raises(InvalidInput) as exc:
        ENDPOINTS[endpoint](engine, name)
    assert engine.calls == [], "nothing was sent for %r" % (name,)
    assert "is not a valid" in exc.value.msg


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("name", GOOD_NAMES)
def test_a_valid_name_is_one_segment_of_its_own_endpoint(endpoint, name):
    engine = Recorder()
    ENDPOINTS[endpoint](engine, name)
    paths = [call[1] for call in engine.calls if call[0] != "BODY"]
    assert paths and all(("/%s" % name) in path or path.endswith("/x/update") for path in paths)
    assert all(path.count("/") <= 3 for path in paths)


def test_the_field_is_named_in_the_message():
    with pytest.raises(InvalidInput) as exc:
        _api.inspect_network(Recorder(), "a/b", "networks[2].name")
    assert exc.value.msg == ("networks[2].name: 'a/b' is not a valid network name or ID; use letters, digits, '_', '.' and '-', "
                             "starting with a letter or digit.")


def test_an_image_keeps_its_registry_tag_and_digest_in_the_distribution_path():
    engine = Recorder()
    _api.inspect_distribution(engine, "registry.example.com:5000/team/app:1.2")
    assert engine.calls == [("GET", "/distribution/registry.example.com:5000/team/app:1.2/json")]
    for bad in ("app?x=1", "../../containers/json", "app#x"):
        with pytest.raises(InvalidInput):
            _api.inspect_distribution(Recorder(), bad)


def out_of_sequence():
    return EngineError("Failed to update service 'web': rpc error: code = Unknown desc = update out of sequence")


def test_an_update_reads_again_and_retries_on_a_version_race():
    engine = Recorder(errors=[out_of_sequence(), out_of_sequence()])
    seen = []
    before, _answer = _api.update_service(engine, "web", lambda spec: seen.append(dict(spec)))
    gets = [c for c in engine.calls if c[0] == "GET"]
    posts = [c for c in engine.calls if c[0] == "BODY"]
    assert len(gets) == 3 and len(seen) == 3, "every attempt starts from a fresh read"
    assert [p[2]["version"] for p in posts] == ["1", "4", "7"], "each write carries the version its read saw"
    assert before["Version"]["Index"] == 7


def test_a_rollback_retries_too_and_asks_for_the_previous_spec():
    engine = Recorder(errors=[out_of_sequence()])
    _api.update_service(engine, "web", lambda spec: None, rollback=True)
    posts = [c for c in engine.calls if c[0] == "BODY"]
    assert len(posts) == 2 and all(p[2]["rollback"] == "previous" for p in posts)


def test_the_retry_is_bounded_and_other_errors_are_not_retried():
    engine = Recorder(errors=[out_of_sequence()] * _api.UPDATE_ATTEMPTS)
    with pytest.raises(EngineError):
        _api.update_node(engine, "n1", lambda spec: None)
    assert len([c for c in engine.calls if c[0] == "BODY"]) == _api.UPDATE_ATTEMPTS
    engine = Recorder(errors=[EngineError("Failed to update node 'n1': node not found")])
    with pytest.raises(EngineError):
        _api.update_node(engine, "n1", lambda spec: None)
    assert len([c for c in engine.calls if c[0] == "BODY"]) == 1


def test_a_swarm_update_sends_the_rotation_flags_with_the_version():
    engine = Recorder()
    _api.update_swarm(engine, lambda spec: None, rotate=("rotateWorkerToken",))
    body = [c for c in engine.calls if c[0] == "BODY"][0]
    assert body[2] == {"version": "1", "rotateWorkerToken": "true"}
