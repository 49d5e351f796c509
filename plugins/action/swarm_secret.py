# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for beekeeper.swarm.swarm_secret: reads a controller ``src`` and passes it on as base64 ``data``.

The file's content travels only as the module's ``data`` option, which is no_log: it is never displayed,
logged, or returned. With ``remote_src: true`` (or no ``src``) the module runs unchanged.
"""

from __future__ import annotations

import base64

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import InvalidInput
from ansible_collections.beekeeper.swarm.plugins.module_utils._versioned import check_data, max_bytes, not_text, size_error


def controller_src(args):
    """The ``src`` to read on the controller, or None when the module takes the task as it is.

    Checks the options the plugin itself reads, before it reads anything; raises InvalidInput naming the
    option. ``data`` is never shown (it may be a secret), only its type."""
    check_data(args.get("data"))
    remote = args.get("remote_src")
    if remote is None:
        remote = False
    try:
        remote = boolean(remote, strict=True)
    except (TypeError, ValueError):
        raise InvalidInput("remote_src: %r is not a boolean; write true (src is on the node the module runs on) or false "
                           "(src is on the controller)." % (remote,)) from None
    src = args.get("src")
    if src is None:
        return None
    if not_text(src):
        raise InvalidInput("src: %s is not a path; give the file's path as a string, e.g. src: files/db_password." % not_text(src))
    if not src or "\x00" in src:
        raise InvalidInput("src: %r is not a path; give the file's path, e.g. src: files/db_password." % (src,))
    if args.get("data") is None and args.get("state", "present") == "present" and not remote:
        return src
    return None


class ActionModule(ActionBase):
    KIND = "secret"
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # not used: the content travels as a module option
        args = dict(self._task.args)
        try:
            src = controller_src(args)
        except InvalidInput as exc:
            result.update(failed=True, msg=exc.msg)
            return result
        if src is not None:
            try:
                path = self._find_needle("files", src)
            except AnsibleError:
                return self._fail(result, src, "no such file")
            try:
                with open(path, "rb") as handle:
                    content = handle.read()
            except OSError as exc:
                return self._fail(result, src, to_text(exc.strerror or exc))
            if len(content) > max_bytes(self.KIND):
                result.update(failed=True, msg=size_error(self.KIND, "src", len(content)))
                return result
            args.pop("src")
            args.pop("remote_src", None)
            args["data"] = to_text(base64.b64encode(content))
            args["data_is_b64"] = True
        result.update(self._execute_module(module_name="beekeeper.swarm.swarm_%s" % self.KIND, module_args=args, task_vars=task_vars))
        return result

    @staticmethod
    def _fail(result, src, why):
        result.update(failed=True, msg=(
            "src: cannot read '%s' on the controller (%s); give a file there (a relative path is looked up in the "
            "role's or playbook's files/), or set remote_src: true for a file on the node." % (src, why)))
        return result
