"""beekeeper.swarm.swarm_stack on the lab: a stack's lifecycle (deploy, unchanged, one image, prune, a new secret, absent)
with the Version.Index of every object read by the docker CLI, the take-over of a CLI-deployed stack and the reverse,
and bad input that fails before anything is deployed."""

from __future__ import annotations

import json
import pathlib
import secrets
import shutil
import subprocess
import time
import urllib.request

import yaml
from conftest import LAB, MANAGER, ROOT, SPARE, WORKERS, docker_exec

from beekeeper_lab import apps, host, nodes


def _versions(res):
    return dict((tuple(line.split()[:2]), int(line.split()[2])) for line in res["stdout"].splitlines() if line.strip())


def test_lifecycle(target, cluster):
    run = target("swarm_stack", "lifecycle")
    deploy = run.four_steps("Deploy the stack")
    check = deploy["check"]["stack"]
    assert sorted(check["services"]) == ["api", "cache", "web"]
    assert all(s["action"] == "create" for s in check["services"].values())
    assert sorted(check["networks"]) == ["shop_back", "shop_cachenet"]
    assert sorted(check["secrets"]) == ["cache_token", "db_password"] and sorted(check["configs"]) == ["index"]
    applied = deploy["apply"]["stack"]["services"]
    assert applied["api"]["running"] == 2 and applied["api"]["wanted"] == 2, applied
    # `EMPTY:` without a value, and no such variable given: sent as the bare name, as the CLI does.
    assert deploy["apply"]["diff"]["after"]["services"]["api"]["env"] == ["EMPTY", "LOG_LEVEL=info"]
    # An unchanged project writes nothing: no service, secret or config Version.Index moved.
    v1, v2 = _versions(run.ok("Read the versions after the deploy")), _versions(run.ok("Read the versions after the unchanged runs"))
    assert v1 == v2 and len(v1) == 6, (v1, v2)

    image = run.four_steps("Move the api image")
    # The image and the com.docker.stack.image label that records it as written.
    assert image["check"]["changes"] == ["services.api.image", "services.api.labels"], image["check"]["changes"]
    assert [k for k, s in image["apply"]["stack"]["services"].items() if s["changed"]] == ["api"]
    v3 = _versions(run.ok("Read the versions after the image moved"))
    moved = sorted(key for key in v3 if v3[key] != v2[key])
    assert moved == [("service", "shop_api")], moved

    prune = run.four_steps("Prune the cache service")
    assert prune["check"]["stack"]["services"]["cache"]["action"] == "remove"
    assert sorted(prune["apply"]["pruned"]) == ["network shop_cachenet", "secret shop_cache_token"], prune["apply"]["pruned"]
    assert prune["apply again"]["pruned"] == []

    secret = run.four_steps("Change the secret's content")
    assert secret["check"]["stack"]["secrets"]["db_password"]["action"] == "create"
    v4, v5 = _versions(run.ok("Read the versions before the secret changes")), _versions(run.ok("Read the versions after the secret changed"))
    # Exactly the service that mounts the secret rolled; the old version went once nothing used it.
    assert ("secret", "shop_db_password.v2") in v5 and ("secret", "shop_db_password") not in v5, v5
    assert v5[("service", "shop_web")] == v4[("service", "shop_web")] and v5[("service", "shop_api")] != v4[("service", "shop_api")]
    assert secret["apply"]["pruned"] == ["secret shop_db_password"], secret["apply"]["pruned"]
    assert run.ok("Read the networks of the stack")["stdout"].split() == ["shop_back"]

    # A network whose definition changed: refused by default, recreated under its services with recreate_networks.
    assert "recreate_networks: true" in run.failed("Fails: the network's definition changed")["msg"]
    old_id = run.ok("Read the network before the recreate")["stdout"].strip()
    recreate = run.four_steps("Recreate the relabelled network under its services")
    assert recreate["check"]["stack"]["networks"]["shop_back"] == dict(changed=True, action="recreate"), recreate["check"]["stack"]
    assert recreate["check"]["changes"] == ["networks.shop_back.labels"], recreate["check"]["changes"]
    assert recreate["apply"]["diff"]["after"]["networks"]["shop_back"]["labels"]["team"] == "platform"
    after = dict(line.split(" ", 1) for line in run.ok("Read the network and its services after the recreate")["stdout_lines"])
    new_id, team = after["net"].split()
    assert new_id != old_id and team == "platform", after
    assert after["shop_web"] == new_id and after["shop_api"] == new_id, after
    assert all(s["running"] == s["wanted"] for s in recreate["apply"]["stack"]["services"].values() if "running" in s), recreate["apply"]

    # The CLI can manage what swarm_stack deployed.
    redeploy = run.ok("Redeploy our stack with the docker CLI")
    assert redeploy["rc"] == 0 and "Updating service shop_api" in redeploy["stdout"], redeploy
    assert sorted(run.ok("Read the stack's services after the CLI's redeploy")["stdout"].split()) == ["shop_api", "shop_web"]

    absent = run.four_steps("Remove the stack")
    assert "service shop_api" in absent["apply"]["removed"] and "network shop_back" in absent["apply"]["removed"]
    assert run.ok("Read what is left of the stack")["stdout"] == ""


def test_takeover_and_errors(target, cluster):
    run = target("swarm_stack", "takeover")
    take = run.ok("Take the stack over | apply")
    assert not run.ok("Take the stack over | check")["changed"], run.ok("Take the stack over | check")
    assert not take["changed"], take
    assert _versions(run.ok("Read the versions the CLI wrote")) == _versions(run.ok("Read the versions after the take-over"))

    unset = run.failed("Fails: a required variable is unset")["msg"]
    assert "required variable TAG is missing a value: TAG must be set" in unset and "bad-unset.yml" in unset, unset
    unknown = run.failed("Fails: an unknown key")["msg"]
    assert "bad-unknown.yml" in unknown and "replica" in unknown, unknown
    forbidden = run.failed("Fails: a forbidden key")["msg"]
    assert "mem_limit" in forbidden and "deploy.resources" in forbidden, forbidden
    external = run.failed("Fails: an external secret that does not exist")["msg"]
    assert "no_such_secret" in external, external
    assert run.ok("Read what the failed deploys left")["stdout"] == ""


def _stacks_vars(tmp_path, name, stacks):
    path = tmp_path / (name + ".json")
    path.write_text(json.dumps(dict(swarm_stacks=stacks, swarm_stacks_wait_timeout=180)))
    return "-e @%s" % path


def test_role(target, cluster, tmp_path):
    """playbooks/stacks.yml (the swarm_stacks role) deploys a file stack with env and an inline one, four times with
    diff; the same list with state: absent removes both, four times."""
    files = pathlib.Path(__file__).parent / "files"
    stacks = [
        dict(name="it-role-file", files=[str(files / "role-web.yml")], env=dict(GREETING="hello")),
        dict(name="it-role-inline", definition=dict(services=dict(one=dict(
            image="beekeeper-lab/busybox", command="sleep 86400", deploy=dict(endpoint_mode="dnsrr"))))),
    ]
    runs = target.four_steps("../../playbooks", "stacks", cmdline=_stacks_vars(tmp_path, "present", stacks))
    applied = runs["apply"].ok("Deploy each stack")
    assert [r["stack"]["name"] for r in applied["results"]] == ["it-role-file", "it-role-inline"], applied
    web = applied["results"][0]["stack"]["services"]["web"]
    assert (web["running"], web["wanted"]) == (2, 2), web
    assert all(not r["changed"] for r in runs["apply again"].ok("Deploy each stack")["results"])

    gone = [dict(s, state="absent") for s in stacks]
    runs = target.four_steps("../../playbooks", "stacks", cmdline=_stacks_vars(tmp_path, "absent", gone))
    removed = runs["apply"].ok("Deploy each stack")["results"]
    assert "service it-role-file_web" in removed[0]["removed"] and "service it-role-inline_one" in removed[1]["removed"], removed


def test_role_refuses_bad_entries(target, cluster, tmp_path):
    """A stack entry with an unknown key fails the role's argument validation, naming the key, before any deploy."""
    bad = _stacks_vars(tmp_path, "bad", [dict(name="it-role-bad", definition={}, replica=3)])
    run = target("../../playbooks", "stacks", cmdline=bad, expect_status="failed",
                 expect_failed=("Validating arguments against arg spec 'main' - Deploy the swarm_stacks list with "
                                "beekeeper.swarm.swarm_stack, once, on a manager.",))
    assert "replica" in str(run.stdout), run.stdout[-2000:]


def test_tutorial_stacks(target, cluster):
    """The tutorials' stacks in stacks/ in check mode, twice: every object reported as to be created, with the CLI's
    names, the warning the CLI does not give for depends_on, no secret data in the result, and nothing created."""
    password = secrets.token_hex(12)
    run = target("swarm_stack", "tutorials", extravars=dict(tutorial_password=password))
    results = dict((r["item"], r) for r in run.ok("Deploy the tutorials' stacks | check")["results"])
    again = dict((r["item"], r) for r in run.ok("Deploy the tutorials' stacks | check again")["results"])
    expected = dict(
        wordpress=dict(services=["db", "wordpress"], networks=["wordpress_backend", "wordpress_frontend"],
                       secrets=["db_password", "db_root_password"]),
        traefik=dict(services=["traefik", "whoami"], networks=["traefik_public"], secrets=[]),
        portainer=dict(services=["agent", "portainer"], networks=["portainer_agent_network"], secrets=[]),
    )
    for name, want in expected.items():
        res, stack = results[name], results[name]["stack"]
        assert res["changed"] and again[name]["changed"], (name, res)
        assert sorted(stack["services"]) == want["services"], (name, stack)
        assert all(s["action"] == "create" for s in stack["services"].values()), (name, stack)
        assert sorted(stack["networks"]) == want["networks"], (name, stack)
        assert sorted(stack["secrets"]) == want["secrets"], (name, stack)
        assert again[name]["stack"] == stack, name
    wordpress = results["wordpress"]["diff"]["after"]["services"]
    assert wordpress["wordpress"]["replicas"] == 2 and wordpress["wordpress"]["ports"][0]["published"] == 8000, wordpress
    assert any("depends_on" in w for w in results["wordpress"]["warnings_compose"]), results["wordpress"]
    portainer = results["portainer"]["diff"]["after"]["services"]
    assert portainer["agent"]["mode"] == "global", portainer
    whoami = results["traefik"]["diff"]["after"]["services"]["whoami"]
    assert whoami["labels"]["traefik.http.routers.whoami.rule"] == "Host(`whoami.localhost`)", whoami
    assert whoami["labels"]["com.docker.stack.namespace"] == "traefik", whoami
    assert run.ok("Read what the check runs left")["stdout"] == ""
    assert password not in json.dumps(run.results), "a database password reached the output"


def _page(address, host_name, path="/wp-admin/install.php", timeout=90):
    """The page Traefik serves for host_name on address:80, once its route exists (Traefik reads the swarm every 15 s)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        request = urllib.request.Request("http://%s%s" % (address, path), headers={"Host": host_name})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode(errors="replace")
        except OSError as exc:  # 404 until Traefik has the route, 502 while a task starts
            last = exc
        time.sleep(2)
    raise AssertionError("http://%s%s (Host: %s) did not answer within %ds: %s" % (address, path, host_name, timeout, last))


def test_tutorial_stacks_run(target, cluster, lab, tmp_path):
    """The lab's stacks as `make lab` deploys them (inventories/lab/group_vars/swarm.yml: the tutorials' Traefik and
    WordPress + MySQL files with the lab's overrides) from the images the lab builds from Debian packages and PyPI,
    through playbooks/stacks.yml four times with diff; WordPress's installation page answers through Traefik by Host
    header, which proves WordPress reached MariaDB by name with the password from the stack secret; headless Chromium
    opens it, checks its title and keeps a screenshot in tests/output/. The password never reaches the output."""
    swarm = [MANAGER, *WORKERS]
    loaded = nodes.load(LAB, apps.all_images(), only=swarm)
    assert loaded == sorted(swarm), loaded
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    password = secrets.token_hex(12)
    for name in ("db_password.txt", "db_root_password.txt"):
        (tmp_path / "stacks" / "wordpress" / name).write_text("%s-%s\n" % (password, name))
    listed = yaml.safe_load((ROOT / "inventories" / "lab" / "group_vars" / "swarm.yml").read_text())["swarm_stacks"]
    stacks = [dict(entry, files=[f.replace("{{ inventory_dir }}/../..", str(tmp_path)) for f in entry["files"]]) for entry in listed]
    assert [s["name"] for s in stacks] == ["traefik", "wordpress"], stacks
    try:
        runs = target.four_steps("../../playbooks", "stacks", cmdline=_stacks_vars(tmp_path, "tutorials", stacks))
        deployed = dict((r["stack"]["name"], r["stack"]["services"]) for r in runs["apply"].ok("Deploy each stack")["results"])
        for name, service in [("traefik", "traefik"), ("traefik", "whoami"), ("wordpress", "db"), ("wordpress", "wordpress")]:
            got = deployed[name][service]
            assert got["running"] == got["wanted"] >= 1, (name, service, got)
        assert deployed["wordpress"]["wordpress"]["image"].startswith("beekeeper-lab/wordpress:latest"), deployed
        checked = runs["check"].ok("Deploy each stack")["results"][1]["stack"]
        assert sorted(checked["secrets"]) == ["db_password", "db_root_password"], checked
        assert all(password not in r.stdout for r in runs.values()), "a database password reached the output"

        traefik = lab["nodes"][MANAGER]  # Traefik is placed on a manager and publishes port 80 on its node
        status, body = _page(traefik, "wordpress.localhost")
        assert status == 200 and "<title>WordPress &rsaquo; Installation</title>" in body, body[:2000]
        status, body = _page(traefik, "whoami.localhost", path="/")
        assert status == 200 and body.startswith("Hostname: "), body

        shot = ROOT / "tests" / "output" / "wordpress-install.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        chromium = [host.browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--host-resolver-rules=MAP wordpress.localhost %s" % traefik, "--window-size=1280,900"]
        dom = subprocess.run(chromium + ["--dump-dom", "http://wordpress.localhost/"], capture_output=True, text=True, timeout=120, check=False)
        assert "<title>WordPress › Installation</title>" in dom.stdout, (dom.stdout[:2000], dom.stderr[-2000:])
        subprocess.run(chromium + ["--screenshot=%s" % shot, "http://wordpress.localhost/"], capture_output=True, timeout=120, check=True)
        assert shot.stat().st_size > 10000, shot
        print("WordPress installation page through Traefik: %s" % shot)
    finally:
        gone = [dict(name=s["name"], state="absent") for s in reversed(stacks)]
        target("../../playbooks", "stacks", cmdline=_stacks_vars(tmp_path, "tutorials-absent", gone))
        for node in swarm + [SPARE]:
            docker_exec(node, "sh", "-c", "docker volume ls -q --filter label=com.docker.stack.namespace=wordpress | xargs -r docker volume rm; "
                        "docker volume rm -f wordpress_db_data",
                        check=False)
