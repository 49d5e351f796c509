# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _compose_load: a project loaded as docker stack deploy loads it, in the long form the conversion takes,
with the CLI's warnings and refusals and the ones it forgets (STACKS.md 1.7, section 5)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_load import load_project, object_data, variables


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _load(tmp_path, text, **kwargs):
    return load_project([_write(tmp_path, "compose.yml", text)], **kwargs)


def _web(tmp_path, service, head='version: "3.13"\n', tail="", **kwargs):
    return _load(tmp_path, "%sservices:\n  web:\n    image: nginx\n%s%s" % (head, service, tail), **kwargs)["services"]["web"]


def test_the_result_is_json_and_has_the_contract_keys(tmp_path):
    project = _load(tmp_path, "services:\n  web:\n    image: nginx\n")
    assert list(project) == ["name", "version", "working_dir", "services", "networks", "volumes", "secrets", "configs", "warnings"]
    assert project["version"] is None and project["working_dir"] == str(tmp_path)
    assert project["services"]["web"] == {"image": "nginx", "environment": {}, "networks": {"default": {}}}
    json.dumps(project)


LONG_FORMS = [
    # (service YAML, key, long form)
    ("    command: echo hi\n", "command", "echo hi"),
    ("    entrypoint: [sh, -c]\n", "entrypoint", ["sh", "-c"]),
    ("    labels: [a=1, b]\n", "labels", {"a": "1", "b": ""}),
    ("    labels: {n: 1e3, z: null, o: 0o17}\n", "labels", {"n": "1000", "z": "", "o": "15"}),
    ("    labels: {d: 2001-12-14}\n", "labels", {"d": "2001-12-14"}),  # as recorded with CLI 20.10 and 26.1
    ("    environment: {A: yes, B: on, C: 0x1F}\n", "environment", {"A": "yes", "B": "on", "C": "31"}),  # [verified]
    ("    sysctls: [net.core.somaxconn=1024]\n", "sysctls", {"net.core.somaxconn": "1024"}),
    ("    extra_hosts: [\"a:1.1.1.1\", \"b=2.2.2.2\", \"v6:[::1]\"]\n", "extra_hosts", ["a:1.1.1.1", "b:2.2.2.2", "v6:::1"]),
    ("    extra_hosts: {z: 1.1.1.1, a: 2.2.2.2}\n", "extra_hosts", ["a:2.2.2.2", "z:1.1.1.1"]),  # the map form sorted, as Go sends it
    ("    dns: 8.8.8.8\n    dns_search: [a.example]\n", "dns", ["8.8.8.8"]),
    ("    healthcheck: {test: curl -f x, interval: 1m30s, retries: 3}\n", "healthcheck",
     {"test": ["CMD-SHELL", "curl -f x"], "interval": "1m30s", "retries": 3}),
    ("    ulimits: {nofile: 1024, nproc: {soft: 1, hard: 2}}\n", "ulimits", {"nofile": {"soft": 1024, "hard": 1024}, "nproc": {"soft": 1, "hard": 2}}),
    ("    logging: {driver: json-file, options: {max-size: 10m, max-file: 3}}\n", "logging",
     {"driver": "json-file", "options": {"max-size": "10m", "max-file": "3"}}),
    ("    networks: [front]\n", "networks", {"front": {}}),
    ("    networks: {front: {aliases: [w], driver_opts: {mtu: 1400}}, back: null}\n", "networks",
     {"front": {"aliases": ["w"], "driver_opts": {"mtu": "1400"}}, "back": {}}),
    ("    secrets: [s, {source: s, target: /etc/s, uid: '1', mode: 0o400}]\n", "secrets",
     [dict(source="s", target="s", uid="0", gid="0", mode=0o444), dict(source="s", target="/etc/s", uid="1", gid="0", mode=256)]),  # [verified]
    ("    ports: [\"22:22\", 80, {target: 81, published: 8081}, {target: 82, protocol: udp, mode: host}]\n", "ports",
     [dict(target=22, published=22, protocol="tcp", mode="ingress"), dict(target=80, published=None, protocol="tcp", mode="ingress"),
      dict(target=81, published=8081, protocol="", mode=""), dict(target=82, published=None, protocol="udp", mode="host")]),
    ("    volumes: [data:/data:ro, /anon, {type: tmpfs, target: /t, tmpfs: {size: 1000}}]\n", "volumes",
     [dict(type="volume", source="data", target="/data", read_only=True), dict(type="volume", target="/anon", read_only=False),
      dict(type="tmpfs", target="/t", read_only=False, tmpfs={"size": 1000})]),
    ("    deploy: {mode: replicated, replicas: 2, labels: [a=b], resources: {limits: {memory: 64M}}}\n", "deploy",
     {"mode": "replicated", "replicas": 2, "labels": {"a": "b"}, "resources": {"limits": {"memory": "64M"}}}),
    ("    stop_grace_period: 1m\n", "stop_grace_period", "1m"),
    ("    read_only: true\n", "read_only", True),
    ("    init: true\n", "init", True),
    ("    restart: on-failure\n", "restart", "on-failure"),
    ("    oom_score_adj: -500\n", "oom_score_adj", -500),
]


@pytest.mark.parametrize("service,key,value", LONG_FORMS, ids=["%s-%d" % (c[1], i) for i, c in enumerate(LONG_FORMS)])
def test_long_forms(tmp_path, service, key, value):
    assert _web(tmp_path, service, tail="secrets: {s: {external: true}}\nvolumes: {data: {}}\nnetworks: {front: {}, back: {}}\n")[key] == value


def test_dropped_keys(tmp_path):
    web = _web(tmp_path, "    build: .\n    container_name: c\n    depends_on: [db]\n    tmpfs: /run\n    x-extra: 1\n    privileged: true\n")
    assert set(web) == {"image", "environment", "networks"}


def test_bind_sources_are_made_absolute(tmp_path):
    web = _web(tmp_path, "    volumes: [./conf:/conf, \"~/x:/x\", {type: bind, source: rel, target: /r}, /abs:/abs]\n", env={"HOME": "/home/u"})
    assert [v["source"] for v in web["volumes"]] == [str(tmp_path / "conf"), "/home/u/x", str(tmp_path / "rel"), "/abs"]


def test_environment_env_file_and_lookup(tmp_path):
    _write(tmp_path, "a.env", 'FROM_FILE=1\nOVERRIDE=file\nQ="quoted"\nBARE\nEMPTY_IN_FILE=\n')
    web = _web(tmp_path, "    env_file: a.env\n    environment: {OVERRIDE: env, EMPTY: '', NONE: null, UNSET: null}\n",
               env={"BARE": "b", "EMPTY": "from-env", "NONE": "n", "EMPTY_IN_FILE": "e"})
    # env_file first, environment over it; a nil or empty value takes the variable when it is defined (updateEnvironment)
    assert web["environment"] == {"FROM_FILE": "1", "OVERRIDE": "env", "Q": '"quoted"', "BARE": "b", "EMPTY_IN_FILE": "e",
                                  "EMPTY": "from-env", "NONE": "n", "UNSET": None}


def test_variable_sources_and_their_order(tmp_path, monkeypatch):
    monkeypatch.setenv("FROM_OS", "os")
    monkeypatch.setenv("ALL", "os")
    _write(tmp_path, ".env", "ALL=dotenv\nDOT=d\nREF=${DOT}-x\n")
    one = _write(tmp_path, "one.env", "ALL=one\nONE=1\nCHAIN=${DOT}${ONE}\n")
    two = _write(tmp_path, "two.env", "ALL=two\n")
    lookup = variables(env={"ALL": "env", "N": 3}, env_files=[one, two], project_dir=str(tmp_path))
    assert lookup == {"ALL": "env", "DOT": "d", "REF": "d-x", "ONE": "1", "CHAIN": "d1", "N": "3"}
    assert variables(env_files=[one, two], project_dir=str(tmp_path))["ALL"] == "two"
    assert variables(project_dir=str(tmp_path))["ALL"] == "dotenv"
    assert variables(project_dir=str(tmp_path), dotenv=False) == {}
    assert variables(project_dir=str(tmp_path), use_controller_env=True)["FROM_OS"] == "os"
    assert "FROM_OS" not in variables(project_dir=str(tmp_path))


def test_interpolation_uses_the_variables_only(tmp_path, monkeypatch):
    monkeypatch.setenv("TAG", "from-os")
    assert _web(tmp_path, "", head="")["image"] == "nginx"
    project = _load(tmp_path, "services:\n  web:\n    image: nginx:${TAG:-none}\n")
    assert project["services"]["web"]["image"] == "nginx:none"
    assert _load(tmp_path, "services:\n  web:\n    image: nginx:${TAG}\n", env={"TAG": "1"})["services"]["web"]["image"] == "nginx:1"


def test_cli_warnings_and_the_ones_it_forgets(tmp_path):
    project = _load(tmp_path, """
services:
  web:
    image: nginx
    build: .
    restart: on-failure
    privileged: true
    container_name: cc
    expose: ["80"]
    depends_on: [db]
    tmpfs: /run
    ports: ["127.0.0.1:8080:80"]
    volumes: [./conf:/conf]
    networks: {n: {ipv4_address: 10.0.0.2}}
networks: {n: {}}
""")
    warnings = project["warnings"]
    assert warnings[0] == "Ignoring unsupported options: build, privileged, restart"
    assert warnings[1] == ("Ignoring deprecated options:\n\ncontainer_name: Setting the container name is not supported.\n\nexpose: Exposing "
                           "ports is unnecessary - services on the same network can access each other's containers on any port.")
    text = "\n".join(warnings)
    for part in ("services.web.depends_on is ignored in swarm mode", "services.web.tmpfs is ignored by docker stack deploy",
                 "services.web.networks.n.ipv4_address is ignored in swarm mode",
                 "services.web.ports[0]: ignoring IP-address (127.0.0.1:8080:80/tcp) service will listen on '0.0.0.0'",
                 "services.web.volumes[0]: the relative bind source './conf' is %s" % (tmp_path / "conf"),
                 "services.web.restart: 'on-failure' is used as the restart policy because deploy.restart_policy is absent"):
        assert part in text
    with pytest.raises(InvalidInput, match="^strict: Ignoring unsupported options: build$"):
        _load(tmp_path, "services:\n  web:\n    image: nginx\n    build: .\n", strict=True)


def test_compose_specification_keys(tmp_path):
    project = _load(tmp_path, """
name: shop
services:
  web:
    image: nginx
    depends_on: {db: {condition: service_healthy}}
    pull_policy: always
    scale: 3
    deploy: {x-note: 1}
    ports: [{target: 80, published: "8000-8001", host_ip: 127.0.0.1, app_protocol: http}]
networks:
  n: {enable_ipv6: true, ipam: {config: [{subnet: 10.0.0.0/24, gateway: 10.0.0.1}]}}
models: {m: {model: ai/smollm2}}
configs:
  c: {content: "port=${PORT:-80}"}
secrets:
  s: {environment: DB_PASSWORD}
""")
    assert project["name"] == "shop" and project["version"] is None
    assert project["services"]["web"]["ports"] == [dict(target=80, published=p, protocol="", mode="") for p in (8000, 8001)]
    text = "\n".join(project["warnings"])
    for part in ("services.web.depends_on is ignored in swarm mode", "(the map form with conditions is a Compose Specification feature)",
                 "services.web.pull_policy is a Compose Specification key that swarm mode does not use",
                 "services.web.scale is a Compose Specification key that swarm mode does not use; it is ignored; set deploy.replicas",
                 "services.web.deploy.x-note: x- keys inside deploy", "services.web.ports[0]: host_ip has no swarm equivalent",
                 "services.web.ports[0]: the published range 8000-8001 is expanded", "networks.n.enable_ipv6 is not converted",
                 "networks.n.ipam.config[0].gateway: docker stack deploy takes only subnet", "models: Compose Specification models"):
        assert part in text
    data = object_data(project, env={"DB_PASSWORD": "pw"})
    assert data == {"secrets": {"s": b"pw"}, "configs": {"c": b"port=80"}}


REFUSED = [
    ("services:\n  w:\n    image: a\n    mem_limit: 1g\n    extends: x\n",
     "compose.yml: Compose file contains unsupported options:\n\nextends: Support for `extends` is not implemented yet.\n\n"
     "mem_limit: Set resource limits using deploy.resources\n"),
    ("services:\n  w:\n    image: a\n    cpus: 1\n",
     "compose.yml: services.w.cpus is not supported in a swarm stack: Set resource limits using deploy.resources."),
    ("services:\n  w:\n    image: a\n    profiles: [debug]\n", "compose.yml: services.w.profiles is not supported by swarm_stack"),
    ("services:\n  w:\n    image: a\n    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}\n",
     "services.w.deploy.resources.reservations.devices is not supported in a swarm stack; reserve devices with generic_resources"),
    ("include: [x.yml]\nservices:\n  w:\n    image: a\n", "compose.yml: include is not supported by swarm_stack"),
    ('version: "3.13"\nservices:\n  w:\n    image: a\n    cpus: 1\n', "compose.yml: services.w: Additional property cpus is not allowed"),
    ("services:\n  w:\n    command: x\n",
     "services.w: invalid image reference for service w: no image specified; set image:, e.g. image: nginx:1.27"),
    ("services:\n  w:\n    image: Nginx\n", "services.w.image: invalid image reference for service w: invalid reference format: repository name (Nginx)"),
    ('version: "2.4"\nservices:\n  w:\n    image: a\n', "compose.yml: unsupported Compose file version: 2.4"),
    ("services:\n  w:\n    image: a\nsecrets: {s: {}}\n", "secrets.s: give file: (or external: true or environment:)"),
    ("services:\n  w:\n    image: a\nvolumes: {v: {external: true, driver: local}}\n",
     'compose.yml: volumes.v: conflicting parameters "external" and "driver" specified for volume "v"'),
    ("services:\n  w:\n    image: a\nnetworks: {n: {external: {name: x}, name: y}}\n",
     "compose.yml: networks.n: network.external.name and network.name conflict; only use network.name."),
    ("services:\n  w:\n    image: a\nsecrets: {s: {driver: d, file: f}}\n", "secrets.s: secret s: secret.driver and secret.file conflict"),
    ("services:\n  w:\n    image: ${T:?set T}\n", 'compose.yml: invalid interpolation format for services.w.image: "required variable T is missing'),
    ("services:\n  w:\n    image: a\n    volumes: [{type: bind, target: /x}]\n",
     'services.w.volumes[0]: invalid mount config for type "bind": field Source must not be empty'),
    ("services:\n  w:\n    image: a\n    env_file: nope.env\n", "compose.yml: services.w.env_file[0]: cannot read"),
    ("services:\n  w:\n    image: a\n  w:\n    image: b\n", 'compose.yml line 4 column 3: mapping key "w" already defined at line 2'),
]


@pytest.mark.parametrize("text,message", REFUSED)
def test_refused_with_file_path_and_fix(tmp_path, text, message):
    with pytest.raises(InvalidInput) as exc:
        _load(tmp_path, text)
    assert message in exc.value.msg


def test_objects(tmp_path):
    _write(tmp_path, "pw.txt", "secret")
    project = _load(tmp_path, """
version: "3.8"
services: {w: {image: a}}
networks:
  ext: {external: {name: real}}
  own: {driver: overlay, labels: [a=1]}
volumes:
  v: {external: true}
secrets:
  s: {file: ./pw.txt, labels: {k: 1}}
  e: {external: true, name: other}
configs:
  c: {external: {name: c2}}
""")
    assert project["networks"] == {"ext": {"external": True, "name": "real"}, "own": {"driver": "overlay", "labels": {"a": "1"}, "external": False}}
    assert project["volumes"] == {"v": {"external": True, "name": "v"}}
    assert project["secrets"] == {"s": {"file": str(tmp_path / "pw.txt"), "labels": {"k": "1"}, "external": False},
                                  "e": {"external": True, "name": "other"}}
    assert project["configs"] == {"c": {"external": True, "name": "c2"}}
    assert "networks.ext: network ext: network.external.name is deprecated in favor of network.name" in "\n".join(project["warnings"])
    assert "config c: config.external.name is deprecated" in "\n".join(project["warnings"])
    assert object_data(project) == {"secrets": {"s": b"secret"}, "configs": {}}


def test_object_data_errors_never_show_data(tmp_path):
    project = _load(tmp_path, "services: {w: {image: a}}\nsecrets: {s: {file: ./missing}, e: {environment: PW}}\n")
    with pytest.raises(InvalidInput, match=r"secrets.s.file: cannot read '.*missing' on the controller \(No such file or directory\)"):
        object_data(project)
    del project["secrets"]["s"]
    with pytest.raises(InvalidInput, match="secrets.e.environment: the variable PW is not set; give it in env:"):
        object_data(project)


def test_merge_of_files_cli_and_spec(tmp_path):
    _write(tmp_path, "pw.txt", "x")
    base = _write(tmp_path, "a.yml", 'version: "3.8"\nservices:\n  w:\n    image: a\n    ports: ["80", "443"]\n    environment: {A: "1"}\n'
                                     "    deploy: {replicas: 3}\nnetworks: {n: {driver: overlay, attachable: true}}\n")
    over = _write(tmp_path, "b.yml", 'version: "3.8"\nservices:\n  w:\n    image: b\n    ports: ["8080:80"]\n    environment: {B: "2"}\n'
                                     "    deploy: {replicas: 0}\nnetworks: {n: {labels: {a: b}}}\n")
    project = load_project([base, over])
    w = project["services"]["w"]
    assert w["image"] == "b" and w["environment"] == {"A": "1", "B": "2"} and w["deploy"] == {"replicas": 0}
    assert [(p["target"], p["published"]) for p in w["ports"]] == [(443, None), (80, 8080)]  # [verified bug]
    assert project["networks"]["n"] == {"labels": {"a": "b"}, "external": False}  # [verified] replaced whole
    spec = load_project([base, over], rules="spec")
    assert [(p["target"], p["published"]) for p in spec["services"]["w"]["ports"]] == [(80, None), (443, None), (80, 8080)]
    assert spec["networks"]["n"] == {"driver": "overlay", "attachable": True, "labels": {"a": "b"}, "external": False}
    mismatch = _write(tmp_path, "c.yml", 'version: "3.9"\nservices: {w: {image: c}}\n')
    with pytest.raises(InvalidInput, match="c.yml: version mismatched between two composefiles : 3.8 and 3.9"):
        load_project([base, mismatch])


def test_reset_needs_spec_rules(tmp_path):
    base = _write(tmp_path, "a.yml", "services:\n  w:\n    image: a\n    ports: ['80:80']\n")
    over = _write(tmp_path, "b.yml", "services:\n  w:\n    ports: !reset []\n")
    assert "ports" not in load_project([base, over], rules="spec")["services"]["w"]
    with pytest.raises(InvalidInput, match="b.yml line 3 column 12: the !reset tag is a Compose Specification feature"):
        load_project([base, over])


def test_inline_definition(tmp_path):
    project = load_project(definition="services:\n  w:\n    image: a\n    environment: {A: yes}\n", project_dir=str(tmp_path))
    assert project["services"]["w"]["environment"] == {"A": "yes"} and project["working_dir"] == str(tmp_path)
    project = load_project(definition={"services": {"w": {"image": "a", "volumes": ["./d:/d"]}}}, project_dir=str(tmp_path))
    assert project["services"]["w"]["volumes"][0]["source"] == str(tmp_path / "d")
    with pytest.raises(InvalidInput, match="files: give the Compose files"):
        load_project()
    with pytest.raises(InvalidInput, match="rules: 'x' is not one of cli, spec"):
        load_project(definition={}, rules="x")


def test_cluster_volumes_keep_their_spec_and_spec_externals_take_strings(tmp_path):
    project = _load(tmp_path, 'version: "3.13"\nservices: {w: {image: a}}\nvolumes:\n  c: {driver: csi, x-cluster-spec: {group: g}, x-other: 1}\n')
    assert project["volumes"]["c"] == {"driver": "csi", "x-cluster-spec": {"group": "g"}, "external": False}
    project = _load(tmp_path, 'services: {w: {image: a}}\nnetworks: {n: {external: "false"}, m: {external: "true"}}\n')
    assert project["networks"] == {"n": {"external": False}, "m": {"external": True, "name": "m"}}
