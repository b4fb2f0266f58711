"""The class view as files to keep: a CSV a spreadsheet opens, and one self-contained HTML page.

Both are written atomically in a folder of the account's own (labctl.core.room.write_private). Every string a
lab or an inventory gave (a student's name, a check's found text, a host name) is data: in the CSV, a cell a
spreadsheet would evaluate is made text; on the page, everything is HTML-escaped, and the page's own
Content-Security-Policy allows no script and no fetch at all, so even a mistake here could not load anything.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from labctl.core import results, room
from labctl.core.classview import (
    BETTER,
    CHANGED,
    STATE_WORDS,
    STATES,
    WORSE,
    ClassView,
    Round,
)
from labctl.core.i18n import _, ngettext
from labctl.core.report import clean

# --- CSV ----------------------------------------------------------------------------------------------------

# Stable English column names (a script reads them whatever the language); `text` is in the language shown.
COLUMNS = ("student", "machine", "exercise", "check", "status", "text")
DIALECTS = {
    # name: (delimiter, byte order mark): a German Excel takes ';' and needs the BOM to read UTF-8.
    "excel": (",", False),
    "excel-de": (";", True),
}


def csv_rows(view: ClassView) -> list[list[str]]:
    """A row per student, exercise and check; a machine without checks (unreachable, not graded) one row
    with its state as status and its reason as text."""
    rows = [list(COLUMNS)]
    for student in view.students:
        for exercise in view.exercises:
            cell = view.cell(student.host, exercise.id)
            checks = cell.checks
            base = [student.name, student.host, exercise.id]
            if not checks:
                rows.append([*base, "", cell.state.upper().replace("-", "_"), cell.reason])
            rows += [[*base, c.id or c.name, c.status, results.check_text(c)] for c in checks]
    return [[room.csv_cell(value) for value in row] for row in rows]


def csv_text(view: ClassView, dialect: str = "excel") -> str:
    delimiter, bom = DIALECTS[dialect]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(csv_rows(view))
    return ("\ufeff" if bom else "") + buffer.getvalue()


def write_csv(path: str | Path, view: ClassView, dialect: str = "excel") -> Path:
    target = Path(path).expanduser().absolute()
    text = csv_text(view, dialect)
    room.write_private(target, lambda out: out.write(text), what="--csv", mode=0o644)
    return target


# --- HTML ---------------------------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1d1d1f;background:#fff}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.6rem 0 .4rem}
.meta{color:#555;margin:0 0 1rem}
table.matrix{border-collapse:collapse}
.matrix th,.matrix td{border:1px solid #ccc;padding:.35rem .6rem;text-align:center;vertical-align:top}
.matrix th.student,.matrix td.student{text-align:left}
.matrix td.student small{color:#666;display:block}
.cell.done{background:#c8f0c8}.cell.partial{background:#ffe9a8}.cell.none{background:#f7c6c6}
.cell.not-enforced{background:#e7d3f5}.cell.unreachable,.cell.not-ready{background:#d6d6d6;color:#444}
.cell.unknown{background:#f2f2f2;color:#666}
.cell details{text-align:left;max-width:22rem}.cell summary{cursor:pointer;text-align:center;font-weight:600}
.cell ul{margin:.3rem 0 0;padding-left:1.1rem;font-size:.85rem}
.moved-better{outline:3px solid #1a7f37}.moved-worse{outline:3px solid #cf222e}.moved-changed{outline:3px dashed #555}
.stuck{color:#b35900;font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:.6rem 1.2rem;margin:.8rem 0;padding:0;list-style:none;font-size:.9rem}
.legend span.swatch{display:inline-block;width:1.4rem;height:1rem;border:1px solid #aaa;vertical-align:middle;
margin-right:.3rem}
dl.failed dt{font-weight:600;margin-top:.5rem}dl.failed dd{margin:.1rem 0 .1rem 1.2rem}
.hint{color:#0b4f8a}
@media print{.cell details{max-width:none}}
"""


def _e(text: object) -> str:
    """Any text for the page: control characters removed, &, <, >, " and ' escaped."""
    return html.escape(clean(text), quote=True)


def _cell_html(view: ClassView, host: str, exercise: str, moved: str | None) -> str:
    cell = view.cell(host, exercise)
    classes = f"cell {cell.state}" + (f" moved-{moved}" if moved else "")
    title = _(STATE_WORDS[cell.state]) + (f" — {cell.reason}" if cell.reason else "")
    label = _e(cell.label)
    if cell.failing:
        items = "".join(
            f"<li>{_e(c.name)}{': <span class=hint>' + _e(c.hint) + '</span>' if c.hint else ''}</li>"
            for c in cell.failing
        )
        body = f"<details><summary>{label}</summary><ul>{items}</ul></details>"
    else:
        body = label
    return f'<td class="{classes}" title="{_e(title)}">{body}</td>'


def page(view: ClassView, marks: Round | None = None, *, refresh: int | None = None) -> str:
    """The class as one HTML page: no script, no link, no image, nothing fetched; it reloads itself every
    `refresh` seconds (watch)."""
    marks = marks or Round()
    when = view.graded_at.strftime("%Y-%m-%d %H:%M:%S")
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(view.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        # No script, no fetch: only the inline style below may apply.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        *([f'<meta http-equiv="refresh" content="{int(refresh)}">'] if refresh else []),
        f"<title>{_e(_('Class view'))} — {_e(view.course)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(view.course)}</h1>",
        f'<p class="meta">{_e(_("Graded at {time}").format(time=when))}'
        + (f" · {_e(_('round {number}').format(number=marks.number))}" if refresh else "")
        + "</p>",
    ]
    rows = [
        '<table class="matrix">',
        "<thead><tr>",
        f'<th class="student" scope="col">{_e(_("Student"))}</th>',
        *(f'<th scope="col" title="{_e(e.title)}">{_e(e.id)}</th>' for e in view.exercises),
        "</tr></thead>",
        "<tbody>",
    ]
    for student in view.students:
        name = _e(student.name)
        machine = f"<small>{_e(student.host)}</small>" if student.name != student.host else ""
        stuck = marks.stuck.get(student.host)
        note = (
            f' <span class="stuck">{_e(_("no change for {minutes} min").format(minutes=int(stuck // 60)))}</span>'
            if stuck is not None
            else ""
        )
        cells = "".join(
            _cell_html(view, student.host, e.id, marks.moved.get((student.host, e.id))) for e in view.exercises
        )
        rows.append(f'<tr><td class="student">{name}{note}{machine}</td>{cells}</tr>')
    rows += ["</tbody>", "</table>"]
    legend = ['<ul class="legend">']
    legend += [f'<li><span class="swatch cell {s}"></span>{_e(_(STATE_WORDS[s]))}</li>' for s in STATES]
    if refresh:
        legend += [
            f'<li><span class="swatch moved-{BETTER}"></span>{_e(_("better since the last round"))}</li>',
            f'<li><span class="swatch moved-{WORSE}"></span>{_e(_("worse since the last round"))}</li>',
            f'<li><span class="swatch moved-{CHANGED}"></span>{_e(_("changed since the last round"))}</li>',
        ]
    legend.append("</ul>")
    exercises = ["<h2>" + _e(_("Exercises")) + "</h2>", "<ul>"]
    exercises += [f"<li><b>{_e(e.id)}</b> — {_e(e.title)}</li>" for e in view.exercises]
    exercises.append("</ul>")
    failed = ["<h2>" + _e(_("Checks that did not pass")) + "</h2>"]
    any_failed = False
    for student in view.students:
        items = []
        for exercise in view.exercises:
            cell = view.cell(student.host, exercise.id)
            for check in cell.failing:
                items.append(f"<dt>{_e(exercise.id)}: {_e(check.name)}</dt>")
                if check.expected and check.status != "SKIP":
                    items.append(f"<dd>{_e(_('expected {expected}').format(expected=check.expected))}</dd>")
                if check.found:
                    items.append(f"<dd>{_e(_('found {found}').format(found=check.found))}</dd>")
                if check.hint:
                    items.append(f'<dd class="hint">{_e(_("hint: {hint}").format(hint=check.hint))}</dd>')
            if not cell.failing and cell.reason and cell.state not in ("done",):
                items.append(f"<dt>{_e(exercise.id)}</dt><dd>{_e(cell.reason)}</dd>")
        if items:
            any_failed = True
            count = sum(len(view.cell(student.host, e.id).failing) for e in view.exercises)
            heading = ngettext("{name}: {n} check did not pass", "{name}: {n} checks did not pass", count).format(
                name=student.name, n=count
            )
            failed += [f"<h3>{_e(heading)}</h3>", '<dl class="failed">', *items, "</dl>"]
    if not any_failed:
        failed.append(f"<p>{_e(_('Every check passed.'))}</p>")
    return "\n".join([*head, *rows, *legend, *exercises, *failed, "</body>", "</html>", ""])


def write_html(path: str | Path, view: ClassView, marks: Round | None = None, *, refresh: int | None = None) -> Path:
    """The page, written atomically (a reader, or the page reloading itself, sees the old page or the new)."""
    target = Path(path).expanduser().absolute()
    text = page(view, marks, refresh=refresh)
    room.write_private(target, lambda out: out.write(text), what="--html", mode=0o644)
    return target
