"""beekeeper.swarm.swarm_secret on the lab: four steps with diffs, the three sources read inside a task (scenario 3),
rotation through a running service without the value in any output or log (scenario 7), adoption, bad input."""

from __future__ import annotations

import json
import secrets

from conftest import MANAGER, WORKERS, docker_exec


def _secret_names():
    return docker_exec(MANAGER, "docker", "secret", "ls", "--format", "{{.Name}}").split()


def test_lifecycle(target, cluster):
    """Create, change labels, rotate, keep no old version, remove: four steps each; diffs carry version and labels only."""
    run = target("swarm_secret", "lifecycle")
    create = run.four_steps("Create")
    assert create["check"]["diff"] == {"before": {}, "after": {"version": 1, "labels": {"app": "shop"}, "versions": [1]}}
    assert create["check"]["actions"] == create["apply"]["actions"] == ["create bk_lifecycle.v1"]
    assert create["check"]["secret"]["id"] is None
    applied = create["apply"]["secret"]
    assert (applied["name"], applied["logical_name"], applied["version"], applied["labels"], applied["services"]) == (
        "bk_lifecycle.v1", "bk_lifecycle", 1, {"app": "shop"}, [])
    assert create["apply again"]["secret"]["id"] == applied["id"]

    labels = run.four_steps("Change the labels")
    assert labels["check"]["diff"] == {
        "before": {"version": 1, "labels": {"app": "shop"}, "versions": [1]},
        "after": {"version": 1, "labels": {"app": "shop", "tier": "db"}, "versions": [1]},
    }
    assert labels["apply"]["actions"] == ["update labels of bk_lifecycle.v1"]
    assert labels["apply"]["secret"]["id"] == applied["id"], "labels change in place"

    rotate = run.four_steps("Rotate")
    assert rotate["check"]["diff"] == {
        "before": {"version": 1, "labels": {"app": "shop", "tier": "db"}, "versions": [1]},
        "after": {"version": 2, "labels": {"app": "shop", "tier": "db"}, "versions": [1, 2]},
    }
    assert rotate["check"]["actions"] == rotate["apply"]["actions"] == ["create bk_lifecycle.v2"]
    assert [v["name"] for v in rotate["apply"]["secret"]["versions"]] == ["bk_lifecycle.v1", "bk_lifecycle.v2"]

    keep0 = run.four_steps("Keep no old version")
    assert keep0["check"]["actions"] == keep0["apply"]["actions"] == ["prune bk_lifecycle.v1"]
    assert keep0["apply"]["diff"]["after"]["versions"] == [2]
    assert run.ok("Read the versions on the engine")["stdout_lines"] == ["bk_lifecycle.v2"]

    remove = run.four_steps("Remove")
    assert remove["check"]["diff"] == {"before": {"version": 2, "labels": {"app": "shop", "tier": "db"}, "versions": [2]}, "after": {}}
    assert remove["apply"]["actions"] == ["remove bk_lifecycle.v2"]
    assert remove["apply again"]["diff"] == {"before": {}, "after": {}}
    for res in create.values():
        assert "lifecycle-first-value" not in json.dumps(res)
    assert _secret_names() == []


def test_sources_read_inside_the_task(target, cluster, tmp_path):
    """Scenario 3: a controller file, a node file and inline data, each read at /run/secrets/NAME inside the running task;
    the password reaches the program through the *_FILE pattern."""
    values = dict(controller="ctl-" + secrets.token_hex(8), node="node-" + secrets.token_hex(8), inline="inl-" + secrets.token_hex(8))
    controller_file = tmp_path / "controller_secret.txt"
    controller_file.write_text(values["controller"])
    run = target("swarm_secret", "sources", extravars=dict(
        controller_file=str(controller_file), node_value=values["node"], inline_value=values["inline"]))
    for what in ("Secret from a controller file", "Secret from a node file", "Secret from inline data"):
        steps = run.four_steps(what)
        assert steps["apply"]["secret"]["version"] == 1
        assert steps["apply again"]["secret"]["id"] == steps["apply"]["secret"]["id"]
    where = run.ok("Find the node that runs the task")["stdout"].split()[0]
    assert where in (MANAGER,) + WORKERS
    inside = run.ok("Read the secrets inside the task")["stdout_lines"]
    assert inside == [
        "/run/secrets/bk_from_controller=" + values["controller"],
        "/run/secrets/bk_from_node=" + values["node"],
        "/run/secrets/db_password=" + values["inline"],
        "/tmp/seen=" + values["inline"],
    ]
    assert run.ok("Read which services use the secrets")["secret"]["services"] == ["sec-sources"]
    # The module results never carry a value (the read task above shows them on purpose).
    for what in ("Secret from a controller file", "Secret from a node file", "Secret from inline data"):
        for step in ("check", "apply", "apply again", "check again"):
            text = json.dumps(run.ok("%s | %s" % (what, step)))
            assert not [v for v in values.values() if v in text], text
    assert _secret_names() == []


def test_rotation_without_leaks(target, cluster, tmp_path):
    """Scenario 7: new content -> new version, the service repointed (same path, uid, gid, mode), the old version pruned;
    run at -vvv, the values (the first from a controller file) appear in no output, no event and no engine journal."""
    values = dict(first_value="r1-" + secrets.token_hex(12), second_value="r2-" + secrets.token_hex(12),
                  third_value="r3-" + secrets.token_hex(12))
    first_file = tmp_path / "first_value.txt"
    first_file.write_text(values["first_value"])
    run = target("swarm_secret", "rotation", verbosity=3, extravars=dict(values, first_file=str(first_file)))
    first = run.ok("Create the secret from a controller file")["secret"]
    second = run.four_steps("Rotate to a second value")
    assert second["check"]["actions"] == second["apply"]["actions"] == ["create db_password.v2", "repoint service sec-rotation"]
    assert second["check"]["diff"] == {"before": {"version": 1, "labels": {}, "versions": [1]},
                                       "after": {"version": 2, "labels": {}, "versions": [1, 2]}}
    assert second["apply"]["secret"]["services"] == ["sec-rotation"]
    third = run.four_steps("Rotate to a third value")
    assert third["check"]["actions"] == third["apply"]["actions"] == [
        "create db_password.v3", "repoint service sec-rotation", "prune db_password.v1"]
    assert third["apply"]["diff"]["after"] == {"version": 3, "labels": {}, "versions": [2, 3]}
    versions = third["apply"]["secret"]["versions"]
    assert [(v["name"], v["services"]) for v in versions] == [("db_password.v2", []), ("db_password.v3", ["sec-rotation"])]
    assert first["id"] not in [v["id"] for v in versions]
    refs = json.loads(run.ok("Read the service's secret references")["stdout"])
    assert refs == [{"File": {"Name": "db_password", "UID": "1000", "GID": "1000", "Mode": 0o400},
                     "SecretID": third["apply"]["secret"]["id"], "SecretName": "db_password.v3"}]
    run.ok("Assert the task sees the third value at the same path")
    forced = run.four_steps("Remove while the service uses it, forced")
    assert forced["apply"]["actions"] == ["detach service sec-rotation", "remove db_password.v2", "remove db_password.v3"]
    assert run.ok("Read the service's secret references after the removal")["stdout"] == "null"

    # No value anywhere: the -vvv output, every event, the engines' journals.
    assert "ESTABLISH SSH CONNECTION" in run.stdout, "the run was not verbose enough to show connection details"
    events = json.dumps(run.events)
    journals = "".join(docker_exec(node, "journalctl", "-u", "docker", "--no-pager", "-q", check=False) for node in (MANAGER,) + WORKERS)
    for value in values.values():
        assert run.stdout.count(value) == 0
        assert events.count(value) == 0
        assert journals.count(value) == 0
    assert _secret_names() == []


def test_rotation_with_swarm_service(target, cluster):
    """A service made by swarm_service with `source: api_token` is repointed by a rotation, and swarm_service run again
    with the logical name finds it already on the newest version (nothing to change)."""
    run = target("swarm_secret", "with_service")
    rotate = run.four_steps("Rotate the secret")
    assert rotate["apply"]["actions"] == ["create api_token.v2", "repoint service sec-with-service"]
    assert not run.changed("Run swarm_service again with the logical name")
    refs = json.loads(run.ok("Read the service's secret references")["stdout"])
    assert refs == [{"File": {"Name": "api_token", "UID": "0", "GID": "0", "Mode": 0o400},
                     "SecretID": rotate["apply"]["secret"]["id"], "SecretName": "api_token.v2"}]
    assert _secret_names() == []


def test_adopt_a_plain_secret(target, cluster):
    """A secret made with `docker secret create` is version 0: the first run makes .v1, repoints its service, removes it."""
    run = target("swarm_secret", "adopt")
    adopt = run.four_steps("Adopt it")
    assert adopt["check"]["actions"] == adopt["apply"]["actions"] == ["create bk_plain.v1", "repoint service sec-adopt", "prune bk_plain"]
    assert adopt["check"]["diff"] == {"before": {"version": 0, "labels": {}, "versions": [0]},
                                      "after": {"version": 1, "labels": {}, "versions": [1]}}
    refs = json.loads(run.ok("Read the service's secret references")["stdout"])
    assert [(r["SecretName"], r["File"]["Name"]) for r in refs] == [("bk_plain.v1", "bk_plain")]
    assert _secret_names() == []


def test_bad_input(target, cluster):
    """Bad input fails with a message naming the field and the fix, before anything changes."""
    run = target("swarm_secret", "bad_input")
    assert run.failed("Fails: data and src together")["msg"] == (
        "data and src are mutually exclusive: set one of them (data for inline content, src for a file).")
    assert run.failed("Fails: data that is not base64")["msg"] == (
        "data: not valid base64 (data_is_b64 is true): use only A-Z, a-z, 0-9, '+' and '/', padded with '=' to a multiple "
        "of 4 characters; or set data_is_b64: false for plain text.")
    assert run.failed("Fails: data over 500 KB")["msg"] == (
        "data: the content is 512001 bytes; the engine takes at most 512000 bytes (500 KB) for a secret. Keep it smaller, "
        "or ship large files another way (a volume, or the image).")
    assert run.failed("Fails: a name with a space")["msg"] == (
        "name: 'db password' is not a valid secret name; use letters, digits, '.', '-' and '_', starting and ending with a "
        "letter or digit.")
    assert run.failed("Fails: a name too long for its versions")["msg"] == (
        "name: '%s' is 59 characters; a logical name has at most 58, so that its versions (NAME.v1 ... NAME.v9999) fit the "
        "engine's 64-character limit. Use a shorter name." % ("a" * 59))
    assert run.failed("Fails: a label in the collection's namespace")["msg"] == (
        "labels: 'com.beekeeper.swarm.version' is in com.beekeeper.swarm.*, which this collection keeps for its versioning; "
        "use another key.")
    assert run.failed("Fails: remove a secret a service uses")["msg"] == (
        "Refusing to remove secret 'bk_used': services use it (sec-bad uses bk_used.v1). Remove it from those services first, "
        "or set force: true to detach it from them.")
    assert run.failed("Fails: new content with rotate false while a service uses it")["msg"] == (
        "Refusing to change the content of secret 'bk_used': rotate is false and services use it (sec-bad uses bk_used.v1). "
        "Set rotate: true to create bk_used.v2 and repoint them, or remove it from those services first.")
    assert run.ok("Read the secrets after the refusals")["stdout_lines"] == ["bk_used.v1"]
    assert _secret_names() == []
