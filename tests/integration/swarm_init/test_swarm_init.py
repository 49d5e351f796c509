"""beekeeper.swarm.swarm_init on the spare node LAB-n4: create, reconcile, rotate, warnings, secrets."""

from __future__ import annotations

import json

from conftest import SPARE, docker_exec

INIT_ONLY_WARNING = (
    "Settings that only take effect when a swarm is created were left as they are: "
    "default_addr_pool ['10.30.0.0/16'] differs from the swarm's ['10.0.0.0/8']; "
    "election_tick 20 differs from the swarm's 10. They change only with a new swarm."
)


def test_create_swarm(target, cluster, lab):
    """Check mode predicts the creation and creates nothing; apply creates it; the next runs change nothing."""
    run = target("swarm_init", "create")
    steps = run.four_steps("Create a swarm")
    assert steps["check"]["actions"] == ["create swarm"] and "swarm" not in steps["check"]
    assert steps["check"]["diff"] == steps["apply"]["diff"]
    assert steps["check"]["diff"]["before"] == {}
    assert steps["apply"]["swarm"]["node_addr"] == lab["nodes"][SPARE]
    assert steps["apply again"]["actions"] == [] and steps["check again"]["actions"] == []
    assert steps["apply again"]["swarm"]["id"] == steps["apply"]["swarm"]["id"]
    assert run.ok("Read the node after the check")["local_node"]["state"] == "inactive"
    assert run.ok("Read the node after the create")["health"]["leader"] == SPARE
    run.ok("Assert the four steps")
    assert run.changed("Leave the spare's swarm")
    assert docker_exec(SPARE, "docker", "info", "-f", "{{.Swarm.LocalNodeState}}") == "inactive"


def test_reconcile_settings(target, cluster):
    """Changed settings show in the diff and reach the engine; left out, they go back to the engine defaults."""
    run = target("swarm_init", "settings")
    steps = run.four_steps("Change settings")
    diff = steps["check"]["diff"]
    changed = dict((k, (diff["before"][k], diff["after"][k])) for k in diff["after"] if diff["before"][k] != diff["after"][k])
    assert changed == {
        "task_history_limit": (5, 7),
        "cert_expiry": ("2160h", "720h"),
        "dispatcher_heartbeat": ("5s", "1m30s"),
        "labels": ({}, {"team": "bees"}),
    }
    assert steps["apply"]["swarm"]["settings"]["task_history_limit"] == 7
    assert steps["apply again"]["diff"]["before"] == steps["apply again"]["diff"]["after"]
    back = run.four_steps("Back to the defaults")
    assert back["apply"]["swarm"]["settings"]["task_history_limit"] == 5
    assert back["apply"]["swarm"]["settings"]["labels"] == {}
    run.ok("Assert the change")
    run.ok("Assert the defaults are back")
    assert "cert_expiry: 'ten hours' is not a duration; use a number with a unit" in run.failed(
        "Fails: cert_expiry that is not a duration")["msg"]
    assert run.failed("Fails: swarm label key with a space")["msg"].startswith(
        "labels: 'bad key' is not a valid label key; use letters, digits")
    assert run.failed("Fails: subnet_size without default_addr_pool")["msg"] == (
        "subnet_size: needs default_addr_pool; give the pools the subnets are cut from.")
    for task in ("Assert the duration message", "Assert the label message"):
        run.ok(task)


def test_rotate_worker_token(target, cluster):
    """rotate_worker_token: check mode changes nothing; apply issues a new worker token and keeps the manager token."""
    run = target("swarm_init", "rotate")
    assert run.changed("Rotate the worker token | check")
    assert run.changed("Rotate the worker token | apply")
    assert run.ok("Rotate the worker token | apply")["actions"] == ["rotate worker token"]
    run.ok("Assert only the worker token changed, and only when applied")


def test_init_only_warning_and_force_new_cluster(target, cluster):
    """An init-only setting that differs is left alone with a warning; force_new_cluster on a healthy swarm warns."""
    run = target("swarm_init", "warnings")
    for step in ("check", "apply"):
        res = run.ok("Different election tick and address pool | %s" % step)
        assert res["changed"] is False
        (warning,) = res["warnings"]
        assert warning == INIT_ONLY_WARNING
        res = run.ok("Force a new cluster on a healthy swarm | %s" % step)
        assert res["changed"] is False
        assert res["warnings"] == ["force_new_cluster: the swarm has a leader and quorum, so there is nothing to recover."]
    run.ok("Assert nothing changed")


def test_secrets_need_no_log_and_stay_out_of_output(target, cluster, tmp_path):
    """include_secrets is refused without no_log; with it, no token or key appears anywhere in -vvv output."""
    secrets_file = tmp_path / "secrets.json"
    run = target("swarm_init", "secrets", verbosity=3, extravars={"it_secrets_file": str(secrets_file)})
    message = ("include_secrets: true returns join tokens and the unlock key; set no_log: true on this task so they "
               "stay out of output and logs.")
    assert run.failed("Fails: include_secrets without no_log")["msg"] == message
    assert run.failed("Fails: swarm_info include_secrets without no_log")["msg"] == message
    res = run.ok("Read the secrets with no_log")
    assert "swarm" not in res and res.get("censored"), res
    run.ok("Assert the secrets were returned")
    secrets = json.loads(secrets_file.read_text())
    assert len(secrets) == 3 and all(s.startswith(("SWMTKN-1-", "SWMKEY-1-")) for s in secrets)
    assert "<SSH: ssh" in run.stdout or "ESTABLISH SSH CONNECTION" in run.stdout, "not -vvv output"
    events = json.dumps(run.events)
    for secret in secrets:
        assert run.stdout.count(secret) == 0
        assert events.count(secret) == 0
