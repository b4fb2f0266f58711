"""A scenario file as its role's variables: the one rule, for labctl.lab.scenario (the playbooks) and labctl.

Every key of the scenario's sections (ports, images, builds, each kind of resource, temporary)
becomes the role variable <role>_<key>; a build gives its tag. A host's port offset moves every host
port of the `ports` section (see ports.port_offset for the offset itself).
"""

LABEL_MANAGED = {"io.labctl.managed": "true"}  # plus io.labctl.scenario=<id>, on every resource labctl makes
SECTIONS = ("ports", "images", "builds")
KINDS = ("networks", "pods", "containers", "volumes", "secrets")


def sections(scenario):
    """{section name: its keys and values}, resources as resources.<kind>: in the order they become variables."""
    found = {section: scenario.get(section) or {} for section in SECTIONS}
    resources = scenario.get("resources") or {}
    found.update({f"resources.{kind}": resources.get(kind) or {} for kind in KINDS})
    found["temporary"] = scenario.get("temporary") or {}
    return found


def role_vars(scenario):
    """Every key of the scenario's sections as the role variable <role>_<key>; a build gives its tag."""
    role = scenario["role"]
    values = {}
    for section in sections(scenario).values():
        for key, value in section.items():
            values[f"{role}_{key}"] = value["tag"] if isinstance(value, dict) else value
    return values


def shifted(scenario, offset):
    """The scenario with every host port of its `ports` section moved up by offset."""
    if not offset:
        return scenario
    return {**scenario, "ports": {key: port + offset for key, port in (scenario.get("ports") or {}).items()}}
