"""The teaching page (`xml2argv --format html`): the domain XML and the command line side by
side, every command-line item linked to the XML line it came from and explained.

The page is one self-contained file: inline CSS and JS only, locked down by a
Content-Security-Policy that names the two inline blocks by hash, so neither a stray asset
reference nor markup smuggled in through the (untrusted) XML could load or run anything.
Everything taken from the input or the translation is HTML-escaped; ids and hrefs are built
from numbers only. Links are plain fragment anchors and highlighting of the target line uses
CSS `:target`, so the page works with JavaScript disabled; the script only adds hover and
click highlighting of whole element ranges.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import field
from html import escape
from typing import TYPE_CHECKING, Iterable

from capsdb.records import dataclass
from .cmdline import Item, Source
from .itemview import split_keyval
from .profile_notes import profile_notes
from .quoting import shell_escape

if TYPE_CHECKING:
    from lxml import etree

    from .invocation import Invocation

QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"

# what each Source.kind means, in the words the page uses
KIND_LABELS = {
    "xml": "domain XML",
    "default": "libvirt default",
    "qemu": "qemu: namespace",
    "host": "host environment",
}
KIND_LEGEND = {
    "xml": "written in the domain XML",
    "default": "added by libvirt although the XML does not ask for it",
    "qemu": "added or changed by a qemu: namespace element",
    "host": "libvirt's environment for the QEMU process",
}


def esc(text: str) -> str:
    """HTML-escape text for element content and quoted attribute values alike."""
    return escape(text, quote=True)


def _kind_class(kind: str) -> str:
    """A CSS class for a source kind; unknown kinds share one class rather than leak
    arbitrary text into an attribute."""
    return kind if kind in KIND_LABELS else "other"


# --- the XML pane -------------------------------------------------------------------------


def decode_xml(data: bytes) -> str:
    """The input as text with newlines normalised like an XML parser counts lines."""
    text: str | None = None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        m = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", data)
        if m:
            try:
                text = data.decode(m.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                text = None
        if text is None:
            text = data.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[:-1] if text.endswith("\n") else text


@dataclass
class XmlScan:
    """The XML split into highlighted lines, plus each element's line range.

    `spans` maps a line to the range of the outermost element whose start tag opens or ends
    on it (lxml reports an element at the line of the `>` ending its start tag)."""

    lines: list[list[tuple[str, str]]] = field(default_factory=lambda: [[]])
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    start_tags: dict[int, tuple[int, int]] = field(default_factory=dict)
    root_line: int | None = None


_NAME = re.compile(r"[^\s/>=<'\"]+")
# constructs scanned as one piece: (opener, closer, css class)
_SPECIAL = (("<!--", "-->", "m"), ("<![CDATA[", "]]>", ""), ("<?", "?>", "p"), ("<!", ">", "p"))


class _Scanner:
    """A forgiving tokenizer for syntax colouring and element ranges (the document was
    already parsed strictly by the translator; this only has to look right)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.out = XmlScan()
        self.stack: list[tuple[str, int, int]] = []

    def emit(self, cls: str, piece: str) -> None:
        if not piece:
            return
        parts = piece.split("\n")
        self.out.lines[-1].append((cls, parts[0]))
        for p in parts[1:]:
            self.out.lines.append([(cls, p)] if p else [])
        self.line += len(parts) - 1

    def run(self) -> XmlScan:
        text, n = self.text, len(self.text)
        while self.i < n:
            lt = text.find("<", self.i)
            if lt < 0:
                self.emit("", text[self.i:])
                break
            self.emit("", text[self.i:lt])
            self.i = lt
            if not self._special():
                self._tag()
        return self.out

    def _special(self) -> bool:
        for opener, closer, cls in _SPECIAL:
            if self.text.startswith(opener, self.i):
                end = self.text.find(closer, self.i + len(opener))
                end = len(self.text) if end < 0 else end + len(closer)
                self.emit(cls, self.text[self.i:end])
                self.i = end
                return True
        return False

    def _tag(self) -> None:
        text, n = self.text, len(self.text)
        open_line = self.line
        closing = text.startswith("</", self.i)
        j = self.i + (2 if closing else 1)
        m = _NAME.match(text, j)
        name = m.group() if m else ""
        j = m.end() if m else j
        self.emit("t", text[self.i:j])
        self_closing = False
        while j < n:
            if text[j] == ">":
                self.emit("t", ">")
                j += 1
                break
            if text.startswith("/>", j):
                self.emit("t", "/>")
                j, self_closing = j + 2, True
                break
            if text[j] == "<":  # malformed: let the main loop take it
                break
            j = self._attr_piece(j)
        self.i = j
        self._element_event(name, closing, self_closing, open_line)

    def _attr_piece(self, j: int) -> int:
        text = self.text
        c = text[j]
        if c in "'\"":
            end = text.find(c, j + 1)
            end = len(text) if end < 0 else end + 1
            self.emit("v", text[j:end])
            return end
        m = _NAME.match(text, j)
        if m:
            self.emit("a", m.group())
            return m.end()
        self.emit("", c)
        return j + 1

    def _element_event(self, name: str, closing: bool, self_closing: bool,
                       open_line: int) -> None:
        if closing:
            while self.stack:
                nm, first, gt = self.stack.pop()
                if nm == name:
                    self._record(first, gt, self.line)
                    break
        elif self_closing:
            self._record(open_line, self.line, self.line)
        else:
            self.stack.append((name, open_line, self.line))
            if self.out.root_line is None:
                self.out.root_line = self.line

    def _record(self, first: int, gt: int, last: int) -> None:
        for ln in (gt, first):
            old = self.out.spans.get(ln)
            if old is None or old[1] - old[0] <= last - first:
                self.out.spans[ln] = (first, last)
                self.out.start_tags[ln] = (first, gt)


def scan_xml(text: str) -> XmlScan:
    return _Scanner(text).run()


def _parse_tree(data: bytes | None) -> "etree._Element | None":
    """The document with line numbers, parsed as hardened as the translator does."""
    if not data:
        return None
    from .errors import XMLInputError
    from .xmlsafe import parse_document

    try:
        return parse_document(data)
    except XMLInputError:
        return None


def _qemu_lines(root: "etree._Element | None", scan: XmlScan) -> set[int]:
    """Every line inside a qemu: namespace element, for tinting the XML pane."""
    lines: set[int] = set()
    if root is None:
        return lines
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith("{" + QEMU_NS + "}"):
            continue
        parent = el.getparent()
        if parent is not None and isinstance(parent.tag, str) \
                and parent.tag.startswith("{" + QEMU_NS + "}"):
            continue
        if el.sourceline:
            first, last = scan.spans.get(el.sourceline, (el.sourceline, el.sourceline))
            lines.update(range(first, last + 1))
    return lines


_STEP = re.compile(r"^([A-Za-z_][\w.-]*)(?:\[(\d+)\])?$")


def resolve_path(root: "etree._Element | None", path: str) -> tuple[int | None, bool]:
    """The line of the element at an XPath-like `/domain/devices[1]/disk[2]` source detail,
    or of its deepest existing ancestor (exact=False) when the element is not written."""
    if root is None or not path.startswith("/"):
        return None, False
    steps = path.strip("/").split("/")
    m = _STEP.match(steps[0]) if steps else None
    if not m or root.tag != m.group(1):
        return None, False
    el = root
    for step in steps[1:]:
        if step.startswith("@"):  # an attribute: the element carrying it
            return el.sourceline, step[1:] in el.attrib
        m = _STEP.match(step)
        if not m:
            return el.sourceline, False
        same = [c for c in el if c.tag == m.group(1)]
        idx = int(m.group(2) or 1) - 1
        if idx >= len(same):
            return el.sourceline, False
        el = same[idx]
    return el.sourceline, True


# --- locating and explaining sources ----------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """Where in the XML pane a row points: the line to link and the lines to highlight."""

    line: int
    first: int
    last: int
    exact: bool = True


class Locator:
    def __init__(self, scan: XmlScan, root: "etree._Element | None", nlines: int) -> None:
        self.scan, self.root, self.nlines = scan, root, nlines

    def where(self, src: Source) -> Where | None:
        line, exact = src.line, True
        if line is None and src.kind == "xml":
            line, exact = resolve_path(self.root, src.detail)
        if not line or not 1 <= line <= self.nlines:
            return None
        first, last = self.scan.spans.get(line, (line, line))
        if line == self.scan.root_line or not exact:
            # the whole document (or an ancestor of a missing element) is too much to
            # light up: show its start tag only
            first, last = self.scan.start_tags.get(line, (line, line))
        return Where(line, first, last, exact)


def _line_link(line: int, text: str | None = None) -> str:
    return f'<a class="xref" href="#xml-L{int(line)}">{esc(text or f"line {line}")}</a>'


def explain_source(src: Source, where: Where | None) -> str:
    """One explanation line: kind, detail and the XML line it points at."""
    kind = _kind_class(src.kind)
    label = KIND_LABELS.get(src.kind, src.kind)
    detail = esc(src.detail)
    if src.kind in ("xml", "qemu"):
        detail = f"<code>{detail}</code>"
    out = f'<span class="kind k-{kind}">{esc(label)}</span> {detail}'
    if where is not None and where.exact:
        out += f" &middot; {_line_link(where.line)}"
    elif where is not None:
        out += (" &middot; not written in the XML (libvirt's default); nearest element: "
                + _line_link(where.line))
    return out


def _current_keys(it: Item) -> set[str]:
    if it.props is not None:
        return set(it.props.as_dict())
    if len(it.tokens) > 1 and it.tokens[1].startswith("{"):
        try:
            return set(json.loads(it.tokens[1]))
        except json.JSONDecodeError:  # a value the user wrote (<qemu:arg>) need not be JSON
            return set()
    return set()


def explain_overrides(it: Item, loc: Locator) -> str:
    """What qemu: elements changed inside this item's value, property by property."""
    if not it.prop_sources:
        return ""
    present = _current_keys(it)
    parts: list[str] = []
    for name, src in it.prop_sources.items():
        where = loc.where(src)
        ref = f" ({_line_link(where.line)})" if where else ""
        if name in present:
            parts.append(f'sets <mark class="ov">{esc(name)}</mark>{ref}')
        else:
            parts.append(f'removes <del>{esc(name)}</del>{ref}')
    return ('<div class="ovs"><span class="kind k-qemu">qemu:override</span> '
            + ", ".join(parts) + "</div>")


# --- the command-line pane ----------------------------------------------------------------


def _json_pieces(value: str) -> list[tuple[str, str]] | None:
    """The top-level `"key":value` pieces of a compact JSON object, if re-joining them gives
    back exactly `value` (so marking a piece cannot change what is shown)."""
    try:
        obj = json.loads(value)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    for ascii_only in (False, True):
        pieces = [(k, json.dumps(k, ensure_ascii=ascii_only) + ":"
                   + json.dumps(v, separators=(",", ":"), ensure_ascii=ascii_only))
                  for k, v in obj.items()]
        if "{" + ",".join(p for _, p in pieces) + "}" == value:
            return pieces
    return None


def _keyval_pieces(value: str) -> list[tuple[str, str]]:
    """`k=v,k=v` pieces with their raw text (doubled commas kept)."""
    pieces: list[tuple[str, str]] = []
    pos = 0
    for part in split_keyval(value):
        raw_len = len(part) + part.count(",")  # each literal comma was written twice
        raw = value[pos:pos + raw_len]
        pieces.append((part.partition("=")[0], raw))
        pos += raw_len + 1
    return pieces


def mark_props(value: str, keys: Iterable[str]) -> str | None:
    """`value` as HTML with the given properties wrapped in <mark>, or None if it cannot be
    split reliably."""
    wanted = set(keys)
    if value.startswith("{"):
        pieces = _json_pieces(value)
        if pieces is None:
            return None
        return "{" + ",".join(_maybe_mark(raw, k in wanted) for k, raw in pieces) + "}"
    pieces_kv = _keyval_pieces(value)
    if ",".join(raw for _, raw in pieces_kv) != value:
        return None
    return ",".join(_maybe_mark(raw, k in wanted) for k, raw in pieces_kv)


def _maybe_mark(raw: str, on: bool) -> str:
    return f'<mark class="ov">{esc(raw)}</mark>' if on else esc(raw)


def _token_html(token: str, marked: str | None = None) -> str:
    """One argv element, shell-quoted as in libvirt's .args output."""
    quoted = shell_escape(token)
    if marked is not None:
        if quoted == token:
            return marked
        if quoted == f"'{token}'":
            return f"'{marked}'"
    return esc(quoted)


def item_html(it: Item) -> str:
    toks = list(it.tokens)
    first = f'<span class="opt">{esc(shell_escape(toks[0]))}</span>' if toks[0].startswith("-") \
        else _token_html(toks[0])
    rest: list[str] = []
    for n, tok in enumerate(toks[1:]):
        marked = mark_props(tok, it.prop_sources) if (n == 0 and it.prop_sources) else None
        rest.append(_token_html(tok, marked))
    return _breakable(" ".join([first, *rest]))


def _breakable(fragment: str) -> str:
    """Let long values wrap after commas rather than mid-word (the fragment's own tags
    carry no commas, so only text is touched)."""
    return fragment.replace(",", ",<wbr>")


@dataclass
class Row:
    rid: str
    kind: str
    text_html: str
    why_html: str
    where: Where | None
    extra: str = ""
    marks: str = ""  # links to the warnings about the XML this row comes from

    def html(self) -> str:
        kind = _kind_class(self.kind)
        href = f"#xml-L{self.where.line}" if self.where else f"#why-{self.rid}"
        data = (f' data-from="{self.where.first}" data-to="{self.where.last}"'
                if self.where else "")
        badge = f"L{self.where.line}" if self.where else KIND_SHORT.get(kind, kind)
        return (f'<li class="row k-{kind}{self.extra}" id="{self.rid}"{data}>'
                f'<span class="badge">{esc(badge)}</span>'
                f'<a class="cmd-link" href="{href}" aria-describedby="why-{self.rid}">'
                f'{self.text_html}</a>{self.marks} <span class="cont" aria-hidden="true">\\</span>'
                f'<div class="why" id="why-{self.rid}">{self.why_html}</div></li>')


KIND_SHORT = {"xml": "xml", "default": "default", "qemu": "qemu", "host": "host",
              "other": "?"}


def build_rows(inv: "Invocation", loc: Locator) -> list[Row]:
    rows: list[Row] = []
    for n, ev in enumerate(inv.env_vars or []):
        where = loc.where(ev.source)
        text = (f'<span class="opt">{esc(ev.name)}</span>='
                f'{_breakable(esc(shell_escape(ev.value or "")))}')
        rows.append(Row(f"env-{n}", ev.source.kind, text, explain_source(ev.source, where),
                        where))
    if inv.env_vars is None:
        for n, (name, value) in enumerate(inv.env):
            src = Source("host", "environment")
            rows.append(Row(f"env-{n}", "host", esc(f"{name}={shell_escape(value or '')}"),
                            explain_source(src, None), None))
    rows.append(_binary_row(inv, loc))
    from .effects import paired_items

    for n, it in enumerate(paired_items(inv.items or [])):
        where = loc.where(it.source)
        why = explain_source(it.source, where) + explain_overrides(it, loc)
        extra = " changed" if it.prop_sources else ""
        rows.append(Row(f"cmd-{n}", it.source.kind, item_html(it), why, where, extra))
    if inv.items is None:
        for n, arg in enumerate(inv.args):
            rows.append(Row(f"cmd-{n}", "other", _token_html(arg),
                            "no provenance recorded", None))
    return rows


def _binary_row(inv: "Invocation", loc: Locator) -> Row:
    line, exact = resolve_path(loc.root, "/domain/devices[1]/emulator[1]")
    if line and exact:
        src = Source("xml", "/domain/devices[1]/emulator[1]", line)
    else:
        src = Source("default", "the emulator binary of the QEMU capabilities in use")
    where = loc.where(src)
    return Row("bin", src.kind, f'<span class="bin">{esc(shell_escape(inv.binary))}</span>',
               explain_source(src, where), where)


# --- the page ---------------------------------------------------------------------------------


def xml_pane(scan: XmlScan, used: dict[int, list[str]], qemu_lines: set[int],
             warned: dict[int, list[int]], warnings: list[str]) -> str:
    out: list[str] = []
    for n, pieces in enumerate(scan.lines, start=1):
        body = "".join(f'<span class="x{cls}">{esc(t)}</span>' if cls else esc(t)
                       for cls, t in pieces)
        classes = "xl" + (" q" if n in qemu_lines else "") + (" src" if n in used else "")
        uses = ""
        if n in used:
            rids = used[n]
            title = f"used by {len(rids)} command-line item{'s' if len(rids) != 1 else ''}"
            uses = (f'<a class="uses" href="#{rids[0]}" title="{esc(title)}">'
                    f'&rarr;{len(rids) if len(rids) > 1 else ""}</a>')
        out.append(f'<div class="{classes}" id="xml-L{n}"><a class="ln" href="#xml-L{n}">{n}</a>'
                   f'<span class="xc">{body or " "}</span>{uses}'
                   f'{_warn_marks(warned.get(n, []), warnings)}</div>')
    return "\n".join(out)


def _warn_marks(indexes: list[int], warnings: list[str]) -> str:
    return "".join(f'<a class="wmark" href="#warn-{i}" title="{esc(warnings[i])}">!</a>'
                   for i in indexes)


def _version(inv: "Invocation") -> str:
    caps = inv.caps
    if caps is None:
        return ""
    v = caps.version
    return f"QEMU {v // 1_000_000}.{v // 1000 % 1000}.{v % 1000} ({caps.arch})"


def _legend() -> str:
    chips = "".join(f'<li><span class="chip k-{k}">{esc(KIND_LABELS[k])}</span> '
                    f"{esc(KIND_LEGEND[k])}</li>" for k in KIND_LABELS)
    chips += ('<li><mark class="ov">property</mark> set by &lt;qemu:override&gt;</li>'
              '<li><span class="chip qline">qemu: element</span> in the XML</li>'
              '<li><span class="chip hlchip">highlighted</span> XML behind the selected item'
              '</li>')
    return f'<ul class="legend" aria-label="Legend">{chips}</ul>'


def _summary(rows: list[Row]) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[_kind_class(r.kind)] = counts.get(_kind_class(r.kind), 0) + 1
    changed = sum(1 for r in rows if r.extra)
    parts = [f'<span class="chip k-{k}">{counts[k]} {esc(KIND_LABELS.get(k, k))}</span>'
             for k in (*KIND_LABELS, "other") if counts.get(k)]
    if changed:
        parts.append(f'<span class="chip changedchip">{changed} changed by qemu:override</span>')
    return " ".join(parts)


_WARN_LINE = re.compile(r"^line (\d+): ")


def _warning_list(inv: "Invocation", warnings: list[str]) -> list[str]:
    seen: list[str] = []
    for w in warnings:
        if w not in seen:
            seen.append(w)
    return seen


def warning_lines(warnings: list[str], nlines: int) -> dict[int, list[int]]:
    """XML line -> indexes of the warnings that start with `line N: `."""
    out: dict[int, list[int]] = {}
    for n, w in enumerate(warnings):
        m = _WARN_LINE.match(w)
        if m and 1 <= int(m.group(1)) <= nlines:
            out.setdefault(int(m.group(1)), []).append(n)
    return out


def _warnings(warnings: list[str], nlines: int) -> str:
    if not warnings:
        return '<section class="warnings none" id="warnings"><h2>Warnings</h2><p>None.</p></section>'
    items: list[str] = []
    for n, w in enumerate(warnings):
        m = _WARN_LINE.match(w)
        if m and 1 <= int(m.group(1)) <= nlines:
            body = _line_link(int(m.group(1))) + ": " + esc(w[m.end():])
        else:
            body = esc(w)
        items.append(f'<li id="warn-{n}">{body}</li>')
    return (f'<section class="warnings" id="warnings"><h2>Warnings ({len(warnings)})</h2>'
            f"<ul>{''.join(items)}</ul></section>")


def _csp_hash(block: str) -> str:
    digest = hashlib.sha256(block.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_html(inv: "Invocation", warnings: list[str]) -> str:
    """The whole teaching page for one translation."""
    text = decode_xml(inv.source_xml or b"")
    scan = scan_xml(text)
    root = _parse_tree(inv.source_xml)
    loc = Locator(scan, root, len(scan.lines) if inv.source_xml else 0)
    rows = build_rows(inv, loc)
    used: dict[int, list[str]] = {}
    for r in rows:
        if r.where is not None:
            used.setdefault(r.where.line, []).append(r.rid)
    warns = _warning_list(inv, warnings)
    warned = warning_lines(warns, len(scan.lines))
    for r in rows:
        if r.where is not None:
            hits = sorted({i for ln in range(r.where.first, r.where.last + 1)
                           for i in warned.get(ln, [])})
            r.marks = _warn_marks(hits, warns)
    name = getattr(inv.domain, "name", None) or "domain"
    meta = " &middot; ".join(esc(p) for p in (_version(inv), f"profile {inv.profile}") if p)
    profile = "<ul class=\"profile\">" + "".join(
        f"<li>{esc(n)}</li>" for n in profile_notes(inv)) + "</ul>"
    plain = esc(inv.render("args"))
    csp = (f"default-src 'none'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(JS)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return PAGE.format(
        csp=esc(csp), title=esc(f"xml2argv: {name}"), name=esc(name), meta=meta,
        profile=profile,
        css=CSS, js=JS, legend=_legend(), summary=_summary(rows),
        warnings=_warnings(warns, len(scan.lines)),
        xml=xml_pane(scan, used, _qemu_lines(root, scan), warned, warns) if inv.source_xml
        else '<p class="none">The input document is not available.</p>',
        rows="\n".join(r.html() for r in rows), plain=plain)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>QEMU command line for <code>{name}</code></h1>
<p class="meta">{meta} &middot; generated by xml2argv, as libvirt would start QEMU</p>
{profile}
<p class="summary">{summary}</p>
{legend}
{warnings}
</header>
<main class="panes">
<section class="pane" id="xml-pane" aria-labelledby="xml-h">
<h2 id="xml-h">Domain XML</h2>
<div class="xml">
{xml}
</div>
</section>
<section class="pane" id="cmd-pane" aria-labelledby="cmd-h">
<h2 id="cmd-h">Command line <small>each item links to the XML behind it</small></h2>
<ol class="cmd">
{rows}
</ol>
<details class="plain"><summary>The command line as plain text</summary><pre>{plain}</pre></details>
</section>
</main>
<script>{js}</script>
</body>
</html>
"""

CSS = """
:root { --xml:#1f5fa8; --xml-bg:#e9f1fb; --default:#6a4c93; --default-bg:#f2edf8;
  --qemu:#b34700; --qemu-bg:#fff0df; --host:#3f6b3f; --host-bg:#ecf4ec; --other:#666;
  --other-bg:#f0f0f0; --hl:#fff2a8; --pin:#ffe066; --ov:#ffc98a; --line:#d8dbe0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1d1f23; background: #fbfbfc; }
code, .xml, .cmd, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas,
  monospace; font-size: 12.5px; }
header { padding: 12px 18px 6px; border-bottom: 1px solid var(--line); background: #fff; }
h1 { font-size: 19px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 0 0 6px; }
h2 small { font-weight: normal; color: #666; font-size: 12px; margin-left: 6px; }
.meta { margin: 0 0 6px; color: #555; }
.profile { margin: 0 0 6px; padding-left: 18px; color: #555; font-size: 90%; }
.summary { margin: 0 0 6px; }
.legend { list-style: none; margin: 0 0 6px; padding: 0; display: flex; flex-wrap: wrap;
  gap: 4px 16px; font-size: 12.5px; color: #444; }
.chip { display: inline-block; padding: 0 6px; border-radius: 3px; border-left: 4px solid;
  font-size: 12px; }
.kind { display: inline-block; padding: 0 5px; border-radius: 3px; font-size: 11.5px;
  font-family: system-ui, sans-serif; border-left: 3px solid; }
.k-xml.chip, .kind.k-xml { color: var(--xml); background: var(--xml-bg); }
.k-default.chip, .kind.k-default { color: var(--default); background: var(--default-bg); }
.k-qemu.chip, .kind.k-qemu { color: var(--qemu); background: var(--qemu-bg); }
.k-host.chip, .kind.k-host { color: var(--host); background: var(--host-bg); }
.k-other.chip, .kind.k-other { color: var(--other); background: var(--other-bg); }
.chip.qline { background: var(--qemu-bg); border-color: var(--qemu); }
.chip.hlchip { background: var(--hl); border-color: #d4b000; }
.chip.changedchip { background: var(--ov); border-color: var(--qemu); }
mark.ov { background: var(--ov); color: inherit; border-radius: 2px;
  box-shadow: inset 0 -2px 0 var(--qemu); }
del { color: var(--qemu); }
.warnings { margin: 6px 0; padding: 6px 10px; border: 1px solid #e0a400;
  background: #fff8e1; border-radius: 4px; }
.warnings.none { border-color: var(--line); background: #f7f7f7; }
.warnings h2 { font-size: 13.5px; margin: 0; }
.warnings ul { margin: 2px 0 0; padding-left: 20px; }
.warnings p { margin: 0; color: #555; }
.panes { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.25fr);
  height: 100vh; }
.pane { overflow: auto; padding: 10px 12px 40px; min-height: 0; }
#xml-pane { border-right: 1px solid var(--line); background: #fff; }
.xl { display: grid; grid-template-columns: 3.2em minmax(0, 1fr) auto auto; align-items: start;
  scroll-margin-top: 25vh; border-left: 3px solid transparent; }
.xl.q { background: var(--qemu-bg); border-left-color: var(--qemu); }
.xl.src .ln { font-weight: bold; color: #333; }
.xl:target, .xl.pin { background: var(--pin); border-left-color: #c99700; }
.xl.hl { background: var(--hl); }
.ln { color: #999; text-align: right; padding-right: 10px; text-decoration: none;
  user-select: none; }
.xc { white-space: pre-wrap; overflow-wrap: anywhere; }
.wmark { text-decoration: none; color: #fff; background: #c77700; border-radius: 8px;
  padding: 0 5px; font: bold 10.5px system-ui, sans-serif; margin-left: 2px; }
.warnings li:target { background: var(--pin); }
.uses { text-decoration: none; color: var(--xml); padding: 0 4px; font-size: 11px; }
.xt { color: #174ea6; } .xa { color: #8a3b00; } .xv { color: #1a7f37; }
.xp { color: #777; } .xm { color: #888; font-style: italic; }
.cmd { list-style: none; margin: 0; padding: 0; }
.row { position: relative; padding: 3px 6px 3px 62px; border-left: 4px solid var(--other);
  margin-bottom: 2px; scroll-margin-top: 25vh; }
.row.k-xml { border-left-color: var(--xml); }
.row.k-default { border-left-color: var(--default); }
.row.k-host { border-left-color: var(--host); }
.row.k-qemu { border-left-color: var(--qemu); background: var(--qemu-bg); }
.row.changed { box-shadow: inset 3px 0 0 var(--ov); background: #fff7ee; }
.row:hover, .row:focus-within, .row.sel, .row:target { background: var(--hl); }
.badge { position: absolute; left: 6px; top: 4px; width: 50px; font-size: 10.5px;
  color: #777; font-family: system-ui, sans-serif; }
.cmd-link { color: inherit; text-decoration: none; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.cmd-link:hover, .cmd-link:focus { text-decoration: underline dotted; }
.opt { font-weight: bold; }
.bin { font-weight: bold; color: #333; }
.cont { color: #aaa; }
.row:last-child .cont { display: none; }
.why { font-family: system-ui, sans-serif; font-size: 12px; color: #555; margin-top: 1px; }
.why code { font-size: 11.5px; }
.ovs { margin-top: 1px; }
.xref { color: var(--xml); }
.why:target { background: var(--pin); }
.plain { margin-top: 14px; }
.plain pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f5f7;
  padding: 8px; border-radius: 4px; }
@media (max-width: 900px) {
  .panes { display: block; height: auto; }
  .pane { max-height: 75vh; border-right: 0; border-bottom: 1px solid var(--line); }
}
@media print {
  body { background: #fff; font-size: 11px; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .panes { display: block; height: auto; }
  .pane, #xml-pane { overflow: visible; max-height: none; padding: 6px 0; border: 0; }
  .uses { display: none; }
  .warnings { max-height: none; overflow: visible; }
  #cmd-pane { break-before: page; }
  .row, .xl { break-inside: avoid; }
  .plain { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""

JS = """
(function () {
  'use strict';
  function lines(a, b) {
    var out = [];
    for (var i = a; i <= b; i++) {
      var e = document.getElementById('xml-L' + i);
      if (e) out.push(e);
    }
    return out;
  }
  function mark(list, cls, on) {
    list.forEach(function (e) { e.classList.toggle(cls, on); });
  }
  var hovered = [], pinned = [], selected = [];
  function range(row) { return lines(+row.dataset.from, +row.dataset.to); }
  function hover(row) { mark(hovered, 'hl', false); hovered = range(row); mark(hovered, 'hl', true); }
  function unhover() { mark(hovered, 'hl', false); hovered = []; }
  function pin(row) {
    mark(pinned, 'pin', false); mark(selected, 'sel', false);
    pinned = range(row); selected = [row];
    mark(pinned, 'pin', true); mark(selected, 'sel', true);
  }
  document.querySelectorAll('.row[data-from]').forEach(function (row) {
    row.addEventListener('mouseenter', function () { hover(row); });
    row.addEventListener('mouseleave', unhover);
    row.addEventListener('focusin', function () { hover(row); });
    row.addEventListener('focusout', unhover);
    row.querySelector('.cmd-link').addEventListener('click', function () { pin(row); });
  });
  document.querySelectorAll('.xl .ln').forEach(function (a) {
    a.addEventListener('click', function () {
      var n = +a.parentNode.id.slice(5);
      mark(selected, 'sel', false); mark(pinned, 'pin', false);
      pinned = [a.parentNode];
      selected = Array.prototype.filter.call(
        document.querySelectorAll('.row[data-from]'),
        function (r) { return +r.dataset.from <= n && n <= +r.dataset.to; });
      mark(selected, 'sel', true);
      if (selected.length) selected[0].scrollIntoView({block: 'nearest'});
    });
  });
})();
"""
