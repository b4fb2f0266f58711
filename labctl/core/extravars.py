"""The extra vars labctl hands to a playbook: data, never templates.

Every string goes in tagged !unsafe, from a file of mode 0600 that is deleted as soon as ansible-playbook
has read it (labctl.core.rundirs drops any left over).
"""

import json
import os
from pathlib import Path
from typing import Any

import yaml

EXTRAVARS_FILE = "extravars.yml"


def _unsafe_node(value: Any) -> yaml.Node:
    """YAML for JSON-like data with every string tagged !unsafe: Ansible never templates it."""
    if isinstance(value, str):
        # ansible-core 2.19 loads `!unsafe ""` as None; an empty string holds no template anyway.
        return yaml.ScalarNode("!unsafe" if value else "tag:yaml.org,2002:str", value, style='"')
    if isinstance(value, dict):
        return yaml.MappingNode(
            "tag:yaml.org,2002:map",
            [(yaml.ScalarNode("tag:yaml.org,2002:str", str(k), style='"'), _unsafe_node(v)) for k, v in value.items()],
        )
    if isinstance(value, list):
        return yaml.SequenceNode("tag:yaml.org,2002:seq", [_unsafe_node(v) for v in value])
    if isinstance(value, bool) or value is None:
        return yaml.ScalarNode(f"tag:yaml.org,2002:{'null' if value is None else 'bool'}", json.dumps(value))
    return yaml.ScalarNode(f"tag:yaml.org,2002:{'int' if isinstance(value, int) else 'float'}", repr(value))


def unsafe_yaml(extravars: dict[str, Any]) -> str:
    data = json.loads(json.dumps(extravars, default=str))  # tuples become lists, paths strings
    return yaml.serialize(_unsafe_node(data), Dumper=yaml.SafeDumper, allow_unicode=True, width=1 << 30)


def write_extravars(private: Path, extravars: dict[str, Any]) -> Path:
    path = private / EXTRAVARS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(unsafe_yaml(extravars))
    return path
