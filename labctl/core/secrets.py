"""Keeping secrets out of what labctl prints and keeps: the values of variables named like secrets.

Podman reports a container's environment (`Config.Env`, and the `podman run` command line in
`Config.CreateCommand`) as NAME=VALUE strings, MYSQL_ROOT_PASSWORD among them; module arguments
carry them as {NAME: VALUE}. Wherever such data leaves labctl (status --json, run logs), the names
stay and the values of secret-looking ones become ********.
"""

import re
from typing import Any

MASK = "********"
_SECRET = r"[A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|KEY)[A-Za-z0-9_]*"
_SECRET_NAME = re.compile(_SECRET, re.IGNORECASE)
_WHOLE = re.compile(rf"({_SECRET})=.+", re.IGNORECASE | re.DOTALL)  # a string that is one assignment
# An assignment inside text (a log line, JSON text): its value ends at an unescaped quote or the line's end.
_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9_.-])({_SECRET})=(?:\\.|[^\"\\\n])+", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """MYSQL_ROOT_PASSWORD, ex2_pod_mysql_root_password, API_KEY: a variable name that looks like a secret."""
    return bool(_SECRET_NAME.fullmatch(name))


def redact_text(text: str) -> str:
    """Text with the value of every NAME=VALUE whose name looks secret replaced by ********."""
    if _WHOLE.fullmatch(text):
        return text.split("=", 1)[0] + "=" + MASK
    return _IN_TEXT.sub(lambda m: f"{m.group(1)}={MASK}", text)


def redact(data: Any) -> Any:
    """A copy of JSON-like data with secrets masked: in every string, and a secret-named key's string value."""
    if isinstance(data, str):
        return redact_text(data)
    if isinstance(data, dict):
        return {
            key: MASK if isinstance(value, str) and value and is_secret_name(str(key)) else redact(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact(item) for item in data]
    return data


def redact_values(data: Any, secrets: list[str]) -> Any:
    """Mask the given secret values (say, a --var password) wherever they appear in strings."""
    if not secrets:
        return data
    if isinstance(data, str):
        for secret in secrets:
            data = data.replace(secret, MASK)
        return data
    if isinstance(data, dict):
        return {key: redact_values(value, secrets) for key, value in data.items()}
    if isinstance(data, list):
        return [redact_values(item, secrets) for item in data]
    return data


def secret_values(extravars: dict[str, Any]) -> list[str]:
    return [str(v) for k, v in extravars.items() if is_secret_name(k) and isinstance(v, str | int) and str(v)]
