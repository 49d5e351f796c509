#!/usr/bin/env python
"""Check that every role's defaults/main.yml keys equal its argument_specs `main` options.

Usage: python tests/check_argument_specs.py [ROLES_DIR]   (default: roles/ next to tests/)
Exits 1 listing every difference; 0 when all roles agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def check_role(role: Path) -> list[str]:
    problems: list[str] = []
    defaults_file = role / "defaults" / "main.yml"
    specs_file = role / "meta" / "argument_specs.yml"
    defaults = yaml.safe_load(defaults_file.read_text()) if defaults_file.exists() else {}
    defaults = defaults or {}
    if not specs_file.exists():
        return [f"{role.name}: meta/argument_specs.yml is missing"]
    specs = (yaml.safe_load(specs_file.read_text()) or {}).get("argument_specs") or {}
    if "main" not in specs:
        return [f"{role.name}: argument_specs has no 'main' entry point"]
    options = specs["main"].get("options") or {}
    for name in sorted(set(defaults) - set(options)):
        problems.append(f"{role.name}: {name} is in defaults/main.yml but not in argument_specs main options")
    for name in sorted(set(options) - set(defaults)):
        problems.append(f"{role.name}: {name} is in argument_specs main options but not in defaults/main.yml")
    for name in sorted(set(options) & set(defaults)):
        spec = options[name] or {}
        if "default" in spec and spec["default"] != defaults[name]:
            problems.append(f"{role.name}: {name} default differs: defaults/main.yml {defaults[name]!r}, argument_specs {spec['default']!r}")
    return problems


def main(argv: list[str]) -> int:
    roles_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "roles"
    roles = sorted(p for p in roles_dir.iterdir() if p.is_dir())
    problems = [p for role in roles for p in check_role(role)]
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"argument_specs match defaults in {len(roles)} role(s): {', '.join(r.name for r in roles)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
