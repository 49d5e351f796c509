"""beekeeper.swarm.swarm_config on the lab: four steps with diffs (labels, rotation, templating), rotation through a
running service with the content at its target path, a Go template rendered by the engine, bad input."""

from __future__ import annotations

import json

from conftest import MANAGER, docker_exec


def _config_names():
    return docker_exec(MANAGER, "docker", "config", "ls", "--format", "{{.Name}}").split()


def test_lifecycle(target, cluster):
    """Create, change labels, rotate, make it a template, remove: four steps each, diffs without the data."""
    run = target("swarm_config", "lifecycle")
    create = run.four_steps("Create")
    assert create["check"]["diff"] == {"before": {}, "after": {"version": 1, "labels": {"app": "shop"}, "templating": None, "versions": [1]}}
    assert create["apply"]["actions"] == ["create bk_settings.v1"]
    assert create["apply"]["config"]["name"] == "bk_settings.v1"
    labels = run.four_steps("Change the labels")
    assert labels["apply"]["actions"] == ["update labels of bk_settings.v1"]
    assert labels["apply"]["diff"]["after"]["labels"] == {"app": "shop", "tier": "web"}
    assert labels["apply"]["config"]["id"] == create["apply"]["config"]["id"]
    rotate = run.four_steps("Rotate")
    assert rotate["check"]["actions"] == rotate["apply"]["actions"] == ["create bk_settings.v2"]
    assert rotate["apply"]["config"]["labels"] == {"app": "shop", "tier": "web"}, "a new version keeps the user labels"
    template = run.four_steps("Make it a template")
    assert template["check"]["diff"] == {
        "before": {"version": 2, "labels": {"app": "shop", "tier": "web"}, "templating": None, "versions": [1, 2]},
        "after": {"version": 3, "labels": {"app": "shop", "tier": "web"}, "templating": "golang", "versions": [2, 3]},
    }
    assert template["apply"]["actions"] == ["create bk_settings.v3", "prune bk_settings.v1"]
    assert run.ok("Read the versions on the engine")["stdout_lines"] == ["bk_settings.v2", "bk_settings.v3"]
    remove = run.four_steps("Remove")
    assert remove["apply"]["actions"] == ["remove bk_settings.v2", "remove bk_settings.v3"]
    for step in create.values():
        assert "color = blue" not in json.dumps(step)
    assert _config_names() == []


def test_rotation_in_a_running_service(target, cluster, tmp_path):
    """A config from a controller file and a Go template, both in a running task; rotated, repointed, same targets,
    uid/gid/mode kept, the template rendered with the service's name, the old template version pruned."""
    controller_file = tmp_path / "settings.conf"
    controller_file.write_text("color = blue\n")
    run = target("swarm_config", "rotation", extravars=dict(controller_file=str(controller_file)))
    assert run.ok("Read the configs inside the first task")["stdout_lines"] == ["color = blue", "hello from cfg-rotation", "1000 1000 440"]
    settings = run.four_steps("Rotate the settings")
    assert settings["check"]["actions"] == settings["apply"]["actions"] == ["create app_settings.v2", "repoint service cfg-rotation"]
    hello = run.four_steps("Rotate the template")
    assert hello["check"]["actions"] == hello["apply"]["actions"] == [
        "create app_hello.v2", "repoint service cfg-rotation", "prune app_hello.v1"]
    assert hello["apply"]["config"]["templating"] == "golang"
    refs = json.loads(run.ok("Read the service's config references")["stdout"])
    # `docker service create` keeps --config references in map order, so they are compared as a set.
    assert sorted((r["ConfigName"], r["File"]) for r in refs) == [
        ("app_hello.v2", {"Name": "/etc/app/hello.txt", "UID": "0", "GID": "0", "Mode": 0o444}),
        ("app_settings.v2", {"Name": "/etc/app/settings.conf", "UID": "1000", "GID": "1000", "Mode": 0o440}),
    ]
    assert run.ok("Read the configs inside the task")["stdout_lines"] == ["color = red", "hi from cfg-rotation", "1000 1000 440"]
    assert run.ok("Read the config versions on the engine")["stdout_lines"] == ["app_hello.v2", "app_settings.v1", "app_settings.v2"]
    assert _config_names() == []


def test_bad_input(target, cluster, tmp_path):
    """Too large (inline and controller file), missing files, nothing to create from, a label value not a string."""
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 1024001)
    run = target("swarm_config", "bad_input", extravars=dict(big_file=str(big)))
    too_large = ("%s: the content is 1024001 bytes; the engine takes at most 1024000 bytes (1000 KB) for a config. Keep it "
                 "smaller, or ship large files another way (a volume, or the image).")
    assert run.failed("Fails: data over 1000 KB")["msg"] == too_large % "data"
    assert run.failed("Fails: a controller file over 1000 KB")["msg"] == too_large % "src"
    assert run.failed("Fails: a controller file that does not exist")["msg"] == (
        "src: cannot read '/nonexistent/settings.conf' on the controller (no such file); give a file there (a relative path "
        "is looked up in the role's or playbook's files/), or set remote_src: true for a file on the node.")
    assert run.failed("Fails: a node file that does not exist")["msg"] == (
        "src: cannot read '/nonexistent/settings.conf' on the node the module runs on (No such file or directory); give a "
        "readable file there, or set remote_src: false for a file on the controller.")
    assert run.failed("Fails: no data and no src for a config that does not exist")["msg"] == (
        "data or src is required to create config 'bk_bad': set data to the content, or src to a file that holds it.")
    assert run.failed("Fails: a label value that is a number")["msg"] == (
        "labels.replicas: 3 is not a string (int); quote it in YAML (for example '3').")
    assert run.ok("Read the configs after the refusals")["stdout"] == ""
