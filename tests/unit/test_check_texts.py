"""Every check of every exercise has its words in English and German, with no placeholder nobody fills;
every phrase an assertion may say exists in both languages; a check list is well-formed."""

import ast
import re

import pytest
import yaml

from tests.conftest import FIXTURE_SCENARIOS, ROOT
from tests.unit.labctl_lab import assertions, cgroups, judge, texts

LANGUAGES = ("en", "de")
ROLES = [*sorted(ROOT.glob("roles/ex*")), FIXTURE_SCENARIOS / "roles" / "ex6_sidecar"]
COLLECTION = ROOT / "collections/ansible_collections/labctl/lab"
PHRASES = {lang: yaml.safe_load((COLLECTION / "texts" / f"{lang}.yml").read_text()) for lang in LANGUAGES}


def tasks_of(items):
    for item in items or []:
        yield item
        for key in ("block", "rescue", "always"):
            yield from tasks_of(item.get(key))


def checks_of(role):
    """The checks a role's verify.yml judges (every labctl.lab.checks task), as written."""
    found = []
    for task in tasks_of(yaml.safe_load((role / "tasks" / "verify.yml").read_text())):
        found += (task.get("labctl.lab.checks") or {}).get("checks") or []
    return found


def texts_of(role, lang):
    return yaml.safe_load((role / "checks" / f"{lang}.yml").read_text()) or {}


def known_values(check):
    return (
        set(check.get("args") or {})
        | set(check.get("values") or {})
        | set(assertions.ASSERTIONS[check["assert"]].provides)
    )


def templates(entry):
    """(where, template) for every text of one check's entry."""
    for field in texts.FIELDS:
        if field in entry:
            yield field, entry[field]
    for variant, template in (entry.get("hints") or {}).items():
        yield f"hints.{variant}", template


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_the_checks_are_well_formed_and_keep_their_ids(role):
    checks = checks_of(role)
    assert checks, f"{role}/tasks/verify.yml judges no check"
    assert judge.check_problems(checks) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_every_check_has_its_words_in_each_language(role, lang):
    checks = checks_of(role)
    words = texts_of(role, lang)
    ids = [c["id"] for c in checks]
    assert sorted(words) == sorted(ids), f"{role.name}/checks/{lang}.yml: ids differ from verify.yml's"
    for check in checks:
        entry = words[check["id"]]
        needed = ["name"] if check.get("severity") == "info" else ["name", "expected", "hint"]
        needed += ["acts"] if check.get("acts") else []
        missing = [f for f in needed if not str(entry.get(f) or "").strip()]
        assert not missing, f"{role.name} {lang} {check['id']}: no {', '.join(missing)}"
        assert set(entry) <= {*texts.FIELDS, "hints", "found"}, f"{role.name} {lang} {check['id']}: {sorted(entry)}"
        # Every variant the assertion may pick has its words, and no other.
        declared = set(assertions.ASSERTIONS[check["assert"]].hints)
        assert set(entry.get("hints") or {}) == declared, f"{role.name} {lang} {check['id']}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_no_text_names_a_value_nobody_gives(role, lang):
    for check in checks_of(role):
        entry = texts_of(role, lang)[check["id"]]
        known = known_values(check)
        for where, template in templates(entry):
            unknown = set(texts.placeholders(template)) - known
            assert not unknown, f"{role.name} {lang} {check['id']} {where}: {{{', '.join(sorted(unknown))}}} unknown"
        for key, template in (entry.get("found") or {}).items():
            assert key in PHRASES["en"], f"{role.name} {lang} {check['id']}: found.{key} is no phrase"
            assert set(texts.placeholders(template)) <= set(texts.placeholders(PHRASES["en"][key]))


def phrase_keys():
    """Every phrase key the assertions and the judge may say (both branches of a conditional key too)."""
    keys = set()
    for name in ("assertions.py", "judge.py"):
        tree = ast.parse((COLLECTION / "plugins/module_utils" / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "phrase" and node.args:
                arg = node.args[0]
                branches = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                for branch in branches:
                    assert isinstance(branch, ast.Constant), f"{name}:{node.lineno}: a phrase key must be literal"
                    keys.add(branch.value)
    return (keys | set(cgroups.REASONS_EN)) - {"acts"}  # acts: the check's own words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_phrase_of_the_assertions_exists_in_each_language(lang):
    missing = phrase_keys() - set(PHRASES[lang])
    assert not missing, f"texts/{lang}.yml lacks {sorted(missing)}"
    assert set(PHRASES[lang]) == set(PHRASES["en"]), "the languages have the same phrases"
    for key, template in PHRASES[lang].items():
        assert set(texts.placeholders(template)) == set(texts.placeholders(PHRASES["en"][key])), key


def test_the_english_reasons_of_module_utils_are_the_phrases():
    """host_facts and pod_limits say the reasons in English on the machine; the checks say the same."""
    for key, template in cgroups.REASONS_EN.items():
        assert PHRASES["en"][key] == template


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_the_german_is_written_not_copied(role):
    english, german = texts_of(role, "en"), texts_of(role, "de")
    for cid, entry in english.items():
        for field in ("expected", "hint"):
            if entry.get(field):
                assert german[cid][field] != entry[field], f"{role.name} {cid} {field} is English in de.yml"


def test_a_check_id_names_no_port_or_number():
    for role in ROLES:
        for check in checks_of(role):
            assert not re.search(r"\b\d+\b", check["id"]) and "port" not in check["id"].split("-")[-1:], check["id"]
