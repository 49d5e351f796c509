# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the plans of _reconcile's resources, over engine answers recorded on the lab.

tests/unit/fixtures/engine-20.10.24/ holds what a real Engine 20.10.24 swarm (two lab nodes) answered
after the collection's own modules made one network, secret, config and service, and the docker CLI one
more service. Plans are computed in check mode against those answers: this tests the judgement (what
would change, what is unchanged, what a reference resolves to), not the engine. A write would fail the
test: check mode must never call a mutating endpoint.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _reconcile
from ansible_collections.beekeeper.swarm.plugins.module_utils._client import Engine
from ansible_collections.beekeeper.swarm.plugins.module_utils._converge import ServiceWatch
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ConvergenceTimeout, EngineError, NotFound, Refused
from ansible_collections.beekeeper.swarm.plugins.module_utils._network import NETWORK
from ansible_collections.beekeeper.swarm.plugins.module_utils._rotation import CONFIG, SECRET
from ansible_collections.beekeeper.swarm.plugins.module_utils._service import SERVICE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "engine-20.10.24"
RESOURCES = {"network": NETWORK, "secret": SECRET, "config": CONFIG, "service": SERVICE}


def recorded(name):
    return json.loads((FIXTURES / name).read_text())


class Recorded(Engine):
    """Answers reads from the recorded lists; any write fails the test."""

    def __init__(self, overrides=None):
        self.api_version = recorded("version.json")["ApiVersion"]
        self.host = "recorded"
        self.lists = dict((kind, recorded(kind + ".json")) for kind in ("services", "tasks", "nodes", "networks", "secrets", "configs"))
        self.lists.update(overrides or {})
        self.reads = []

    def request(self, method, path, what, body=None, params=None, timeout=None, headers=None):
        if method != "GET":
            raise AssertionError("check mode called %s %s (%s)" % (method, path, what))
        self.reads.append(path)
        parts = [unquote(p) for p in path.strip("/").split("/")]
        kind = parts[0]
        if kind == "containers":
            return []
        items = self.lists[kind]
        if len(parts) == 1:
            wanted = json.loads((params or {}).get("filters") or "{}").get("name")
            return [i for i in items if not wanted or _name(i) in wanted]
        found = [i for i in items if parts[1] in (i.get("ID"), i.get("Id"), _name(i))]
        if not found:
            raise NotFound("Failed to %s: no such object" % what)
        return copy.deepcopy(found[0])


def _name(obj):
    return obj.get("Name") or (obj.get("Spec") or {}).get("Name")


def base(**kw):
    params = dict(state="present", wait=True, wait_timeout=300, force=False)
    params.update(kw)
    return params


WEB = dict(name="web", image="beekeeper-lab/busybox:latest", command=["sh", "-c", "trap 'exit 0' TERM; sleep 86400 & wait"],
           replicas=2, env={"VERSION": "v1"}, labels={"com.example.app": "shop"}, endpoint_mode="dnsrr", mode="replicated",
           ports=[{"target": 8080, "published": 18080, "mode": "host", "protocol": "tcp"}],
           networks=[{"name": "backend", "aliases": ["web-alias"]}],
           secrets=[{"source": "db_password", "target": "db", "uid": 1000, "gid": 1000, "mode": "0400"}],
           configs=[{"source": "app_conf", "target": "/etc/app.conf"}],
           update_config={"parallelism": 2, "delay": "5s", "order": "start-first"}, limits={"memory": "64M", "cpus": 0.5})


def service(**kw):
    params = base(**copy.deepcopy(WEB))
    params.update(kw)
    return params


def plan(resource, params, engine=None):
    engine = engine or Recorded()
    ctx = _reconcile.Context(engine, check_mode=True)
    return resource.plan(ctx, params, resource.describe(ctx, params)), ctx


# -- services --------------------------------------------------------------------------------------


def test_the_service_as_the_module_made_it_is_unchanged():
    result, ctx = plan(SERVICE, service())
    assert (result.action, result.changes.options(), ctx.warnings) == (None, [], [])


def test_a_service_the_cli_made_is_taken_over_without_a_change():
    params = base(name="cli", image="beekeeper-lab/busybox:latest", command=["sleep", "86400"], env={"A": "1"}, replicas=1,
                  placement={"constraints": ["node.role==worker"]}, mode="replicated", endpoint_mode="vip")
    assert plan(SERVICE, params)[0].action is None


@pytest.mark.parametrize("change, options, diff_before, diff_after", [
    (dict(env={"VERSION": "v2"}), ["env"], {"env": ["VERSION=v1"]}, {"env": ["VERSION=v2"]}),
    (dict(replicas=3), ["replicas"], {"replicas": 2}, {"replicas": 3}),
    (dict(ports=[{"target": 8080, "published": 18088, "mode": "host"}]), ["ports"],
     {"ports": [{"target": 8080, "published": 18080, "protocol": "tcp", "mode": "host"}]},
     {"ports": [{"target": 8080, "published": 18088, "protocol": "tcp", "mode": "host"}]}),
    (dict(update_config={"parallelism": 2, "delay": "10s", "order": "start-first"}), ["update_config.delay"], None, None),
    (dict(secrets=[{"source": "db_password", "target": "db", "uid": 1000, "gid": 1000, "mode": "0440"}]), ["secrets"],
     {"secrets": [{"source": "db_password", "version": 1, "target": "db", "uid": 1000, "gid": 1000, "mode": "0400"}]},
     {"secrets": [{"source": "db_password", "version": 1, "target": "db", "uid": 1000, "gid": 1000, "mode": "0440"}]}),
], ids=["env", "scale", "port", "update-config", "secret-mode"])
def test_a_change_plans_an_update_of_exactly_that(change, options, diff_before, diff_after):
    result, _ctx = plan(SERVICE, service(**change))
    assert result.action == "update"
    assert result.changes.options() == options
    if diff_before is not None:
        assert result.diff == {"before": diff_before, "after": diff_after}


def test_keep_replicas_leaves_the_count_to_day_two_scaling():
    assert plan(SERVICE, service(replicas=5, keep_replicas=True))[0].action is None


def test_a_new_service_resolves_names_to_the_recorded_objects():
    result, ctx = plan(SERVICE, service(name="api"))
    backend = next(n for n in recorded("networks.json") if n["Name"] == "backend")
    spec = result.data["spec"]
    assert result.action == "create" and ctx.warnings == []
    assert spec["TaskTemplate"]["Networks"] == [{"Target": backend["Id"], "Aliases": ["web-alias"]}]
    assert spec["TaskTemplate"]["ContainerSpec"]["Secrets"][0]["SecretName"] == "db_password.v1"


def test_a_rollback_plans_the_previous_spec():
    engine = Recorded(dict(services=[recorded("service-web-updated.json")]))
    result, _ctx = plan(SERVICE, base(name="web", rollback=True, mode="replicated", endpoint_mode="vip", force_update=False), engine)
    assert result.action == "rollback"
    assert result.diff == {"before": {"env": ["VERSION=v2"]}, "after": {"env": ["VERSION=v1"]}}


def test_removing_plans_the_whole_service_on_the_before_side():
    result, _ctx = plan(SERVICE, base(name="web", state="absent"))
    assert result.action == "remove" and result.diff["after"] == {} and result.diff["before"]["replicas"] == 2


# -- networks, secrets, configs -------------------------------------------------------------------------

BACKEND = dict(name="backend", driver="overlay", scope="swarm", attachable=True, internal=False, ingress=False, ipv6=False,
               encrypted=True, labels={"com.example.team": "payments"}, driver_options=None,
               ipam={"driver": None, "config": [{"subnet": "10.77.1.0/24", "gateway": "10.77.1.1"}]})


def network(**kw):
    params = dict(BACKEND)
    params.update(kw)
    return params


def test_the_network_as_made_is_unchanged_and_names_its_users():
    result, _ctx = plan(NETWORK, base(**BACKEND))
    assert result.action is None and result.data["services"] == ["web"]


def test_a_network_change_under_a_service_is_refused_without_force_and_planned_with_it():
    with pytest.raises(Refused) as exc:
        plan(NETWORK, base(**network(labels={"com.example.team": "billing"})))
    assert exc.value.msg.startswith("Refusing to recreate network 'backend' to change labels: service web uses it")
    result, _ctx = plan(NETWORK, base(**network(labels={"com.example.team": "billing"}), force=True))
    assert result.action == "recreate"
    assert result.data["actions"] == ["detach service web", "recreate network", "reattach service web"]


def secret(**kw):
    params = base(name="db_password", data="s3cret-for-a-fixture", data_is_b64=False, src=None, remote_src=False, labels=None,
                  rotate=True, keep=1)
    params.update(kw)
    return params


def test_the_same_secret_content_is_unchanged():
    assert plan(SECRET, secret())[0].action is None


def test_new_content_plans_the_next_version_and_repoints_its_service():
    result, _ctx = plan(SECRET, secret(data="rotated"))
    assert result.data["actions"] == ["create db_password.v2", "repoint service web"]
    assert result.diff["after"]["versions"] == [1, 2]


def test_a_config_label_change_is_an_update_of_the_labels_only():
    params = dict(secret(name="app_conf", data="listen 80", labels={"tier": "web"}), templating=None)
    result, _ctx = plan(CONFIG, params)
    assert result.data["actions"] == ["update labels of app_conf.v1"]


# -- many objects in one run -----------------------------------------------------------------------------


def test_run_many_plans_in_dependency_order_and_resolves_what_the_run_creates():
    engine = Recorded()
    items = [
        ("service", service(name="api", networks=[{"name": "frontend"}], secrets=[{"source": "api_key"}], configs=None)),
        ("secret", secret(name="api_key", data="k")),
        ("network", base(**network(name="frontend", labels=None, ipam=None, encrypted=False))),
        ("service", service()),
    ]
    result = _reconcile.run_many(RESOURCES, engine, items, check_mode=True)
    assert list(result["results"]) == ["network/frontend", "secret/api_key", "service/api", "service/web"]
    assert result["changed"] is True
    assert result["warnings"] == [], "objects the same run creates are known, not guessed"
    assert [k for k, r in result["results"].items() if r["changed"]] == ["network/frontend", "secret/api_key", "service/api"]
    assert sorted(result["diff"]["after"]) == ["networks", "secrets", "services"]
    assert result["diff"]["after"]["services"]["api"]["networks"] == [{"name": "frontend"}]


def test_run_many_reads_each_list_once():
    engine = Recorded()
    items = [("service", service(name="s%d" % i)) for i in range(5)] + [("secret", secret(name="k%d" % i, data="x")) for i in range(3)]
    _reconcile.run_many(RESOURCES, engine, items, check_mode=True)
    lists = [p for p in engine.reads if p.count("/") == 1]
    assert sorted(set(lists)) == sorted(lists), "a list was read twice: %s" % lists


# -- a failed wait after a write: the resource's on_wait_failure --------------------------------------------


class Flaky(_reconcile.Resource):
    """A resource whose change always needs a wait; it records the failures it was told of."""

    kind = "service"

    def __init__(self):
        self.told = []

    def describe(self, ctx, params):
        return None

    def plan(self, ctx, params, current):
        return _reconcile.Plan("service", params["name"], "create", params=params)

    def apply(self, ctx, plan):
        return [ServiceWatch("id-" + plan.name, name=plan.name)]

    def on_wait_failure(self, ctx, plan, exc):
        self.told.append(plan.name)
        return EngineError("%s %s undone." % (exc.msg, plan.name), **exc.details)

    def result(self, ctx, plan, reports):
        return {}


def _wait_fails(monkeypatch):
    def wait_for(ctx, waits, timeout):
        raise ConvergenceTimeout("Timed out.", reports={})
    monkeypatch.setattr(_reconcile, "wait_for", wait_for)


def test_run_one_hands_a_failed_wait_to_the_resource(monkeypatch):
    _wait_fails(monkeypatch)
    resource = Flaky()
    with pytest.raises(EngineError) as exc:
        _reconcile.run_one(resource, None, dict(name="a"), check_mode=False)
    assert exc.value.msg == "Timed out. a undone." and resource.told == ["a"]


@pytest.mark.parametrize("check_mode, wait", [(True, True), (False, False)], ids=["check-mode", "wait-false"])
def test_without_a_wait_nothing_is_undone(monkeypatch, check_mode, wait):
    _wait_fails(monkeypatch)
    resource = Flaky()
    _reconcile.run_one(resource, None, dict(name="a", wait=wait), check_mode=check_mode)
    assert resource.told == []


def test_run_many_hands_a_failed_wait_to_every_changed_object_last_applied_first(monkeypatch):
    _wait_fails(monkeypatch)
    resource = Flaky()
    with pytest.raises(EngineError) as exc:
        _reconcile.run_many({"service": resource}, None, [("service", dict(name="a")), ("service", dict(name="b"))], check_mode=False)
    assert exc.value.msg == "Timed out. b undone. a undone." and resource.told == ["b", "a"]
