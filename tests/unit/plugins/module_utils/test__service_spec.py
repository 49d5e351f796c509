# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _service_spec: building a ServiceSpec, normalising what the engine returns, comparing."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _service_spec as S
from ansible_collections.beekeeper.swarm.plugins.module_utils._client import version_tuple
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

SEC = 10 ** 9


def params(**kw):
    base = dict(name="web", image="busybox:1.36", mode="replicated", endpoint_mode="vip")
    base.update(kw)
    return base


# What `docker service create --name web busybox:1.36` leaves in the engine (Engine 20.10).
ENGINE_MINIMAL = {
    "Name": "web",
    "Labels": {},
    "TaskTemplate": {
        "ContainerSpec": {"Image": "busybox:1.36", "Init": False, "DNSConfig": {}, "Isolation": "default"},
        "Resources": {"Limits": {}, "Reservations": {}},
        "Placement": {},
        "ForceUpdate": 0,
        "Runtime": "container",
    },
    "Mode": {"Replicated": {"Replicas": 1}},
    "EndpointSpec": {"Mode": "vip"},
}


def triples(changes):
    return [(c.option, c.before, c.after) for c in changes]


def test_minimal_spec_matches_what_the_engine_returns():
    wanted = S.canonical(S.build(params()))
    assert not S.compare(wanted, S.canonical(ENGINE_MINIMAL))


@pytest.mark.parametrize("option, value, path, api", [
    ("update_config", {"delay": "5s", "parallelism": 2}, ("UpdateConfig", "Delay"), 5 * SEC),
    ("update_config", {"order": "start-first"}, ("UpdateConfig", "Order"), "start-first"),
    ("limits", {"cpus": 0.5, "memory": "512M"}, ("TaskTemplate", "Resources", "Limits", "NanoCPUs"), SEC // 2),
    ("limits", {"memory": "512M"}, ("TaskTemplate", "Resources", "Limits", "MemoryBytes"), 512 * 1024 ** 2),
    ("env", {"B": "2", "A": "1"}, ("TaskTemplate", "ContainerSpec", "Env"), ["A=1", "B=2"]),
    ("env", ["X=1"], ("TaskTemplate", "ContainerSpec", "Env"), ["X=1"]),
    ("entrypoint", "sh -c 'echo hi'", ("TaskTemplate", "ContainerSpec", "Command"), ["sh", "-c", "echo hi"]),
    ("command", ["sleep", 10], ("TaskTemplate", "ContainerSpec", "Args"), ["sleep", "10"]),
    ("healthcheck", {"test": "true"}, ("TaskTemplate", "ContainerSpec", "Healthcheck", "Test"), ["CMD-SHELL", "true"]),
    ("healthcheck", {"test": ["pg_isready"]}, ("TaskTemplate", "ContainerSpec", "Healthcheck", "Test"), ["CMD", "pg_isready"]),
    ("hosts", {"db": "10.0.0.5"}, ("TaskTemplate", "ContainerSpec", "Hosts"), ["10.0.0.5 db"]),
    ("placement", {"constraints": ["node.labels.b==1", "node.labels.a==1"]}, ("TaskTemplate", "Placement", "Constraints"),
     ["node.labels.a==1", "node.labels.b==1"]),
    ("placement", {"preferences": [{"spread": "node.labels.zone"}]}, ("TaskTemplate", "Placement", "Preferences"),
     [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}]),
    ("ulimits", [{"name": "nofile", "soft": 1024}], ("TaskTemplate", "ContainerSpec", "Ulimits"),
     [{"Name": "nofile", "Soft": 1024, "Hard": 1024}]),
    ("reservations", {"generic_resources": [{"kind": "gpu", "value": 2}]}, ("TaskTemplate", "Resources", "Reservations", "GenericResources"),
     [{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 2}}]),
    ("cap_add", ["net_admin", "CAP_SYS_PTRACE"], ("TaskTemplate", "ContainerSpec", "CapabilityAdd"), ["CAP_NET_ADMIN", "CAP_SYS_PTRACE"]),
    ("ports", [{"target": 80, "published": 8080, "mode": "host"}], ("EndpointSpec", "Ports"),
     [{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "host"}]),
    ("mounts", [{"type": "tmpfs", "target": "/cache", "tmpfs_size": "64M"}], ("TaskTemplate", "ContainerSpec", "Mounts"),
     [{"Type": "tmpfs", "Target": "/cache", "ReadOnly": False, "TmpfsOptions": {"SizeBytes": 64 * 1024 ** 2}}]),
])
def test_build_puts_options_where_the_engine_api_wants_them(option, value, path, api):
    spec = S.build(params(**{option: value}))
    assert S.get_path(spec, path) == api


@pytest.mark.parametrize("mode, key, body", [
    ("replicated", "Replicated", {"Replicas": 1}),
    ("global", "Global", {}),
    ("replicated-job", "ReplicatedJob", {"MaxConcurrent": 1, "TotalCompletions": 1}),
    ("global-job", "GlobalJob", {}),
])
def test_modes(mode, key, body):
    assert S.build(params(mode=mode))["Mode"] == {key: body}


def test_secrets_default_target_is_the_logical_name_and_mode_0444():
    spec = S.build(params(secrets=[{"source": "db_password", "resolved_id": "abc", "resolved_name": "db_password.v2"}]))
    assert spec["TaskTemplate"]["ContainerSpec"]["Secrets"] == [
        {"SecretID": "abc", "SecretName": "db_password.v2", "File": {"Name": "db_password", "UID": "0", "GID": "0", "Mode": 0o444}}]


def test_configs_default_target_is_absolute():
    spec = S.build(params(configs=[{"source": "nginx.conf", "resolved_id": "c1", "resolved_name": "nginx.conf", "mode": "0440"}]))
    assert spec["TaskTemplate"]["ContainerSpec"]["Configs"][0]["File"] == {"Name": "/nginx.conf", "UID": "0", "GID": "0", "Mode": 0o440}


def test_order_does_not_matter():
    one = S.canonical(S.build(params(env={"A": "1", "B": "2"}, placement={"constraints": ["node.labels.x==1", "node.role==worker"]},
                                     ports=[{"target": 1, "published": 2}, {"target": 3, "published": 4}])))
    two = S.canonical(S.build(params(env=["B=2", "A=1"], placement={"constraints": ["node.role==worker", "node.labels.x==1"]},
                                     ports=[{"target": 3, "published": 4}, {"target": 1, "published": 2}])))
    assert not S.compare(one, two)


def test_engine_defaults_count_as_set():
    explicit = S.canonical(S.build(params(update_config={"parallelism": 1, "delay": "0s", "failure_action": "pause", "monitor": "5s",
                                                         "max_failure_ratio": 0, "order": "stop-first"},
                                          restart_policy={"condition": "any", "delay": "5s"}, stop_grace_period="10s")))
    assert not S.compare(explicit, S.canonical(ENGINE_MINIMAL))


def test_a_changed_field_is_the_only_change():
    current = S.canonical(ENGINE_MINIMAL)
    wanted = S.canonical(S.build(params(replicas=3, update_config={"delay": "5s"})))
    assert triples(S.compare(wanted, current)) == [("replicas", 1, 3), ("update_config.delay", "0s", "5s")]


def test_keep_replicas_ignores_the_count_and_keeps_it_on_update():
    current_spec = dict(ENGINE_MINIMAL, Mode={"Replicated": {"Replicas": 7}})
    wanted_spec = S.build(params(replicas=2, env={"A": "1"}))
    changes = S.compare(S.canonical(wanted_spec), S.canonical(current_spec), keep_replicas=True)
    assert changes.options() == ["env"]
    assert S.apply_changes(current_spec, wanted_spec, changes)["Mode"] == {"Replicated": {"Replicas": 7}}


def test_force_update_steps_the_counter_and_keeps_it_otherwise():
    current_spec = dict(ENGINE_MINIMAL, TaskTemplate=dict(ENGINE_MINIMAL["TaskTemplate"], ForceUpdate=4))
    wanted_spec = S.build(params())
    changes = S.compare(S.canonical(wanted_spec), S.canonical(current_spec), force_update=True)
    assert triples(changes) == [("force_update", 4, 5)]
    assert S.apply_changes(current_spec, wanted_spec, changes)["TaskTemplate"]["ForceUpdate"] == 5
    assert S.apply_changes(current_spec, wanted_spec, [])["TaskTemplate"]["ForceUpdate"] == 4


def test_tag_matches_an_image_pinned_to_its_digest():
    pinned = dict(ENGINE_MINIMAL, TaskTemplate=dict(ENGINE_MINIMAL["TaskTemplate"], ContainerSpec=dict(
        ENGINE_MINIMAL["TaskTemplate"]["ContainerSpec"], Image="busybox:1.36@sha256:" + "a" * 64)))
    assert not S.compare(S.canonical(S.build(params())), S.canonical(pinned))
    other = S.canonical(S.build(params(image="busybox:1.36@sha256:" + "b" * 64)))
    assert S.compare(other, S.canonical(pinned)).options() == ["image"]


@pytest.mark.parametrize("kw, msg", [
    (dict(image="Busybox!"), "image: 'Busybox!' is not a valid image reference; use [registry/]name[:tag][@sha256:digest] with a "
                             "lowercase name, e.g. registry.example.com/team/app:1.2."),
    (dict(name="-web"), "name: '-web' is not a valid service name; use letters, digits, '-', '_' and '.', starting with a letter "
                        "or digit, 63 characters at most."),
    (dict(mode="global", replicas=2), "replicas: only replicated services have a replica count, and mode is global; remove "
                                      "replicas or use mode: replicated."),
    (dict(replicas=-1), "replicas: -1 is negative; use 0 or more."),
    (dict(total_completions=3), "total_completions: only replicated jobs have it, and mode is replicated; remove it or use "
                                "mode: replicated-job."),
    (dict(endpoint_mode="dnsrr", ports=[{"target": 80, "published": 80, "mode": "ingress"}]),
     "ports: ingress-mode ports need endpoint_mode vip (the routing mesh); use mode: host on the port, or endpoint_mode: vip."),
])
def test_validate(kw, msg):
    with pytest.raises(InvalidInput) as err:
        S.validate(params(**kw))
    assert err.value.msg == msg


@pytest.mark.parametrize("kw, msg", [
    (dict(update_config={"delay": "5x"}), "update_config.delay: '5x' is not a duration; use a number with a unit (ns, us, ms, s, m, h, "
                                          "d), e.g. 5s, 1m30s, 100ms, 2160h."),
    (dict(stop_grace_period="-5s"), "stop_grace_period: '-5s' is negative; durations are 0 or more, e.g. 5s."),
    (dict(ports=[{"target": 0}]), "ports[0].target: 0 is out of range; ports are 1-65535."),
    (dict(ports=[{"target": 80, "published": 70000}]), "ports[0].published: 70000 is out of range; ports are 1-65535."),
    (dict(limits={"memory": "lots"}), "limits.memory: 'lots' is not a size; use bytes or a number with a unit (K, M, G, T), e.g. 512M, 1G."),
    (dict(mounts=[{"type": "bind", "target": "/x"}]), "mounts[0].source: a bind mount needs the path on the node; set source."),
    (dict(env=["NOVALUE"]), "env[0]: 'NOVALUE' has no '='; write KEY=VALUE, or give env as a mapping."),
])
def test_build_errors_name_the_option(kw, msg):
    with pytest.raises(InvalidInput) as err:
        S.build(params(**kw))
    assert err.value.msg == msg


@pytest.mark.parametrize("logging, msg", [
    ({"driver": "json-file", "options": {"max-size": "10XB"}},
     "logging.options.max-size: '10XB' is not a size the json-file driver takes; use a positive number with k, m or g, e.g. 10m."),
    ({"driver": "local", "options": {"max-size": "0"}},
     "logging.options.max-size: '0' is not a size the local driver takes; use a positive number with k, m or g, e.g. 10m."),
    ({"driver": "json-file", "options": {"max-size": "9" * 400}},
     "logging.options.max-size: '" + "9" * 40 + "' is too large; the engine takes sizes up to 8388607t (int64 bytes), e.g. 10m."),
    ({"driver": "json-file", "options": {"max-file": "0"}},
     "logging.options.max-file: '0' is not a number of files; use a whole number of 1 or more, e.g. 3."),
    ({"driver": "local", "options": {"max-file": "x"}},
     "logging.options.max-file: 'x' is not a number of files; use a whole number of 1 or more, e.g. 3."),
    ({"driver": "json-file", "options": {"compress": "maybe"}}, "logging.options.compress: 'maybe' is not a boolean; write true or false."),
    ({"driver": "local", "options": {"tag": "x"}}, "logging.options.tag: not an option of the local log driver; use max-file, max-size, compress."),
])
def test_log_options_the_engine_checks_only_at_task_start_are_checked_first(logging, msg):
    with pytest.raises(InvalidInput) as err:
        S.validate(params(logging=logging))
    assert err.value.msg == msg


@pytest.mark.parametrize("logging", [
    {"driver": "json-file", "options": {"max-size": "10m", "max-file": 3, "compress": True, "tag": "{{.Name}}"}},
    {"driver": "local", "options": {"max-size": "1.5GiB"}},
    {"driver": "syslog", "options": {"syslog-address": "udp://10.0.0.1:514"}},
])
def test_good_log_options_pass(logging):
    S.validate(params(logging=logging))


def test_validate_builds_the_spec_with_every_reference_standing_for_itself():
    p = S.placeholders(params(networks=[{"name": "front"}], secrets=[{"source": "db"}]))
    spec = S.build(p)
    assert spec["TaskTemplate"]["Networks"] == [{"Target": "front"}]
    assert spec["TaskTemplate"]["ContainerSpec"]["Secrets"][0]["SecretName"] == "db"


def test_validate_runs_the_kinds():
    with pytest.raises(InvalidInput) as err:
        S.validate(params(stop_signal="SIGFOO"))
    assert err.value.msg.startswith("stop_signal: 'SIGFOO' is not a signal")


@pytest.mark.parametrize("health, monitor, warns", [
    ({"test": "true", "interval": "10s", "retries": 3}, "5s", True),
    ({"test": "true", "interval": "1s", "retries": 3}, "5s", False),
    ({"test": "true", "interval": "5s", "retries": 2, "start_period": "10s"}, "20s", False),
    ({}, "5s", False),
])
def test_healthcheck_warning(health, monitor, warns):
    warning = S.healthcheck_warning(params(healthcheck=health, update_config={"monitor": monitor}))
    assert bool(warning) is warns
    if warns:
        assert warning.startswith("update_config.monitor (5s) is shorter than healthcheck start_period + interval x retries (30s)")


def test_every_gate_is_a_version_the_floor_can_compare():
    for field in S.OPTIONS:
        if field.min_api:
            assert version_tuple(field.min_api) >= (1, 24), field


def test_every_table_field_is_an_option_of_the_module():
    spec = S.argument_spec()
    for field in S.OPTIONS:
        holder = spec
        for part in field.option.split(".")[:-1]:
            holder = holder[part]["options"]
        assert field.option.split(".")[-1] in holder, field


@pytest.mark.parametrize("field", [f for f in S.OPTIONS if f.default is not None and not f.counter], ids=lambda f: f.option)
def test_every_engine_default_shown_to_the_user_means_the_default_again(field):
    """The default as the user sees it (view), given back as the option, is no change against the engine."""
    shown = S.view(S.canonical(ENGINE_MINIMAL))
    value = shown
    for part in field.option.split("."):
        value = value[part]
    given = {}
    holder = given
    parts = field.option.split(".")
    for part in parts[:-1]:
        holder = holder.setdefault(part, {})
    holder[parts[-1]] = value
    assert not S.compare(S.canonical(S.build(params(**given))), S.canonical(ENGINE_MINIMAL)), (field.option, value)


def test_mount_options_the_engine_leaves_out_are_no_change():
    wanted = S.canonical(S.build(params(mounts=[{"type": "volume", "source": "data", "target": "/data", "no_copy": False,
                                                 "volume_labels": {"a": "b"}}])))
    # What Engine 20.10 returns for that mount: NoCopy false is not there.
    engine = dict(ENGINE_MINIMAL, TaskTemplate=dict(ENGINE_MINIMAL["TaskTemplate"], ContainerSpec=dict(
        ENGINE_MINIMAL["TaskTemplate"]["ContainerSpec"],
        Mounts=[{"Type": "volume", "Source": "data", "Target": "/data", "VolumeOptions": {"Labels": {"a": "b"}}}])))
    assert not S.compare(wanted, S.canonical(engine))


@pytest.mark.parametrize("params, parallelism", [
    (dict(update_config=dict(monitor="2s")), 1),
    (dict(update_config=dict(monitor="2s", parallelism=0)), 0),
    (dict(update_config=dict(parallelism=3)), 3),
])
def test_a_partial_rollout_config_sends_the_default_parallelism(params, parallelism):
    # The engine stores a config sent without Parallelism as 0 (all at once), which would differ from the
    # default 1 on every run; the module sends the default, so the second run is unchanged.
    spec = S.build(dict(name="web", image="busybox:1", **params))
    assert spec["UpdateConfig"]["Parallelism"] == parallelism
    engine_stored = dict(spec, UpdateConfig=dict(dict(Order="stop-first", FailureAction="pause"), **spec["UpdateConfig"]))
    assert not S.compare(S.canonical(spec), S.canonical(engine_stored))
