"""The small core under the CLI: scenarios, running Ansible, presenting results."""
