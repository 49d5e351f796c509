# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _compose_interpolate: docker/cli's ${...} grammar with its quirks, the Compose Specification's, the
casts after interpolation, and the CLI's messages (STACKS.md 1.7)."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_interpolate import TemplateError, interpolate, substitute

ENV = {"A": "x", "E": "", "TAG": "1.2", "lower": "l"}

SUBSTITUTE = [
    # (template, rules, result)
    ("${A}", "cli", "x"), ("$A", "cli", "x"), ("${lower}", "cli", "l"), ("pre-${A}-post", "cli", "pre-x-post"),
    ("${UNSET}", "cli", ""),  # unset, no default: empty, no warning [verified]
    ("${E:-d}", "cli", "d"), ("${UNSET:-d}", "cli", "d"), ("${A:-d}", "cli", "x"),
    ("${E-d}", "cli", ""), ("${UNSET-d}", "cli", "d"),
    ("$$", "cli", "$"), ("$${A}", "cli", "${A}"), ("a$$b", "cli", "a$b"),
    ("${E:?must be set}", "spec", None), ("${A:?must be set}", "cli", "x"), ("${E?msg}", "cli", ""),
    # the CLI's quirks
    ("busybox:${A:-${OTHER:-x}}", "cli", "busybox:x}"),  # the default stops at the first }
    ("busybox:${UNSET:-${OTHER:-x}}", "cli", "busybox:${OTHER:-x}"),  # [verified: busybox:${OTHER:-x}]
    ("$A-b", "cli", "x"), ("$UNSET-b", "cli", "b"),  # an unbraced name takes an operator too, up to the first }
    ("${UNSET:?must-be-set}", "cli", "be-set"),  # "-" is tried before "?": the default of a variable named "UNSET:?must"
    # the Compose Specification's
    ("${A}", "spec", "x"), ("$A-b", "spec", "x-b"), ("${UNSET:-${OTHER:-x}}", "spec", "x"), ("${A:-${OTHER:-x}}", "spec", "x"),
    ("${A:+alt}", "spec", "alt"), ("${E:+alt}", "spec", ""), ("${E+alt}", "spec", "alt"), ("${UNSET+alt}", "spec", ""),
    ("${UNSET:-$A}", "spec", "x"), ("$$A", "spec", "$A"), ("${UNSET-}", "spec", ""),
]


@pytest.mark.parametrize("template,rules,result", [s for s in SUBSTITUTE if s[2] is not None])
def test_substitute(template, rules, result):
    assert substitute(template, ENV, rules) == result


@pytest.mark.parametrize("template,rules,error", [
    ("${T?T must be set}", "cli", "required variable T is missing a value: T must be set"),
    ("${E:?empty}", "cli", "required variable E is missing a value: empty"),
    ("${A:+x}", "cli", "${A:+x}"), ("${A+x}", "cli", "${A+x}"),  # [verified: invalid interpolation format]
    ("price $5", "cli", "price $5"), ("${}", "cli", "${}"), ("${A", "cli", "${A"),
    ("${T:?}", "spec", "required variable T is missing a value"), ("${E:?why $A}", "spec", "required variable E is missing a value: why x"),
    ("${A x}", "spec", "${A x}"), ("$ ", "spec", "$ "),
])
def test_substitute_errors(template, rules, error):
    with pytest.raises(TemplateError) as exc:
        substitute(template, ENV, rules)
    assert exc.value.template == error


def test_the_cli_forgets_an_error_followed_by_a_good_expression():
    notes = []
    assert substitute("${T:?set it} ${A}", ENV, "cli", notes) == " x"
    assert notes == ["required variable T is missing a value: set it"]
    warnings = []
    interpolate({"services": {"w": {"image": "$ ${A}"}}}, ENV, "f.yml", warnings=warnings)
    assert warnings == ['f.yml: services.w.image: the docker CLI ignores "$ ${A}" in "$ ${A}" because a later ${...} in the same value '
                        'interpolates; fix or escape it']


@pytest.mark.parametrize("data,rules,message", [
    ({"services": {"web": {"image": "${NOTAG:?NOTAG must be set}"}}}, "cli",
     'f.yml: invalid interpolation format for services.web.image: "required variable NOTAG is missing a value: NOTAG must be set"; '
     "you may need to escape any $ with another $."),  # [verified] wording
    ({"services": {"web": {"image": "busybox:${A:+x}"}}}, "cli",
     'f.yml: invalid interpolation format for services.web.image: "busybox:${A:+x}"; you may need to escape any $ with another $.'),
    ({"services": {"web": {"command": ["a", "cost $5"]}}}, "cli", "f.yml: invalid interpolation format for services.web.command[1]:"),
    ({"services": {"web": {"deploy": {"replicas": "${N}"}}}}, "cli",
     'f.yml: error while interpolating services.web.deploy.replicas: failed to cast to expected type: strconv.Atoi: parsing "": invalid syntax'),
    ({"services": {"web": {"read_only": "${A}"}}}, "cli",
     "f.yml: error while interpolating services.web.read_only: failed to cast to expected type: invalid boolean: x"),
    ({"services": {"web": {"image": "${T:?}"}}}, "spec",
     'f.yml: invalid interpolation format for services.web.image: "required variable T is missing a value"'),
])
def test_interpolation_errors_name_the_file_and_path(data, rules, message):
    with pytest.raises(InvalidInput) as exc:
        interpolate(data, ENV, "f.yml", rules)
    assert exc.value.msg.startswith(message)


CASTS = [
    # (service or top-level data, variables, expected)
    ({"services": {"w": {"deploy": {"replicas": "${N}", "update_config": {"parallelism": "$N", "max_failure_ratio": "${F}"}}}}},
     {"N": "3", "F": "0.5"}, {"services": {"w": {"deploy": {"replicas": 3, "update_config": {"parallelism": 3, "max_failure_ratio": 0.5}}}}}),
    ({"services": {"w": {"read_only": "${B}", "tty": "${B}", "stdin_open": "${N}", "healthcheck": {"disable": "$B", "retries": "$R"}}}},
     {"B": "yes", "N": "off", "R": "5"},
     {"services": {"w": {"read_only": True, "tty": True, "stdin_open": False, "healthcheck": {"disable": True, "retries": 5}}}}),
    ({"services": {"w": {"ports": [{"target": "${P}", "published": "${P}"}], "secrets": [{"source": "s", "mode": "${M}"}]}}},
     {"P": "80", "M": "292"}, {"services": {"w": {"ports": [{"target": 80, "published": 80}], "secrets": [{"source": "s", "mode": 292}]}}}),
    ({"services": {"w": {"ulimits": {"nofile": "${U}", "nproc": {"soft": "${U}", "hard": "${U}"}}, "oom_score_adj": "${U}"}}},
     {"U": "10"}, {"services": {"w": {"ulimits": {"nofile": 10, "nproc": {"soft": 10, "hard": 10}}, "oom_score_adj": 10}}}),
    ({"services": {"w": {"volumes": [{"read_only": "$B", "volume": {"nocopy": "$B"}}]}}}, {"B": "y"},
     {"services": {"w": {"volumes": [{"read_only": True, "volume": {"nocopy": True}}]}}}),
    ({"networks": {"n": {"external": "$B", "internal": "$B", "attachable": "$B"}}, "volumes": {"v": {"external": "$B"}},
      "secrets": {"s": {"external": "$B"}}, "configs": {"c": {"external": "$B"}}}, {"B": "on"},
     {"networks": {"n": {"external": True, "internal": True, "attachable": True}}, "volumes": {"v": {"external": True}},
      "secrets": {"s": {"external": True}}, "configs": {"c": {"external": True}}}),
    # only strings that changed are cast; other paths stay strings; keys are never interpolated
    ({"services": {"w": {"deploy": {"replicas": "3"}, "labels": {"n": "${N}"}, "environment": {"$K": "v"}}}}, {"N": "3", "K": "k"},
     {"services": {"w": {"deploy": {"replicas": "3"}, "labels": {"n": "3"}, "environment": {"$K": "v"}}}}),
]


@pytest.mark.parametrize("data,env,expected", CASTS)
def test_casts_at_the_cli_paths(data, env, expected):
    assert interpolate(data, env, "f.yml") == expected


def test_spec_files_keep_published_ranges_and_cast_init():
    data = {"services": {"w": {"ports": [{"target": 80, "published": "${R}"}], "init": "${B}"}}}
    assert interpolate(data, {"R": "8000-8001", "B": "true"}, "f.yml", "spec") == {
        "services": {"w": {"ports": [{"target": 80, "published": "8000-8001"}], "init": True}}}
