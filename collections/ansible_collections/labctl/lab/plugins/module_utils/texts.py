"""The words of the checks, per language: our templates filled with data.

A template is text with placeholders `{name}` (a lower-case name, as in Python's str.format_map);
every other brace is plain text. Only our own templates (the collection's phrases, an exercise's
checks/<lang>.yml) are ever filled; a value from the lab is inserted as it is and never read as a
template, so a page that contains `{pod}` or `{{ lookup(...) }}` stays exactly that.
"""

import re

from ansible_collections.labctl.lab.plugins.module_utils.assertions import Phrase

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
DEFAULT_LANG = "en"
LANG = re.compile(r"^[a-z]{2,3}$")
# The fields of a check's texts; `hints` maps a hint variant to its text, `found` overrides phrases.
FIELDS = ("name", "expected", "hint", "acts")


class MissingText(KeyError):
    """A template names a value nobody gave, or a phrase no texts file has (only raised when strict)."""


def placeholders(template):
    """The names a template fills in."""
    return PLACEHOLDER.findall(str(template or ""))


def language(value):
    """The language asked for (lab_lang: 'de', 'de_DE.UTF-8', 'DE') as a two- or three-letter code; en when unclear."""
    code = str(value or "").strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return code if LANG.match(code) else DEFAULT_LANG


class Renderer:
    """Fills templates in one language, with fall-back to English for any phrase or text it lacks.

    phrases: {lang: {key: template}} (the collection's); own: {lang: {key: template}} (a check's found
    overrides, tried first). strict: a missing phrase or value raises MissingText (the unit tests);
    otherwise the placeholder stays visible as it is, so a student still reads the rest.
    """

    def __init__(self, lang, phrases, own=None, strict=False):
        self.lang = lang
        self.phrases = phrases or {}
        self.own = own or {}
        self.strict = strict
        self.fell_back = False

    def _template(self, key):
        for lang in (self.lang, DEFAULT_LANG):
            for table in (self.own, self.phrases):
                template = (table.get(lang) or {}).get(key)
                if template is not None:
                    if lang != self.lang:
                        self.fell_back = True
                    return template
        if self.strict:
            raise MissingText(f"no phrase {key!r} in {self.lang} or {DEFAULT_LANG}")
        return key

    def value(self, value):
        """A value as text: a Phrase rendered in this language, a list joined, anything else as it is."""
        if isinstance(value, Phrase):
            return self.fill(self._template(value.key), value.params)
        if isinstance(value, (list, tuple)):
            return "; ".join(self.value(v) for v in value if v not in (None, ""))
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(value)
        return str(value)

    def fill(self, template, values):
        """The template with each {name} replaced by its value (rendered when it is a Phrase)."""

        def one(match):
            name = match.group(1)
            if name not in values:
                if self.strict:
                    raise MissingText(f"placeholder {{{name}}} of {template!r} has no value")
                return match.group(0)
            return self.value(values[name])

        return PLACEHOLDER.sub(one, str(template or ""))
