"""Two languages: the choice (flag, config, locale), the catalog (complete, placeholders kept), the build."""

import gettext
import io
from pathlib import Path

import pytest

from labctl.core import i18n, po, scenarios
from labctl.core.errors import LabctlError

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "labctl" / "locale" / "de" / "LC_MESSAGES" / "labctl.po"


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT@euro"}, "de"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "de_CH.UTF-8"}, "de"),
        ({"LC_ALL": "", "LANG": "de_DE"}, "de"),  # an empty variable does not decide
        ({"LANG": "dexx"}, "en"),
    ],
)
def test_the_locale_environment_picks_german_for_de(env, lang):
    assert i18n.language(None, env, None) == lang


def test_the_config_key_beats_the_locale_and_the_flag_beats_both():
    assert i18n.language(None, {"LANG": "de_DE.UTF-8"}, "en") == "en"
    assert i18n.language("de", {"LANG": "C"}, "en") == "de"
    assert i18n.language("EN", {}, "de") == "en"


def test_an_unknown_language_is_a_usage_error():
    with pytest.raises(LabctlError) as caught:
        i18n.language("fr", {}, None)
    assert caught.value.exit_code == 2 and "--lang" in caught.value.message


def test_the_config_file_takes_lang(tmp_path):
    from labctl.core import config

    file = tmp_path / "config.toml"
    file.write_text('lang = "de"\n')
    assert config.defaults(env={}, files=(file,))["lang"] == "de"
    assert config.defaults(env={"LABCTL_LANG": "en"}, files=(file,))["lang"] == "en"


def _entries():
    return {e.key: e for e in po.read(CATALOG) if e.msgid}


def test_every_message_in_the_code_has_german():
    found = po.extract(ROOT / "labctl")
    assert not [f for f in found if f.problem], [f for f in found if f.problem]
    entries = _entries()
    missing = [f for f in found if f.key not in entries or not entries[f.key].translated]
    assert not missing, "German missing, paste into labctl.po and translate:\n" + po.as_po(missing)


def test_every_exercise_title_has_german():
    entries = _entries()
    for scenario in scenarios.load_all([]):
        key = f"exercise{po.CONTEXT_SEPARATOR}{scenario.course_ref}"
        assert key in entries and entries[key].translated, scenario.id
        assert entries[key].msgstr[0].startswith("Übung "), entries[key].msgstr


def test_the_german_keeps_every_placeholder_and_the_course_words():
    for entry in _entries().values():
        for text in entry.msgstr:
            assert po.placeholders(text) == po.placeholders(entry.msgid), entry.msgid
    words = " ".join(s for e in _entries().values() for s in e.msgstr)
    assert "Check" in words and "Übung" in words and "Runde" in words


def test_the_compiled_catalog_is_what_gettext_reads():
    catalog = gettext.GNUTranslations(io.BytesIO(po.compile_file(CATALOG)))
    assert catalog.gettext("hint: {hint}") == "Hinweis: {hint}"
    assert catalog.ngettext("{name}: {n} check did not pass", "{name}: {n} checks did not pass", 1).endswith(
        "Check nicht bestanden"
    )
    assert catalog.pgettext("exercise", "Exercise 2: Creating a Multi-Container Pod (Flask + MySQL)").startswith(
        "Übung 2"
    )
    assert catalog.gettext("not in the catalog") == "not in the catalog"


def test_speaking_switches_and_restores():
    with i18n.speaking("de"):
        assert i18n._("hint: {hint}") == "Hinweis: {hint}" and i18n.current() == "de"
    assert i18n._("hint: {hint}") == "hint: {hint}" and i18n.current() == "en"


def test_po_round_trip_of_escapes_and_continuations():
    text = 'msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "a \\"b\\"\\n"\n"c"\nmsgstr "x\\ty"\n'
    entries = po.parse(text)
    assert entries[1].msgid == 'a "b"\nc' and entries[1].msgstr == ["x\ty"]
    assert po.quote('a "b"\n') == '"a \\"b\\"\\n"'


def test_the_build_hook_compiles_every_catalog(tmp_path):
    import importlib.util
    import sys
    import types

    # hatchling is not installed in the test environment: the hook's base class is all it needs of it
    for name in ("hatchling", "hatchling.builders", "hatchling.builders.hooks", "hatchling.builders.hooks.plugin"):
        sys.modules.setdefault(name, types.ModuleType(name))
    interface = types.ModuleType("hatchling.builders.hooks.plugin.interface")
    interface.BuildHookInterface = object
    sys.modules.setdefault("hatchling.builders.hooks.plugin.interface", interface)
    spec = importlib.util.spec_from_file_location("labctl_hatch_build", ROOT / "hatch_build.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    built = hook.compile_catalogs(ROOT, tmp_path)
    assert list(built.values()) == ["labctl/locale/de/LC_MESSAGES/labctl.mo"]
    mo = Path(next(iter(built)))
    assert gettext.GNUTranslations(mo.open("rb")).gettext("Exercises") == "Übungen"
