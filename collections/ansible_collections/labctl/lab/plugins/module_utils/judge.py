"""Judge an exercise's list of checks against the gathered lab state, and word each result in the
reader's language: the logic behind the action labctl.lab.checks, without Ansible.

A check (an item of `checks:` in a role's tasks/verify.yml):
  id        stable slug, the column of the class matrix (pod-running)
  assert    the name of an assertion (module_utils.assertions)
  args      its arguments, from the scenario's variables (and, for a check that acts, the results of its tasks)
  values    optional: more values its texts fill in, that the assertion does not take
  acts      true when the check changes the lab to know; with lab_look_only it is not judged (SKIP, excused)
  severity  fail (default), warn (a failure is a WARN) or info (always INFO)

Its words come from the exercise's checks/<lang>.yml, keyed by id: name, expected, hint, hints
(variants the assertion picks), acts, found (overrides of the collection's phrases).
"""

import inspect
import re
import traceback

from ansible_collections.labctl.lab.plugins.module_utils.assertions import ASSERTIONS, Verdict, phrase
from ansible_collections.labctl.lab.plugins.module_utils.texts import DEFAULT_LANG, Renderer

# A check's id: lower-case words joined by hyphens, at most 40 characters (e.g. pod-running). It is the
# class matrix's column, so it names what is checked, never a port or a name a host may shift.
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ID_MAX = 40
SEVERITIES = ("fail", "warn", "info")
CHECK_KEYS = {"id", "assert", "args", "values", "acts", "severity"}


def id_problem(check_id):
    """Why a check id is not a valid slug, or "" when it is."""
    if len(check_id) > ID_MAX:
        return f"check id {check_id!r} is longer than {ID_MAX} characters"
    if not ID_PATTERN.match(check_id):
        return f"check id {check_id!r} must be lower-case letters and digits in words joined by '-' (e.g. pod-running)"
    return ""


def check_problems(checks):
    """What is wrong with a list of checks, in sentences: errors of the role, found before judging anything."""
    problems, seen = [], set()
    for number, check in enumerate(checks or [], 1):
        if not isinstance(check, dict):
            problems.append(f"check {number} is not a mapping")
            continue
        cid = str(check.get("id") or "")
        where = f"check {cid or number}"
        problems += [f"{where}: unknown key {key!r}" for key in sorted(set(check) - CHECK_KEYS)]
        problem = id_problem(cid)
        if problem:
            problems.append(problem)
        if cid in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(cid)
        if check.get("severity", "fail") not in SEVERITIES:
            problems.append(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
        name = check.get("assert")
        if name not in ASSERTIONS:
            problems.append(f"{where}: no assertion named {name!r}")
            continue
        params = inspect.signature(ASSERTIONS[name].fn).parameters
        args = check.get("args") or {}
        unknown = sorted(set(args) - set(params) - {"state"})
        missing = [
            p
            for p, spec in params.items()
            if p != "state" and spec.default is inspect.Parameter.empty and p not in args
        ]
        problems += [f"{where}: {name} takes no argument {u!r}" for u in unknown]
        problems += [f"{where}: {name} needs the argument {m!r}" for m in missing]
    return problems


def decide(check, state, look_only):
    """(verdict, values for the texts) of one check."""
    found_assertion = ASSERTIONS[check["assert"]]
    args = dict(check.get("args") or {})
    try:
        verdict = found_assertion.fn(state or {}, **args)
    except Exception as exc:  # a lab this assertion did not foresee: a FAIL that says so, never a crash of verify
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        verdict = Verdict("FAIL", phrase("could_not_judge", error=detail))
    values = {**(check.get("values") or {}), **{k: v for k, v in args.items() if not isinstance(v, (dict, list))}}
    values.update(verdict.values)
    if check.get("acts") and look_only:
        verdict = Verdict("SKIP", phrase("look_only", acts=phrase("acts")), excused=True)
    severity = check.get("severity", "fail")
    if severity == "info" and verdict.status in ("PASS", "FAIL"):
        verdict.status = "INFO"
    elif severity == "warn" and verdict.status == "FAIL":
        verdict.status = "WARN"
    return verdict, values


def word(check, verdict, values, texts, phrases, lang, strict=False):
    """The reported check: id, name, status, expected, found, hint, excused, acts, lang."""
    cid = check["id"]
    mine = {code: (table or {}).get(cid) or {} for code, table in texts.items()}
    # The check's own found phrases, and its `acts` words as the phrase 'acts', tried before the collection's.
    own = {
        code: {**(entry.get("found") or {}), **({"acts": entry["acts"]} if entry.get("acts") else {})}
        for code, entry in mine.items()
    }
    renderer = Renderer(lang, phrases, own=own, strict=strict)

    def text(field, variant=""):
        for code in (lang, DEFAULT_LANG):
            entry = mine.get(code) or {}
            template = (entry.get("hints") or {}).get(variant) if variant else None
            template = template if template is not None else entry.get(field)
            if template is not None:
                if code != lang:
                    renderer.fell_back = True
                return renderer.fill(template, values)
        if strict and field == "name":
            raise KeyError(f"check {cid}: no {field} in {lang} or {DEFAULT_LANG}")
        return ""

    status = verdict.status
    explains = status in ("FAIL", "WARN", "NOT_ENFORCED") or (status == "SKIP" and not verdict.excused)
    result = {
        "id": cid,
        "name": text("name") or cid,
        "status": status,
        "expected": text("expected"),
        "found": renderer.value(verdict.found),
        "hint": text("hint", verdict.hint) if explains else "",
        "excused": bool(verdict.excused),
        "acts": text("acts") if check.get("acts") else "",
    }
    result["lang"] = DEFAULT_LANG if renderer.fell_back else lang
    return result


def judge(checks, state, texts, phrases, lang=DEFAULT_LANG, look_only=False, strict=False):
    """Every check of the list, judged and worded, in order."""
    results = []
    for check in checks:
        verdict, values = decide(check, state, look_only)
        results.append(word(check, verdict, values, texts, phrases, lang, strict))
    return results
