# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _swarm_wait: which services a selection means, and how a report is shown. Pure; the wait
itself runs on the lab (tests/integration/workloads/test_swarm_wait.py)."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils import _swarm_wait as W
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput


def svc(sid, name, **labels):
    return {"ID": sid, "Spec": {"Name": name, "Labels": labels}}


SERVICES = [
    svc("abc111", "web", stack="shop", tier="front"),
    svc("abc222", "api", stack="shop", tier="back"),
    svc("def333", "db", stack="data", tier="back"),
    svc("web", "other"),  # a service whose ID is another's name: the ID wins, as the engine resolves it
    {"ID": "fff444", "Spec": {"Name": "bare"}},  # no labels at all
]


def names(chosen):
    return [s["Spec"]["Name"] for s in chosen]


@pytest.mark.parametrize("refs, chosen, missing", [
    (["api", "db"], ["api", "db"], []),  # in the order named
    (["db", "api"], ["db", "api"], []),
    (["def333"], ["db"], []),  # a full ID
    (["def"], ["db"], []),  # a unique ID prefix
    (["web"], ["other"], []),  # a full ID before a name
    (["api", "abc222", "abc2"], ["api"], []),  # each service once, by name, ID or prefix
    (["api", "nosuch", "gone", "nosuch"], ["api"], ["nosuch", "gone"]),  # each missing name once, in order
    ([], [], []),  # an empty list means none (a templated list that came out empty), not every service
])
def test_select_by_name_or_id(refs, chosen, missing):
    got, absent = W.select(SERVICES, refs)
    assert (names(got), absent) == (chosen, missing)


def test_an_ambiguous_id_prefix_names_the_services():
    with pytest.raises(InvalidInput) as exc:
        W.select(SERVICES, ["abc"])
    assert exc.value.msg == "services: 'abc' is the start of the IDs of 2 services ('api', 'web'); use a name or a longer ID."


@pytest.mark.parametrize("labels, chosen", [
    ({"stack": "shop"}, ["api", "web"]),  # by name
    ({"stack": "shop", "tier": "back"}, ["api"]),  # every label must match
    ({"tier": None}, ["api", "db", "web"]),  # null: the key only
    ({"stack": "shop", "tier": None}, ["api", "web"]),
    ({"stack": "nope"}, []),
    ({"missing": None}, []),
    ({}, ["api", "bare", "db", "other", "web"]),  # no selection: every service
    (None, ["api", "bare", "db", "other", "web"]),
])
def test_select_by_labels(labels, chosen):
    got, absent = W.select(SERVICES, None, labels)
    assert (names(got), absent) == (chosen, [])


def test_a_label_value_must_be_a_string_or_null():
    assert W.check_labels({"stack": "shop", "team": None}) == {"stack": "shop", "team": None}
    assert W.check_labels(None) == {}
    with pytest.raises(InvalidInput) as exc:
        W.check_labels({"tier": 1})
    assert exc.value.msg == ("labels: the value of 'tier' is not a string (int); label values are strings, so quote it "
                             "(tier: \"1\"), or use null to match the key only.")
    with pytest.raises(InvalidInput) as exc:
        W.check_labels({"canary": True})
    assert "(canary: \"true\")" in exc.value.msg


BAD_SELECTIONS = [
    ("an empty service name", dict(services=["web", ""]),
     "services[1]: '' is not a service name or ID; give the service's name, e.g. services: [web]."),
    ("a name with a space", dict(services=["my web"]),
     "services[0]: 'my web' is not a service name or ID; give the service's name, e.g. services: [web]."),
    # The same label checks as swarm_service's and swarm_node's.
    ("a label value that is a mapping", dict(labels={"stack": {"a": 1}}),
     "labels.stack: a mapping is not a label value; label values are strings, e.g. labels: {stack: 'eu-1'}."),
    ("a label value that is a list", dict(labels={"stack": ["shop"]}),
     "labels.stack: a list is not a label value; label values are strings, e.g. labels: {stack: 'eu-1'}."),
    ("an empty label key", dict(labels={"": "shop"}), "labels: a key is empty; every key needs a name."),
    ("a label key with a newline", dict(labels={"stack\n": "shop"}),
     "labels: 'stack\\n' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending with a letter or "
     "digit (for example com.example.zone)."),
    ("a label key no service can have", dict(labels={"@": "shop"}),
     "labels: '@' is not a valid label key; use letters, digits, '.', '-', '_' and '/', starting and ending with a letter or "
     "digit (for example com.example.zone)."),
]


@pytest.mark.parametrize("params, message", [c[1:] for c in BAD_SELECTIONS], ids=[c[0] for c in BAD_SELECTIONS])
def test_validate_refuses(params, message):
    with pytest.raises(InvalidInput) as exc:
        W.validate(dict(dict(services=None, labels=None, wait_timeout=300), **params))
    assert exc.value.msg == message


def test_validate_accepts():
    W.validate(dict(services=["web", "abc111"], labels=None))
    W.validate(dict(services=None, labels={"stack": "shop", "tier": None}))
    W.validate(dict(services=[], labels=None))


@pytest.mark.parametrize("refs, labels, text", [
    (["a", "b"], None, "services 'a', 'b'"),
    (None, {"stack": "shop", "team": None}, "labels stack=shop, team"),
    (None, None, "every service in the swarm"),
    ([], None, "an empty list of services"),
])
def test_describe_selection(refs, labels, text):
    assert W.describe_selection(refs, labels) == text


def test_service_report_shows_a_replicated_service_and_a_job():
    replicated = dict(service="web", kind="replicated", running=3, wanted=4, update_state="updating", errors=["n2: boom"],
                      tasks=[{"id": "t1"}], state="pending", what="service 'web' to converge", progress="3/4 ...")
    assert W.service_report("s1", "web", replicated) == dict(
        name="web", id="s1", kind="replicated", converged=False, running=3, wanted=4, update_state="updating",
        errors=["n2: boom"], tasks=[{"id": "t1"}])
    job = dict(service="backup", kind="job", completed=2, wanted=2, update_state=None, errors=[], tasks=[], state="done")
    shown = W.service_report("s2", "backup", job)
    assert (shown["converged"], shown["running"], shown["wanted"]) == (True, 2, 2)
    # A service removed while waiting has only a message.
    removed = W.service_report("s3", "gone", dict(service="gone", message="...", state="failed"))
    assert (removed["converged"], removed["errors"], removed["tasks"], removed["running"]) == (False, [], [], None)
