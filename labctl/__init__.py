"""labctl: scripted lab environments for Podman training courses."""

__version__ = "0.1.0"
