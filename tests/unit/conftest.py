"""labctl.lab's module_utils importable in every unit test, as Ansible's collection loader sees them
(`ansible_collections.labctl.lab.plugins.module_utils.*`), whichever test module is collected first."""

import tests.unit.collection  # noqa: F401 - puts collections/ on sys.path
