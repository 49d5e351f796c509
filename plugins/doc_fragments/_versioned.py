# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

# Private to this collection: a doc fragment other collections must not use; it may change at any time.

from __future__ import annotations


class ModuleDocFragment:
    # The options swarm_secret and swarm_config share: a logical name, its content, labels and rotation.
    # Used with _wait, which holds wait and wait_timeout.
    DOCUMENTATION = r"""
options:
  name:
    description:
      - The logical name. Its versions are objects named C(NAME.v1), C(NAME.v2)..., labelled
        C(com.beekeeper.swarm.name=NAME), C(com.beekeeper.swarm.version=N) and C(com.beekeeper.swarm.hash=SHA-256 of the data);
        the newest is the current one.
      - Letters, digits, C(.), C(-) and C(_), starting and ending with a letter or digit, at most 58 characters
        (so that the versions fit the engine's 64).
      - "An object named exactly O(name) without these labels (made by C(docker secret create) or C(docker config create))
        is adopted as version 0: the first run with content creates C(NAME.v1) whatever the old data (the engine never
        returns a secret's data), repoints the services that use the old object, and removes it once no service uses it.
        It is removed (not kept by O(keep)) because a service naming O(name) would get it instead of the newest version."
    type: str
    required: true
  state:
    description:
      - V(present) makes the current version hold the content and labels; V(absent) removes every version (and an
        adopted plain object).
    type: str
    choices: [present, absent]
    default: present
  data:
    description:
      - The content, inline. Never shown in output, diffs or logs.
      - Takes part in idempotency through its SHA-256, stored in a label; the same content creates nothing.
      - Mutually exclusive with O(src). Without O(data) and O(src), the content is not managed (only the labels of
        the current version), and an object that does not exist yet cannot be created.
    type: str
  data_is_b64:
    description: O(data) is base64 (for binary content); it is decoded before it is stored and hashed.
    type: bool
    default: false
  src:
    description:
      - A file that holds the content; on the controller (a relative path is looked up in the role's or playbook's
        C(files/)) or, with O(remote_src=true), on the node the module runs on.
      - A controller file is read by the action plugin and passed to the module as base64, never logged.
      - Mutually exclusive with O(data). Takes part in idempotency like O(data).
    type: path
  remote_src:
    description: O(src) is on the node the module runs on, not on the controller.
    type: bool
    default: false
  labels:
    description:
      - User labels of the current version, compared and updated in place (the engine lets labels change; the data never).
        Values are strings.
      - Keys under C(com.beekeeper.swarm.) belong to the versioning and are refused.
      - Left out, the labels are not managed; a new version keeps the user labels of the current one.
    type: dict
  rotate:
    description:
      - What new content does.
      - V(true) creates the next version, repoints every service that uses any version of the logical name to it
        (same target inside the task - C(File) name, uid, gid and mode kept as they are), waits for those services to
        converge (O(wait)), then prunes old versions beyond O(keep) that no service uses any more.
      - V(false) refuses new content while any service uses a version; when none does, it creates the next version and
        removes all older ones (O(keep) does not apply).
    type: bool
    default: true
  keep:
    description:
      - How many versions older than the current one to keep. A version a service still uses is never removed.
      - Takes part in idempotency - older versions beyond it that no service uses are pruned on every run, so lowering it
        is a change.
    type: int
    default: 1
  force:
    description:
      - With O(state=absent), remove the object even while services use it - the references are first removed from
        those services (which then run without it), and the services are waited for.
      - Without it, O(state=absent) refuses while services use any version, and names them.
    type: bool
    default: false
"""
