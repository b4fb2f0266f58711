"""Two languages: the choice (flag, config, locale), the catalog (complete, placeholders kept), the build;
every message of labctl's Python marked and in German, and the CLI speaking it."""

import ast
import gettext
import io
import json
import re
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


# --- every message of the code: marked, in German, its placeholders kept -------------------------------------

PACKAGE = ROOT / "labctl"
MARKERS = {"_": 1, "N_": 1, "ngettext": 2, "pgettext": 2}  # marker -> its leading string arguments


def _marked_in_code():
    """(msgid, msgid_plural, context, where) of every literal given to _(), N_(), ngettext(), pgettext() in
    labctl/**/*.py, read here with the ast module itself (not through po.extract, which it checks)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            count = MARKERS.get(name)
            texts = node.args[:count] if count else []
            if not count or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in texts):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            values = [a.value for a in texts]
            if name == "ngettext":
                found.append((values[0], values[1], None, where))
            elif name == "pgettext":
                found.append((values[1], None, values[0], where))
            else:
                found.append((values[0], None, None, where))
    return found


def _fields(text):
    """The {fields} of a message as written, conversion and format spec included ({value!r}, {seconds:.1f})."""
    return sorted(re.findall(r"\{[A-Za-z_][^{}]*\}", text.replace("{{", "").replace("}}", "")))


def test_the_code_marks_its_messages_and_every_one_has_german_with_the_same_placeholders():
    found = _marked_in_code()
    assert len(found) > 300, "the ast walk found too few messages: is it still reading labctl/?"
    assert len(found) >= len(po.extract(PACKAGE)), "po.extract finds messages this walk does not"
    entries = _entries()
    missing, broken = [], []
    for msgid, plural, context, where in found:
        key = msgid if context is None else f"{context}{po.CONTEXT_SEPARATOR}{msgid}"
        entry = entries.get(key)
        if entry is None or not entry.translated:
            missing.append(f"{where}: {msgid!r}")
            continue
        if (entry.msgid_plural or None) != plural:
            broken.append(f"{where}: {msgid!r} has msgid_plural {entry.msgid_plural!r} in the catalog, {plural!r} here")
        english = [msgid, plural] if plural is not None else [msgid]
        for index, german in enumerate(entry.msgstr):
            wanted = english[min(index, len(english) - 1)]
            if _fields(german) != _fields(wanted):
                broken.append(f"{where}: {msgid!r}: the German {german!r} has {_fields(german)}, not {_fields(wanted)}")
    assert not missing, "no German in labctl.po for:\n" + "\n".join(sorted(set(missing)))
    assert not broken, "German that drops or adds a placeholder:\n" + "\n".join(broken)


def test_the_german_of_every_message_formats_with_its_own_arguments():
    """A German text that .format() would choke on (a stray brace) is caught here, not by a student."""
    for entry in _entries().values():
        for german in entry.msgstr:
            args = dict.fromkeys((f[1:-1].split("!")[0].split(":")[0] for f in _fields(german)), 1)
            german.format(**args)


# Raised with a message that goes through no gettext marker on purpose (each says why).
UNMARKED_ERRORS = {
    # --default-subnet: the reason is labctl.lab's networks.valid_subnet's own sentence (module_utils, shared
    # with the Ansible modules, which have no gettext); labctl adds only the full stop.
    ("labctl/cli/host.py", "subnet_settings"),
}


def _literal(node):
    """Whether an expression is, or is built from, a string literal (an f-string, "a" + b) rather than a message
    looked up: a Call (_("…").format(…), ngettext(…)) or a variable holding one."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return isinstance(node, ast.JoinedStr) or isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    return False


def test_no_labctl_error_is_raised_with_a_bare_string():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "LabctlError"):
                continue
            message = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "message"), None)
            if message is None or not _literal(message):
                continue
            inside = next(
                (f.name for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)), "<module>"
            )
            if (str(path.relative_to(ROOT)), inside) not in UNMARKED_ERRORS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} ({inside})")
    assert not offenders, "LabctlError given a bare string: wrap it in _() or ngettext():\n" + "\n".join(offenders)


def test_the_check_for_bare_strings_sees_them():
    for source, bare in [
        ('LabctlError("Broken.")', True),
        ('LabctlError(f"{x} is broken.")', True),
        ('LabctlError(str(exc) + ".")', True),
        ('LabctlError(_("{x} is broken.").format(x=x))', False),
        ("LabctlError(message)", False),
    ]:
        assert _literal(ast.parse(source, mode="eval").body.args[0]) is bare, source


# --- the CLI in German, English by default ---------------------------------------------------------------


@pytest.fixture
def german(monkeypatch):
    """A German locale, nothing else deciding: no LC_ALL, LC_MESSAGES or LABCTL_LANG."""
    for name in ("LC_ALL", "LC_MESSAGES", "LABCTL_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")


def test_an_error_is_german_under_a_german_locale_and_english_by_default(tmp_path):
    from tests.conftest import run_labctl

    quiet = {"XDG_CONFIG_HOME": str(tmp_path), "LC_ALL": "", "LC_MESSAGES": "", "LABCTL_LANG": ""}
    de = run_labctl("up", "ex9", env={**quiet, "LANG": "de_DE.UTF-8"})
    assert de.rc == 2 and de.stdout == ""
    assert de.stderr.startswith("Fehler: Unbekanntes Szenario 'ex9'; bekannte Szenarien: ex1"), de.stderr
    en = run_labctl("up", "ex9", env={**quiet, "LANG": "C.UTF-8"})
    assert en.rc == 2 and en.stderr.startswith("error: Unknown scenario 'ex9'; known scenarios: ex1"), en.stderr
    flag = run_labctl("up", "ex9", "--lang", "de", env={**quiet, "LANG": "C.UTF-8"})
    assert flag.stderr.startswith("Fehler: Unbekanntes Szenario"), flag.stderr


def test_lang_is_chosen_before_the_connection_speaks(monkeypatch, tmp_path):
    """A verb's --lang is applied before -i, -K or --private-key are looked at: their errors are German too."""
    from tests.unit.test_cli import invoke

    outcome, calls = invoke(monkeypatch, tmp_path, ["up", "ex1", "--lang", "de", "--private-key", "/nowhere"], [])
    assert outcome.exit_code == 2 and not calls
    assert str(outcome.exception).startswith("Der private Schlüssel /nowhere existiert nicht"), outcome.exception


def test_a_broken_config_file_is_reported_in_the_locales_language(monkeypatch, tmp_path, german):
    """The config cannot say which language it wants: the locale's is chosen (strict=False), then the verb
    reports the file in it."""
    from tests.unit.test_cli import invoke

    (tmp_path / "config" / "labctl").mkdir(parents=True)
    (tmp_path / "config" / "labctl" / "config.toml").write_text('lang = "en"\nforks = [\n')
    outcome, calls = invoke(monkeypatch, tmp_path, ["up", "ex1", "-i", "ROOM"], [])
    assert outcome.exit_code == 2 and not calls
    assert "kann nicht gelesen werden" in str(outcome.exception) and "korrigieren" in str(outcome.exception)


def test_the_room_view_is_german_and_its_json_keeps_english_ids(monkeypatch, tmp_path, german):
    from tests.unit.test_cli import invoke, room_result

    checks = [("pc1", "pod-running", "PASS"), ("pc2", "pod-running", "FAIL")]
    answer = room_result(["pc1", "pc2", "pc3"], checks, unreachable=["pc3"])
    outcome, _ = invoke(monkeypatch, tmp_path, ["verify", "ex2", "-i", "ROOM"], [answer])
    assert outcome.exit_code == 4, outcome.output
    lines = outcome.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Rechner") and "Ergebnis" in line)
    assert header.split()[:3] == ["Rechner", "Ergebnis", "geändert"]
    assert "verify ex2: 3 Rechner: 1 ok, 1 fehlgeschlagen, 1 nicht erreichbar" in outcome.stdout
    assert "1 Check nicht bestanden: pod-running." in outcome.stdout and "nicht erreichbar: " in outcome.stdout
    outcome, _ = invoke(monkeypatch, tmp_path, ["verify", "ex2", "-i", "ROOM", "--json"], [answer])
    machines = json.loads(outcome.stdout)["machines"]
    assert machines["pc3"]["result"] == "unreachable" and machines["pc2"]["result"] == "failed"
    assert machines["pc2"]["checks"][0]["id"] == "pod-running" and machines["pc2"]["checks"][0]["status"] == "FAIL"
    assert machines["pc2"]["reason"] == "1 Check nicht bestanden: pod-running."


def test_english_stays_the_default_for_the_room_view(monkeypatch, tmp_path):
    from tests.unit.test_cli import invoke, room_result

    for name in ("LC_ALL", "LC_MESSAGES", "LABCTL_LANG", "LANG"):
        monkeypatch.delenv(name, raising=False)
    answer = room_result(["pc1", "pc2"], [("pc1", "pod-running", "PASS"), ("pc2", "pod-running", "FAIL")])
    outcome, _ = invoke(monkeypatch, tmp_path, ["verify", "ex2", "-i", "ROOM"], [answer])
    assert i18n.current() == "en"
    assert "verify ex2: 2 machine(s): 1 ok, 1 failed" in outcome.stdout
    assert "1 check(s) did not pass: pod-running." in outcome.stdout


def test_a_message_marked_at_definition_is_shown_in_the_language_of_the_moment():
    """N_() at import time, _() where shown: a table of words defined in English serves both languages."""
    from labctl.core import pipeline, results

    assert results.result_word(results.UNREACHABLE) == "unreachable"
    with i18n.speaking("de"):
        assert results.result_word(results.UNREACHABLE) == "nicht erreichbar"
        assert i18n._(pipeline.VERB_TITLE["up"]).format(scenario="ex1", title="t") == "Richte ex1 ein (t)"
        assert i18n.ngettext("saving {n} image", "saving {n} images", 1).format(n=1) == "speichere 1 Image"
    assert i18n._(pipeline.VERB_TITLE["up"]).format(scenario="ex1", title="t") == "Setting up ex1 (t)"
