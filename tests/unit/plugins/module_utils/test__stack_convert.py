"""swarm_stack's conversion judged against what `docker stack deploy` stored on the lab's engines.

tests/integration/swarm_stack/record_cli.py deployed every corpus file with the docker CLI on Engine 20.10 and 26.1
and recorded the services as the engine lists them. Each corpus file is loaded here as the action plugin loads it
and converted as the module converts it; the spec swarm_service's table builds must read the same, in the table's
canonical form, as the CLI's (network IDs in the recording mapped back to names). The CLI's process environment
gave HOME=/root; the same variable is given here through env.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _service_spec as table
from ansible_collections.beekeeper.swarm.plugins.module_utils import _stack_convert as convert
from ansible_collections.beekeeper.swarm.plugins.module_utils._service import _with_args, normalized
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_load import load_project

ROOT = Path(__file__).resolve().parents[4]
CORPUS = ROOT / "tests" / "integration" / "swarm_stack" / "corpus"
FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "stacks"
CASES = sorted((engine.name, path.stem) for engine in FIXTURES.iterdir() if engine.is_dir()
               for path in engine.glob("[0-9][0-9]-*.json") if json.loads(path.read_text()).get("deploy_rc") == 0)


def _converted(stack, project, recorded):
    ids = recorded["network_ids"]
    refs = dict(secrets={}, configs={})
    for kind in ("secrets", "configs"):
        for key, entry in (project.get(kind) or {}).items():
            refs[kind][key] = convert.object_name(stack, key, entry)
    specs = {}
    for key, svc in project["services"].items():
        params = convert.service_params(stack, key, svc, project, refs)
        for item in params.get("networks") or []:
            item["resolved_id"] = ids.get(item["name"], item["name"])
        p = _with_args(normalized(params))
        for kind in ("secrets", "configs"):
            found = recorded.get("%s_ids" % kind[:-1], {})
            for item in p.get(kind) or []:
                item["resolved_id"], item["resolved_name"] = found.get(item["source"], item["source"]), item["source"]
        specs[params["name"]] = table.build(p)
    return specs


@pytest.mark.parametrize("engine,name", CASES, ids=["%s-%s" % c for c in CASES])
def test_conversion_matches_the_cli(engine, name):
    recorded = json.loads((FIXTURES / engine / (name + ".json")).read_text())
    project = load_project([str(CORPUS / (name + ".yml"))], env={"HOME": "/root"})
    specs = _converted(recorded["stack"], project, recorded)
    stored = dict((s["Spec"]["Name"], s["Spec"]) for s in recorded["services"])
    assert sorted(specs) == sorted(stored)
    for svc_name, spec in specs.items():
        want, have = table.canonical(spec), table.canonical(stored[svc_name])
        differ = dict((k, (have[k], want[k])) for k in want if want[k] != have[k])
        assert not differ, "%s %s: (CLI, ours) %s" % (engine, svc_name, differ)
