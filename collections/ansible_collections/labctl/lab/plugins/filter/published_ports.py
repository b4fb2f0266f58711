"""published_ports: what a pod or container publishes, from a listing entry or an inspect object."""

from ansible_collections.labctl.lab.plugins.module_utils import ports

DOCUMENTATION = r"""
name: published_ports
short_description: A pod's or container's published ports in one shape, however Podman said them
description:
  - Reads C(Ports) of a C(podman ps --format json) entry, or C(PortBindings) of C(podman pod inspect)
    (C(InfraConfig)) or C(podman container inspect) (C(HostConfig), C(NetworkSettings.Ports)), or a
    C(PortBindings) mapping itself.
  - Returns a list of C({host_ip, host_port, container_port, protocol, range, text}), C(text) as a
    student writes it (C(8080 -> 5000)).
positional: _input
options:
  _input: {description: The listing entry or inspect object., type: dict, required: true}
"""


def published_ports(obj):
    return [{**port, "text": ports.port_text(port)} for port in ports.published(obj)]


class FilterModule:
    def filters(self):
        return {"published_ports": published_ports}
