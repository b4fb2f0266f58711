"""The 10.88 trap: a machine whose own address or route lies inside a network Podman would create.

Podman's default network takes `default_subnet` (10.88.0.0/16 unless containers.conf says otherwise)
without looking at the machine: on a machine that is itself on 10.88.x.x, a pod's bridge takes the
machine's own subnet, its replies go the wrong way, and every wait of an exercise runs into its
deadline (15 minutes) instead of failing. labctl looks first and stops with one sentence (exit 3),
naming the fix: `labctl host setup --default-subnet CIDR` writes it into labctl's own drop-in.
"""

import ipaddress
import json

from ansible_collections.labctl.lab.plugins.module_utils import reasons

DEFAULT_SUBNET = "10.88.0.0/16"
# Interfaces that are Podman's own (its bridges and the containers' veth ends): never a clash.
PODMAN_DEVICES = ("podman", "cni-podman", "veth", "vnet")


def _podman_device(name):
    return any((name or "").startswith(prefix) for prefix in PODMAN_DEVICES)


def addresses(ip_addr_json):
    """[(device, address/prefix)] from `ip -j addr`; Podman's own devices and loopback left out."""
    found = []
    for link in json.loads(ip_addr_json or "[]"):
        name = link.get("ifname", "")
        if _podman_device(name) or name == "lo":
            continue
        for info in link.get("addr_info") or []:
            if info.get("family") == "inet" and info.get("local"):
                found.append((name, f"{info['local']}/{info.get('prefixlen', 32)}"))
    return found


def routes(ip_route_json):
    """[(device, destination)] from `ip -j route`; the default route and Podman's own devices left out."""
    found = []
    for route in json.loads(ip_route_json or "[]"):
        dst, dev = route.get("dst", ""), route.get("dev", "")
        if not dst or dst == "default" or _podman_device(dev):
            continue
        found.append((dev, dst if "/" in dst else f"{dst}/32"))
    return found


def clash(subnet, own_addresses, own_routes):
    """The first of the machine's addresses or routes inside (or around) `subnet`, as a said
    (module_utils.reasons); None when none."""
    try:
        net = ipaddress.ip_network(subnet, strict=False)
    except ValueError:
        return None
    for device, cidr in own_addresses:
        iface = ipaddress.ip_interface(cidr)
        if iface.version == net.version and (iface.ip in net or net.subnet_of(iface.network)):
            return reasons.said("address_on", ip=str(iface.ip), device=device)
    for device, dst in own_routes:
        try:
            other = ipaddress.ip_network(dst, strict=False)
        except ValueError:
            continue
        if other.version == net.version and other.overlaps(net):
            return reasons.said("route_to", net=str(other), device=device)
    return None


def sentence(subnet, found):
    """The one sentence that stops host check/setup and up, as a said."""
    return reasons.said("subnet_clash", found=found, subnet=subnet)


def default_subnet(conf_texts):
    """The default_subnet the containers.conf files set (the last wins), else Podman's DEFAULT_SUBNET.
    conf_texts: the files' texts in the order Podman reads them."""
    value = DEFAULT_SUBNET
    for text in conf_texts:
        section = ""
        for raw in (text or "").splitlines():
            line = raw.split("#", 1)[0].strip()
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
            elif section == "network" and "=" in line:
                key, _, val = line.partition("=")
                if key.strip() == "default_subnet":
                    value = val.strip().strip("\"'")
    return value


def valid_subnet(value):
    """A --default-subnet the user gave: an IPv4 network of at least /24 (ValueError with a sentence)."""
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"--default-subnet {value!r} is no network ({exc}); give one like 10.123.0.0/16") from None
    if net.version != 4 or net.prefixlen > 24:
        raise ValueError(f"--default-subnet {value!r} must be an IPv4 network of /24 or larger, e.g. 10.123.0.0/16")
    return str(net)
