# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _compose_envfile: a service env_file read as docker/cli's pkg/kvfile reads it (literal values), and
.env / env_files read as docker compose's dotenv reads them (STACKS.md 1.7)."""

from __future__ import annotations

import pytest

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_envfile import parse_dotenv, parse_kvfile, read_dotenv, read_kvfile

KVFILE = [
    (b'Q="quoted"\n', {}, [("Q", '"quoted"')]),  # [verified] quotes stay
    (b"I=a # not a comment\n", {}, [("I", "a # not a comment")]),  # [verified] # only at line start
    (b"# comment\n\n   \nA=1\n", {}, [("A", "1")]),
    (b"  LEAD=1\n\tTAB=2\n", {}, [("LEAD", "1"), ("TAB", "2")]),
    (b"TRAIL=1  \n", {}, [("TRAIL", "1  ")]),
    (b"BARE\nGONE\n", {"BARE": "from-env"}, [("BARE", "from-env")]),
    (b"\xef\xbb\xbfBOM=1\n", {}, [("BOM", "1")]),
    (b"CRLF=1\r\nX=${Y}\r\n", {"Y": "no"}, [("CRLF", "1"), ("X", "${Y}")]),
    (b"E=\nEQ=a=b\n", {}, [("E", ""), ("EQ", "a=b")]),
    (b"NOEOL=1", {}, [("NOEOL", "1")]),
]


@pytest.mark.parametrize("data,lookup,pairs", KVFILE)
def test_kvfile_is_literal(data, lookup, pairs):
    assert parse_kvfile(data, lookup) == pairs


@pytest.mark.parametrize("data,message", [
    (b"export X=1\n", "variable 'export X' contains whitespaces"),  # [verified]
    (b"A B=1\n", "variable 'A B' contains whitespaces"),
    (b"=1\n", "no variable name on line '=1'"),
    (b"A=1\nB=\xff\n", "invalid utf8 bytes at line 2: [66 61 255]"),
    (b"A=" + b"x" * 70000 + b"\n", "bufio.Scanner: token too long"),
])
def test_kvfile_errors(data, message):
    with pytest.raises(ValueError, match="^%s$" % message.replace("[", r"\[").replace("]", r"\]")):
        parse_kvfile(data, {})


def test_read_kvfile_names_the_option_and_file(tmp_path):
    path = tmp_path / "app.env"
    path.write_bytes(b"export X=1\n")
    with pytest.raises(InvalidInput) as exc:
        read_kvfile(str(path), {}, "f.yml: services.w.env_file[0]")
    assert exc.value.msg.startswith("f.yml: services.w.env_file[0]: invalid env file (%s): variable 'export X' contains whitespaces; " % path)
    with pytest.raises(InvalidInput, match=r"services.w.env_file\[1\]: cannot read '.*missing.env' on the controller \(No such file"):
        read_kvfile(str(tmp_path / "missing.env"), {}, "services.w.env_file[1]")


DOTENV = [
    ("export A=1\n", {}, {"A": "1"}),
    ("B='lit $x \\n'\n", {}, {"B": "lit $x \\n"}),
    ('C="line\\nnext\\t\\"q\\" \\$HOME"\n', {}, {"C": 'line\nnext\t"q" $HOME'}),
    ("D=v # comment\nE=v#not\n", {}, {"D": "v", "E": "v#not"}),
    ("F: yaml-style\n", {}, {"F": "yaml-style"}),
    ("G=${X}-${H:-d}\n", {"X": "known"}, {"G": "known-d"}),
    ("A=1\nB=$A$A\n", {}, {"A": "1", "B": "11"}),  # earlier lines of the same file expand
    ("HOME_DIR=${HOME}\n", {}, {"HOME_DIR": ""}),  # never the controller's environment
    ('M="multi\nline"\nN=2\n', {}, {"M": "multi\nline", "N": "2"}),
    ("\ufeffBOM=1\n", {}, {"BOM": "1"}),
    ("  # comment\n\nK=  spaced  \n", {}, {"K": "spaced"}),
    ("INHERIT\nX=1\n", {"INHERIT": "i"}, {"INHERIT": "i", "X": "1"}),
    ("GONE\n", {}, {}),
    ('Q="a" # trailing comment\nR=2\n', {}, {"Q": "a", "R": "2"}),
    ("OCT=\"\\0101\"\n", {}, {"OCT": "A"}),
]


@pytest.mark.parametrize("text,known,result", DOTENV)
def test_dotenv(text, known, result):
    assert parse_dotenv(text, ".env", known) == result


@pytest.mark.parametrize("text,message", [
    ("A B=1\n", ".env: line 1: key cannot contain a space"),
    ("A$=1\n", '.env: line 1: unexpected character "$" in variable name "A$=1"'),
    ('A="open\n', '.env: line 2: unterminated quoted value "open'),
    ("A=${B:?needed}\n", ".env: line 1: required variable B is missing a value: needed; write $$ for a literal $."),
])
def test_dotenv_errors(text, message):
    with pytest.raises(InvalidInput) as exc:
        parse_dotenv(text, ".env")
    assert exc.value.msg.startswith(message)


def test_read_dotenv(tmp_path):
    path = tmp_path / ".env"
    path.write_text("A=1\n")
    assert read_dotenv(str(path), ".env", {"Z": "0"}) == {"A": "1"}
    path.write_bytes(b"A=\xff\n")
    with pytest.raises(InvalidInput, match=r"\.env: '.*' is not UTF-8 text"):
        read_dotenv(str(path), ".env")
