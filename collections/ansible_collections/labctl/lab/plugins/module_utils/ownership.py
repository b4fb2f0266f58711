"""Who made what carries an exercise's names: labctl (its label io.labctl.managed=true) or someone else.

`up` must not replace a student's container, pod, volume or secret that happens to carry one of the
exercise's names (it would, since its labels at least differ); `clean` removes them all but says
which labctl did not make. Pure functions over Podman's listing or inspect entries.
"""

import json

from ansible_collections.labctl.lab.plugins.module_utils import reasons

MANAGED = "io.labctl.managed"
# What up uses as it finds it, so whoever made it does not matter: a network of the name (ex1's step 2).
GUARDED = ("containers", "pods", "volumes", "secrets")


def labels_of(item):
    """The labels of a listing or inspect entry, whichever way Podman spells them for its kind."""
    item = item or {}
    return item.get("Labels") or item.get("labels") or (item.get("Spec") or {}).get("Labels") or {}


def made_by_labctl(item):
    return labels_of(item).get(MANAGED) == "true"


def not_made_by_labctl(resources, found, kinds=GUARDED):
    """["container webserver", ...]: the exercise's names that exist without labctl's label.

    resources: kind -> names (the scenario's); found: kind -> name -> entry (what exists)."""
    return [
        f"{kind[:-1]} {name}"
        for kind in kinds
        for name in resources.get(kind) or []
        if name in (found.get(kind) or {}) and not made_by_labctl(found[kind][name])
    ]


def refusal(foreign):
    """The sentence that stops up before it replaces what labctl did not make, as a said (module_utils.reasons)."""
    names = []
    for item in foreign:  # "container webserver": the kind in the language shown, the name as it is
        kind, _, name = item.partition(" ")
        known = f"kind_{kind}" in reasons.TEXTS[reasons.DEFAULT_LANG]
        names.append(reasons.said(f"kind_{kind}", name=name) if known else item)
    return reasons.said("not_ours_one" if len(foreign) == 1 else "not_ours_many", names=names)


def podman_secrets(run, podman, names):
    """{name: inspect entry} of the named secrets that exist (`podman secret ls` has no JSON in Podman 4.3:
    the names first, then one inspect of the wanted ones)."""
    if not names:
        return {}
    rc, out, _ = run([podman, "secret", "ls", "--noheading", "--format", "{{.Name}}"])
    present = [n for n in names if rc == 0 and n in {line.strip() for line in out.splitlines()}]
    if not present:
        return {}
    rc, out, _ = run([podman, "secret", "inspect", *present])
    try:
        return {s["Spec"]["Name"]: s for s in json.loads(out or "[]") or []} if rc == 0 else {}
    except (ValueError, KeyError, TypeError):
        return {}
