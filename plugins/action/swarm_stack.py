# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for beekeeper.swarm.swarm_stack: the Compose project is read on the controller, where its files are.

Files, env files, ``.env`` and the secret and config files are read and the project loaded, merged, interpolated
and validated here (plugin_utils/_compose_load), so a bad file fails before the manager is asked anything, and
the node needs no YAML or schema library. The module gets the loaded project and the objects' contents (base64,
in its no_log ``data`` option: never displayed, logged or returned).
"""

from __future__ import annotations

import base64
import os

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.plugin_utils._compose_load import load_project, object_data

# Options the loader reads here; the module gets the project instead.
LOADER_OPTIONS = ("files", "definition", "project_dir", "env", "env_files", "dotenv", "use_controller_env", "rules", "strict")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # not used: the project travels as a module option
        args = dict(self._task.args)
        try:
            module_args, warnings = self._load(args)
        except InvalidInput as exc:
            result.update(failed=True, msg=exc.msg)
            return result
        result.update(self._execute_module(module_name="beekeeper.swarm.swarm_stack", module_args=module_args, task_vars=task_vars))
        if warnings:
            result["warnings"] = warnings + list(result.get("warnings") or [])
            result["warnings_compose"] = warnings
        return result

    def _flag(self, args, key, default):
        value = args.get(key, default)
        try:
            return boolean(value, strict=True)
        except (TypeError, ValueError):
            raise InvalidInput("%s: %r is not a boolean; write true or false." % (key, value)) from None

    def _find(self, option, path):
        if not isinstance(path, str) or not path or "\x00" in path:
            raise InvalidInput("%s: %r is not a path; give a file's path, e.g. stacks/app/compose.yml." % (option, path))
        try:
            return self._find_needle("files", path)
        except AnsibleError:
            raise InvalidInput("%s: cannot find '%s' on the controller; give a file there (a relative path is looked up in the role's "
                               "or playbook's files/)." % (option, path)) from None

    def _load(self, args):
        state = args.get("state", "present")
        module_args = dict((k, v) for k, v in args.items() if k not in LOADER_OPTIONS)
        if state == "absent":
            if not args.get("name"):
                raise InvalidInput("name: required with state: absent; name the stack to remove.")
            return module_args, []
        files, definition = args.get("files"), args.get("definition")
        if bool(files) == (definition is not None):
            raise InvalidInput("files and definition: give exactly one of them - files: [compose.yml, ...] on the controller, or an "
                               "inline definition.")
        if files is not None and not isinstance(files, list):
            files = [files]
        paths = [self._find("files[%d]" % i, f) for i, f in enumerate(files or [])]
        env = args.get("env") or {}
        if not isinstance(env, dict):
            raise InvalidInput("env: %r is not a mapping; give variables as NAME: value." % (env,))
        env_files = [self._find("env_files[%d]" % i, f) for i, f in enumerate(args.get("env_files") or [])]
        project_dir = args.get("project_dir")
        if project_dir is None and definition is not None:
            project_dir = self._loader.get_basedir()
        rules = args.get("rules", "cli")
        if rules not in ("cli", "spec"):
            raise InvalidInput("rules: '%s' is not one of cli, spec; use cli (the docker CLI's merge and interpolation) or spec "
                               "(the Compose Specification's)." % (rules,))
        options = dict(project_dir=os.path.abspath(project_dir) if project_dir else None, env=dict((str(k), v) for k, v in env.items()),
                       env_files=env_files, dotenv=self._flag(args, "dotenv", True),
                       use_controller_env=self._flag(args, "use_controller_env", False), rules=rules, strict=self._flag(args, "strict", False))
        project = load_project(files=paths or None, definition=definition, **options)
        name = args.get("name") or project.get("name")
        if not name:
            raise InvalidInput("name: missing; name the stack (name: shop), or give the project a top-level name:.")
        warnings = list(project.pop("warnings", None) or [])
        if args.get("name") and project.get("name") and project["name"] != args["name"]:
            warnings.append("name: the stack is deployed as '%s'; the project's own name '%s' is not used." % (args["name"], project["name"]))
        data = object_data(project, env=options["env"], env_files=env_files, project_dir=options["project_dir"],
                           dotenv=options["dotenv"], use_controller_env=options["use_controller_env"])
        module_args.update(name=name, project=project,
                           data=dict((kind, dict((k, base64.b64encode(v).decode("ascii")) for k, v in items.items()))
                                     for kind, items in data.items()))
        return module_args, warnings
