"""Two languages, English (the default) and German, picked the usual way, and gettext for labctl's Python.

Which language: `--lang de|en` first, then the config files' `lang` key, then the locale environment in
POSIX order (LC_ALL, LC_MESSAGES, LANG; the first one set and not empty decides): German for `de`,
`de_DE.UTF-8`, `de_AT`, …, English for anything else (`C`, `POSIX`, `fr_FR`, unset).

Messages: `_("…")` for a sentence, `ngettext("one …", "{n} …", n)` for a count, `N_("…")` to mark a
message where it is defined (a table of labels) and `_(label)` where it is shown. Placeholders are
str.format fields filled after the lookup: `_("Graded at {time}").format(time=…)` — a value from a lab is
an argument, never part of the template. The catalog is labctl/locale/de/LC_MESSAGES/labctl.po, compiled to
labctl.mo at build (hatch_build.py); a checkout without the .mo, or with a .po newer than it, reads the
.po itself, so a message added to the .po shows without a reinstall.
"""

from __future__ import annotations

import contextlib
import gettext
import io
from collections.abc import Iterator, Mapping
from pathlib import Path

from ansible_collections.labctl.lab.plugins.module_utils import reasons

from labctl.core import po
from labctl.core.errors import ExitCode, LabctlError

DOMAIN = "labctl"
LANGUAGES = ("en", "de")
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
ENVIRONMENT = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first set and non-empty one decides

_translation: gettext.NullTranslations = gettext.NullTranslations()
_current = DEFAULT


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (it is translated where it is shown)."""
    return message


def _(message: str) -> str:
    """The message in the current language (itself in English, or where the catalog lacks it)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for n, in the current language."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message looked up in a context (the same English words meaning two things)."""
    return _translation.pgettext(context, message)


def words(value: object) -> str:
    """A said of labctl.lab's module_utils.reasons (a problem the collection's rules found), in the current
    language; plain text as it is."""
    return reasons.words(value, _current)


def current() -> str:
    """The language messages are shown in now: 'en' or 'de'."""
    return _current


def _checked(value: str, where: str) -> str:
    """A language code given by the user, as 'en' or 'de'; anything else is a usage error."""
    lang = value.strip().lower()
    if lang not in LANGUAGES:
        raise LabctlError(
            _("{where} is {value!r}, but labctl speaks en (English) and de (German): use one of them.").format(
                where=where, value=value
            ),
            ExitCode.USAGE,
        )
    return lang


def from_locale(value: str) -> str:
    """The language of a locale name: 'de' for de, de_DE.UTF-8, de_AT@euro …; 'en' for anything else."""
    name = value.split(".", 1)[0].split("@", 1)[0]
    return "de" if name.replace("-", "_").split("_", 1)[0].lower() == "de" else DEFAULT


def language(flag: str | None, env: Mapping[str, str], config: str | None) -> str:
    """The language to show: the --lang flag, else the config files' lang, else the locale environment."""
    if flag:
        return _checked(flag, "--lang")
    if config:
        return _checked(config, _("lang in the config file"))
    for name in ENVIRONMENT:
        if env.get(name):
            return from_locale(env[name])
    return DEFAULT


def _catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of a language; the .po itself where there is no .mo or the .po is newer."""
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    source = mo.with_suffix(".po")
    if source.exists() and (not mo.exists() or source.stat().st_mtime > mo.stat().st_mtime):
        return gettext.GNUTranslations(io.BytesIO(po.compile_file(source)))
    try:
        with mo.open("rb") as data:
            return gettext.GNUTranslations(data)
    except FileNotFoundError:
        return gettext.NullTranslations()  # no catalog shipped: English, rather than no labctl at all


def set_language(lang: str) -> None:
    """Show every message from now on in lang ('en' or 'de')."""
    global _translation, _current
    lang = _checked(lang, _("the language"))
    _translation = gettext.NullTranslations() if lang == DEFAULT else _catalog(lang)
    _current = lang


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Messages in lang inside the block, the language before it after (a page rendered in another language)."""
    before = _current
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)
