# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the swarm_secret / swarm_config action plugin's own checks: the options it reads on the
controller (src, remote_src, data) before it reads a file or runs the module."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.action import swarm_config, swarm_secret
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput

SRC_NOT_A_PATH = "src: %s is not a path; give the file's path as a string, e.g. src: files/db_password."
NOT_BOOLEAN = ("remote_src: %s is not a boolean; write true (src is on the node the module runs on) or false (src is on the "
               "controller).")
NOT_CONTENT = ("data: %s is not content; give the content as a string (quote it in YAML, or use | string), or base64 text with "
               "data_is_b64: true.")

GOOD = [
    ("a controller file", dict(name="s", src="db_password"), "db_password"),
    ("a node file", dict(name="s", src="/etc/x", remote_src=True), None),
    ("remote_src as text", dict(name="s", src="/etc/x", remote_src="yes"), None),
    ("remote_src false as text", dict(name="s", src="x", remote_src="no"), "x"),
    ("remote_src null", dict(name="s", src="x", remote_src=None), "x"),
    ("inline data", dict(name="s", data="text"), None),
    ("removal", dict(name="s", src="x", state="absent"), None),
    ("labels only", dict(name="s"), None),
]


@pytest.mark.parametrize("args, src", [c[1:] for c in GOOD], ids=[c[0] for c in GOOD])
def test_controller_src(args, src):
    assert swarm_secret.controller_src(args) == src


BAD = [
    # The issue: src: 5 or a mapping was an AttributeError in the plugin.
    ("src a number", dict(name="s", src=5), SRC_NOT_A_PATH % "a number"),
    ("src a mapping", dict(name="s", src={"path": "x"}), SRC_NOT_A_PATH % "a mapping"),
    ("src a list", dict(name="s", src=["x"]), SRC_NOT_A_PATH % "a list"),
    ("src empty", dict(name="s", src=""), "src: '' is not a path; give the file's path, e.g. src: files/db_password."),
    ("src a NUL byte", dict(name="s", src="a\x00b"), "src: 'a\\x00b' is not a path; give the file's path, e.g. src: files/db_password."),
    # The issue: remote_src: [] was taken as false.
    ("remote_src a list", dict(name="s", src="x", remote_src=[]), NOT_BOOLEAN % "[]"),
    ("remote_src a word", dict(name="s", src="x", remote_src="maybe"), NOT_BOOLEAN % "'maybe'"),
    ("remote_src a number", dict(name="s", src="x", remote_src=2), NOT_BOOLEAN % "2"),
    # The issue: data: ["x"] was stored as "['x']".
    ("data a list", dict(name="s", data=["s3cret"]), NOT_CONTENT % "a list"),
    ("data a number", dict(name="s", data=4242), NOT_CONTENT % "a number"),
]


@pytest.mark.parametrize("args, message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_controller_src_refuses(args, message):
    with pytest.raises(InvalidInput) as err:
        swarm_secret.controller_src(args)
    assert err.value.msg == message
    assert "s3cret" not in err.value.msg and "4242" not in err.value.msg, "data must never reach a message"


def test_the_config_plugin_is_the_secret_plugin_for_configs():
    assert issubclass(swarm_config.ActionModule, swarm_secret.ActionModule)
    assert swarm_config.ActionModule.KIND == "config"
