"""gettext catalogs without gettext's tools: read a .po file, compile it to .mo, find the messages in the code.

Standard library only: the build hook (hatch_build.py) imports this module in the build's own environment,
where none of labctl's dependencies are installed. The .mo format is GNU gettext's (little-endian, no hash
table: Python's gettext does not read one), the subset that `msgfmt` writes for a catalog without a hash.
"""

from __future__ import annotations

import ast
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = 0x950412DE
CONTEXT_SEPARATOR = "\x04"  # between msgctxt and msgid, as gettext looks them up
# Functions whose string arguments are messages: _("…"), N_("…") (marked now, translated when shown),
# ngettext("one …", "{n} …", n) and pgettext("context", "…").
MARKERS = {"_": 1, "N_": 1, "ngettext": 2, "pgettext": 2}  # marker -> how many leading string arguments
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


class PoError(ValueError):
    """A .po file that does not parse: names the file and line."""


@dataclass
class Entry:
    """One message of a catalog: msgid (and plural), its context, its translations, its flags."""

    msgid: str
    msgstr: list[str] = field(default_factory=lambda: [""])
    msgid_plural: str | None = None
    msgctxt: str | None = None
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        """The key gettext looks the message up by: context, \\x04, msgid."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}{CONTEXT_SEPARATOR}{self.msgid}"

    @property
    def translated(self) -> bool:
        """Every form has a non-empty translation and no `fuzzy` flag asks for a review."""
        return "fuzzy" not in self.flags and all(self.msgstr) and bool(self.msgstr)


def _unquote(text: str, where: str) -> str:
    """The value of one C string literal of a .po file ("…" with backslash escapes)."""
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoError(f"{where}: expected a string in double quotes, found {text!r}")

    def escape(match: re.Match[str]) -> str:
        char = match.group(1)
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char[0] in "01234567":
            return chr(int(char, 8))
        raise PoError(f"{where}: unknown escape \\{char}")

    return re.sub(r"\\([0-7]{1,3}|.)", escape, text[1:-1])


def parse(text: str, source: str = "<po>") -> list[Entry]:
    """The entries of a .po file, the header (msgid "") first as in the file."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)  # the field a continuation line extends
    flags: set[str] = set()  # the #, flags of the entry to come

    def finish() -> None:
        nonlocal current
        if current is not None:
            if current.msgid is None:
                raise PoError(f"{source}:{current.line}: msgctxt without msgid")
            entries.append(current)
        current = None

    for number, raw in enumerate(text.splitlines(), 1):
        where = f"{source}:{number}"
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if current is not None and current.msgid is not None:
                finish()  # comments open the next entry
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith('"'):
            if current is None:
                raise PoError(f"{where}: a string outside of an entry")
            _extend(current, target, _unquote(line, where))
            continue
        keyword, _, rest = line.partition(" ")
        value = _unquote(rest, where)
        if keyword in ("msgctxt", "msgid"):
            if current is not None and current.msgid is not None:
                finish()
            if current is None:
                current, flags = Entry(msgid=None, flags=flags, line=number), set()  # type: ignore[arg-type]
        elif current is None or current.msgid is None:
            raise PoError(f"{where}: {keyword} before msgid")
        target = _store(current, keyword, value, where)
    finish()
    return entries


def _store(entry: Entry, keyword: str, value: str, where: str) -> tuple[str, int]:
    """Set one keyword's value on an entry; the field that continuation lines then extend."""
    if keyword in ("msgctxt", "msgid", "msgid_plural"):
        setattr(entry, keyword, value)
        return keyword, 0
    if keyword == "msgstr":
        entry.msgstr = [value]
        return "msgstr", 0
    plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
    if plural is None:
        raise PoError(f"{where}: unknown keyword {keyword!r}")
    index = int(plural.group(1))
    if index == 0:
        entry.msgstr = []
    if index != len(entry.msgstr):
        raise PoError(f"{where}: msgstr[{index}] out of order")
    entry.msgstr.append(value)
    return "msgstr", index


def _extend(entry: Entry, target: tuple[str, int], value: str) -> None:
    """Append a continuation string to the field last set."""
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += value
    else:
        setattr(entry, name, (getattr(entry, name) or "") + value)


def read(path: Path) -> list[Entry]:
    """The entries of the .po file at path (UTF-8, as labctl's catalogs are)."""
    return parse(path.read_text(encoding="utf-8"), str(path))


def compile_entries(entries: Iterable[Entry]) -> bytes:
    """A .mo file of the translated entries (untranslated and fuzzy ones left out, as msgfmt does; the header kept)."""
    messages: dict[str, str] = {}
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            messages[""] = entry.msgstr[0]  # the header: charset and plural forms for gettext
        elif entry.translated:
            key = entry.key if entry.msgid_plural is None else f"{entry.key}\0{entry.msgid_plural}"
            messages[key] = "\0".join(entry.msgstr)
    keys = sorted(messages, key=lambda k: k.encode())  # gettext's binary search wants byte order
    ids = [k.encode() for k in keys]
    strs = [messages[k].encode() for k in keys]
    header_size = 7 * 4
    table_size = len(keys) * 8
    offset = header_size + 2 * table_size
    id_table, str_table, blob = [], [], b""
    for data, table in ((ids, id_table), (strs, str_table)):
        for item in data:
            table.append((len(item), offset + len(blob)))
            blob += item + b"\0"
    out = struct.pack("<7I", MAGIC, 0, len(keys), header_size, header_size + table_size, 0, offset)
    for table in (id_table, str_table):
        out += b"".join(struct.pack("<2I", length, start) for length, start in table)
    return out + blob


def compile_file(po_path: Path) -> bytes:
    """The .mo bytes of one .po file."""
    return compile_entries(read(po_path))


def catalogs(locale_dir: Path) -> Iterator[Path]:
    """Every .po file under a locale folder (<lang>/LC_MESSAGES/<domain>.po), in name order."""
    yield from sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


# --- finding the messages in the code --------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A message found in the code, or a marked call whose argument is not a plain string (a bug)."""

    msgid: str
    path: str
    line: int
    msgid_plural: str | None = None
    msgctxt: str | None = None
    problem: str = ""  # set when the argument cannot be a message (an f-string, a concatenation, …)

    @property
    def key(self) -> str:
        """The key gettext looks the message up by: context, \\x04, msgid."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}{CONTEXT_SEPARATOR}{self.msgid}"


def _marker(call: ast.Call) -> str | None:
    """The marker name of a call (`_`, `i18n._`, `ngettext`, …), or None."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name if name in MARKERS else None


def extract_source(source: str, path: str = "<source>") -> list[Found]:
    """The messages marked in one Python source: the literal arguments of _(), N_(), ngettext(), pgettext()."""
    found: list[Found] = []
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, ast.Call) and (name := _marker(node)) is not None:
            item = _found_in_call(name, node, path)
            if item is not None:
                found.append(item)
    return found


def _found_in_call(name: str, call: ast.Call, path: str) -> Found | None:
    """The message of one marked call; a Found with a problem for a call that can never match the catalog."""
    count = MARKERS[name]
    texts = call.args[:count]
    if len(texts) < count or call.keywords:
        return Found("", path, call.lineno, problem=f"{name}() takes {count} positional string(s)")
    if any(isinstance(a, (ast.JoinedStr, ast.BinOp)) for a in texts):
        # The value would be built before the lookup: never in the catalog. Format after: _("… {x}").format(x=…)
        return Found("", path, call.lineno, problem=f"{name}() of an f-string or an expression")
    if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in texts):
        if name == "N_":
            return Found("", path, call.lineno, problem="N_() marks a literal string only")
        return None  # _(variable): a message marked where it was written (N_), looked up when shown
    values = [a.value for a in texts]  # type: ignore[attr-defined]
    if name == "ngettext":
        return Found(values[0], path, call.lineno, msgid_plural=values[1])
    if name == "pgettext":
        return Found(values[1], path, call.lineno, msgctxt=values[0])
    return Found(values[0], path, call.lineno)


def extract(package: Path) -> list[Found]:
    """The messages marked in every Python file under a package folder."""
    found: list[Found] = []
    for path in sorted(package.rglob("*.py")):
        found += extract_source(path.read_text(encoding="utf-8"), str(path))
    return found


def as_po(found: Iterable[Found]) -> str:
    """Entries ready to paste into a catalog, for the messages given (their msgstr still to write)."""
    blocks = []
    for item in found:
        lines = [f"#: {item.path}:{item.line}"]
        if item.msgctxt is not None:
            lines.append(f"msgctxt {quote(item.msgctxt)}")
        lines.append(f"msgid {quote(item.msgid)}")
        if item.msgid_plural is not None:
            lines += [f"msgid_plural {quote(item.msgid_plural)}", 'msgstr[0] ""', 'msgstr[1] ""']
        else:
            lines.append('msgstr ""')
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def quote(text: str) -> str:
    """A string as a .po file writes it."""
    reverse = {v: k for k, v in _ESCAPES.items() if k not in "abfv"}
    return '"' + "".join("\\" + reverse[c] if c in reverse else c for c in text) + '"'


def placeholders(text: str) -> set[str]:
    """The {fields} of a str.format message ({{ and }} are literal braces, not fields)."""
    return set(re.findall(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}", text.replace("{{", "").replace("}}", "")))
