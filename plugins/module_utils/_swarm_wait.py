# Copyright: Beekeeper developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: swarm_wait - pick the services, then wait for all of them in one loop.

What "converged" means is _converge's (the same judgement as swarm_service's own wait); this file only
says which services are meant (:func:`select`, pure) and shapes the result. The services are picked
once, before the wait: a service created while waiting is not waited for, one removed fails.
"""

from __future__ import annotations

from ansible_collections.beekeeper.swarm.plugins.module_utils import _api
from ansible_collections.beekeeper.swarm.plugins.module_utils._converge import ServiceWatch, look_at_services, wait_services
from ansible_collections.beekeeper.swarm.plugins.module_utils._errors import ConvergenceTimeout, EngineError, InvalidInput, NotFound
from ansible_collections.beekeeper.swarm.plugins.module_utils._validate import shown, validate_labels
from ansible_collections.beekeeper.swarm.plugins.module_utils._wait import DONE

# swarm_service's words for a name check mode could only predict (not imported: _service would bring the whole
# ServiceSpec table into this module's payload).
CHECK_MODE_MISSING = ("%s '%s' does not exist yet; check mode assumes an earlier task of this run creates it (a real run "
                      "fails here if none does).")


def check_labels(labels):
    """``labels`` as {key: value or None}; a value must be a string (or null: the key only)."""
    # The same keys and values swarm_service sets; null matches the key whatever its value.
    validate_labels(dict((k, "" if v is None else v) for k, v in (labels or {}).items()) if isinstance(labels, dict) else labels)
    for key, value in (labels or {}).items():
        if value is not None and not isinstance(value, str):
            raise InvalidInput(
                "labels: the value of '%s' is not a string (%s); label values are strings, so quote it (%s: \"%s\"), "
                "or use null to match the key only." % (key, type(value).__name__, key, str(value).lower() if isinstance(value, bool) else value))
    return dict((str(k), v) for k, v in (labels or {}).items())


def validate(params):
    """The module's checks that need no engine (run before it connects)."""
    check_labels(params.get("labels"))
    for index, ref in enumerate(params.get("services") or []):
        # An empty name would be the start of every service's ID.
        if not ref or any(c.isspace() or not c.isprintable() for c in ref):
            raise InvalidInput("services[%d]: %s is not a service name or ID; give the service's name, e.g. services: [web]."
                               % (index, shown(ref)))


def has_labels(service, labels):
    """Whether a service has every label (a value of None: the key, whatever its value)."""
    have = (service.get("Spec") or {}).get("Labels") or {}
    return all(key in have and (value is None or have[key] == value) for key, value in labels.items())


def _name(service):
    return (service.get("Spec") or {}).get("Name") or service.get("ID")


def resolve(services, ref):
    """The service ``ref`` means, as the engine resolves a reference: its full ID, else its name, else a
    unique ID prefix. None when nothing matches; InvalidInput when a prefix matches several."""
    for match in (lambda s: s.get("ID") == ref, lambda s: _name(s) == ref):
        found = [s for s in services if match(s)]
        if found:
            return found[0]
    found = [s for s in services if (s.get("ID") or "").startswith(ref)]
    if len(found) > 1:
        raise InvalidInput("services: '%s' is the start of the IDs of %d services (%s); use a name or a longer ID."
                           % (ref, len(found), ", ".join(sorted("'%s'" % _name(s) for s in found))))
    return found[0] if found else None


def select(services, names=None, labels=None):
    """(the services meant, in the order named or by name; the names that match no service).

    ``names``: names or IDs (each service once, however often named). ``labels``: every service with all
    of them. Neither: every service. An empty list of names means none."""
    if names is not None:
        chosen, missing, seen = [], [], set()
        for ref in names:
            service = resolve(services, ref)
            if service is None:
                if ref not in missing:
                    missing.append(ref)
            elif service["ID"] not in seen:
                seen.add(service["ID"])
                chosen.append(service)
        return chosen, missing
    chosen = [s for s in services if has_labels(s, labels or {})]
    return sorted(chosen, key=_name), []


def describe_selection(names, labels):
    if names is not None:
        if not names:
            return "an empty list of services"
        return "services %s" % ", ".join("'%s'" % n for n in names)
    if labels:
        return "labels %s" % ", ".join("%s=%s" % (k, v) if v is not None else k for k, v in sorted(labels.items()))
    return "every service in the swarm"


def service_report(service_id, name, report):
    """One service as the result shows it, from a judge's report."""
    return dict(
        name=report.get("service") or name,
        id=service_id,
        kind=report.get("kind"),
        converged=report.get("state") == DONE,
        running=report.get("running", report.get("completed")),
        wanted=report.get("wanted"),
        update_state=report.get("update_state"),
        errors=report.get("errors") or [],
        tasks=report.get("tasks") or [],
    )


def _results(watches, reports):
    return [service_report(w.service_id, w.name, reports[w.name]) for w in watches if w.name in reports]


def wait(engine, params, check_mode):
    labels = check_labels(params.get("labels"))
    names = params.get("services")
    warnings = []
    chosen, missing = select(_api.list_services(engine), names, labels)
    if missing:
        if not check_mode:
            raise NotFound("Failed to wait for service%s %s: no such service; create %s first (beekeeper.swarm.swarm_service) or fix "
                           "the name." % ("s" if len(missing) > 1 else "", ", ".join("'%s'" % m for m in missing),
                                          "them" if len(missing) > 1 else "it"))
        warnings.extend(CHECK_MODE_MISSING % ("service", m) for m in missing)
    if not chosen:
        if not missing:
            warnings.append("No service matches %s; nothing to wait for." % describe_selection(names, labels))
        return dict(changed=False, converged=True, services=[], warnings=warnings)
    watches = [ServiceWatch(s["ID"], name=_name(s)) for s in chosen]
    if check_mode:
        # Nothing was changed in check mode: one look says where the services stand, and nothing waits.
        look = look_at_services(engine, set(w.service_id for w in watches))
        reports = {}
        for watch in watches:
            state, report = watch.judge(look)
            reports[watch.name] = dict(report, state=state)
        services = _results(watches, reports)
        return dict(changed=False, converged=all(s["converged"] for s in services), services=services, warnings=warnings)
    try:
        reports = wait_services(engine, watches, params["wait_timeout"])
    except (EngineError, ConvergenceTimeout) as exc:
        reports = exc.details.get("reports")
        if reports is None:  # the engine failed a request: no look to report
            raise
        raise type(exc)(exc.msg, services=_results(watches, reports), converged=False) from None
    return dict(changed=False, converged=True, services=_results(watches, reports), warnings=warnings)
