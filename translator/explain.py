"""`--explain` and `--aliases`: where every rendered item came from.

The builders record a `Source` on each item as they make it (an XML element, a libvirt
default with its reason, or a `qemu:` element), and `<qemu:override>` records one per
property it touches; this module only lays that provenance out, as two aligned columns
that fit a 100-column terminal or as JSON.
"""

from __future__ import annotations

import json
from dataclasses import field
from typing import TYPE_CHECKING, Any, Iterable

from capsdb.records import dataclass
from .cmdline import Item, Source, default_source, xml_source
from .itemview import split_keyval
from .profile_notes import profile_notes

if TYPE_CHECKING:
    from .invocation import Invocation
    from .model import Device

WIDTH = 100
ITEM_COL = 50          # the rendered item
KIND_COL = 9           # 'xml', 'default', 'qemu' (+ padding)
GAP = 2
DETAIL_COL = WIDTH - ITEM_COL - GAP - KIND_COL

_KIND_LABEL = {"xml": "xml", "default": "default", "qemu": "qemu", "host": "host"}


@dataclass
class Note:
    """One extra provenance line under an item: a property <qemu:override> set or removed."""
    text: str
    source: Source


@dataclass
class Row:
    """One thing on QEMU's command line as the reader sees it."""
    section: str                     # 'env' | 'binary' | 'args'
    tokens: tuple[str, ...]
    source: Source
    lines: tuple[int, ...] = ()      # several when qemu:arg tokens are shown together
    notes: list[Note] = field(default_factory=list)


# --------------------------------------------------------------------------- provenance

def binary_source(inv: "Invocation") -> Source:
    """<emulator> when the domain names one, otherwise the capabilities' binary."""
    root = inv.domain.root if inv.domain is not None else None
    emu = root.at("devices", "emulator") if root is not None else None
    if emu is not None and emu.text:
        return xml_source(emu, "/domain/devices/emulator")
    return default_source("no <emulator>: the QEMU binary of the chosen capabilities")


@dataclass(frozen=True)
class PropChange:
    """A device property that <qemu:override> (or another recorded source) set or removed."""
    name: str
    action: str            # 'set' | 'remove'
    value: Any
    source: Source


def prop_changes(item: Item) -> list[PropChange]:
    """What touched this item's properties individually, in the order it happened."""
    out: list[PropChange] = []
    for name, src in item.prop_sources.items():
        present = item.props is not None and name in item.props
        value = item.props[name] if present and item.props is not None else None
        out.append(PropChange(name, "set" if present else "remove", value, src))
    return out


def prop_notes(item: Item) -> list[Note]:
    notes: list[Note] = []
    for ch in prop_changes(item):
        who = "<qemu:override>" if ch.source.kind == "qemu" else ch.source.detail
        if ch.action == "set":
            value = json.dumps(ch.value, ensure_ascii=False)
            notes.append(Note(f"{who} sets {ch.name}={value}", ch.source))
        else:
            notes.append(Note(f"{who} removes {ch.name}", ch.source))
    return notes


def _joinable(prev: Row, item: Item) -> bool:
    """An appended option and the value token(s) right after it read as one row."""
    return (prev.section == "args" and prev.source.kind == "qemu" and item.source.kind == "qemu"
            and prev.source.detail == item.source.detail == "qemu:commandline/qemu:arg"
            and prev.tokens[0].startswith("-") and len(item.tokens) == 1
            and not item.tokens[0].startswith("-"))


def rows(inv: "Invocation", effects: list["CapEffect"] | None = None) -> list[Row]:
    by_item: dict[int, list[Note]] = {}
    for eff in effects or []:
        for verb, indexes in (("added", eff.added), ("changed", eff.changed)):
            for i in indexes:
                by_item.setdefault(i, []).append(
                    Note(f"<qemu:{eff.toggle}> {eff.name} {verb} it", eff.source))
    out: list[Row] = []
    for env in inv.env_vars or []:
        out.append(Row("env", (f"{env.name}={env.value or ''}",), env.source,
                       _lines(env.source)))
    bsrc = binary_source(inv)
    out.append(Row("binary", (inv.binary,), bsrc, _lines(bsrc)))
    for n, item in enumerate(inv.items or []):
        if out and _joinable(out[-1], item):
            prev = out[-1]
            prev.tokens = prev.tokens + item.tokens
            prev.lines = prev.lines + _lines(item.source)
            continue
        out.append(Row("args", item.tokens, item.source, _lines(item.source),
                       prop_notes(item) + by_item.get(n, [])))
    return out


def _lines(src: Source) -> tuple[int, ...]:
    return (src.line,) if src.line else ()


# --------------------------------------------------------------------------- capabilities

@dataclass
class CapEffect:
    """What one <qemu:add>/<qemu:del> changed, found by translating once more with just
    that toggle undone and comparing item by item."""
    toggle: str                       # 'add' | 'del'
    name: str
    line: int | None
    status: str                       # effective | no effect | already on | ...
    added: list[int] = field(default_factory=list)     # indexes into inv.items
    changed: list[int] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)   # items only without the toggle

    @property
    def source(self) -> Source:
        return Source("qemu", f"qemu:capabilities/qemu:{self.toggle}"
                              f"[@capability='{self.name}']", self.line)


def _profile_flags(inv: "Invocation") -> frozenset[str] | None:
    """The embedded profile's flags for the same QEMU version, to tell a toggle that
    changed nothing (already on / not there) from one that did."""
    import capsdb

    caps = inv.caps
    if caps is None:
        return None
    v = caps.version
    try:
        prof = capsdb.get(f"{v // 1_000_000}.{v // 1000 % 1000}.{v % 1000}", caps.arch)
    except (LookupError, ValueError):
        return None
    return prof.flags if prof.version == v else None


def _comparable(items: list[Item], skip: set[str]) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Items by their stable key, leaving out (and adding to `skip`) those the namespace
    made or edited itself: the toggle is not what changed them."""
    from .itemview import view_items

    out: dict[str, tuple[int, tuple[str, ...]]] = {}
    for view, item in zip(view_items(items), items):
        if item.source.kind == "qemu" or any(s.kind == "qemu"
                                             for s in item.prop_sources.values()):
            skip.add(view.key)
        if view.key not in skip:
            out[view.key] = (view.index, item.tokens)
    return out


def capability_effects(inv: "Invocation") -> list[CapEffect]:
    if inv.domain is None or inv.caps is None or inv.source_xml is None:
        return []
    ns = inv.domain.qemu
    toggles = [("add", t) for t in ns.caps_add] + [("del", t) for t in ns.caps_del]
    if not toggles:
        return []
    from .errors import TranslationError
    from .translate import translate

    base = _profile_flags(inv)
    skip: set[str] = set()
    mine = _comparable(inv.items or [], skip)
    out: list[CapEffect] = []
    for kind, t in toggles:
        eff = CapEffect(kind, t.name, t.line, "effective")
        out.append(eff)
        on = inv.caps.has(t.name)
        if kind == "add" and not on:
            eff.status = "no effect: a <qemu:del> or --del-cap turns it off again"
            continue
        if kind == "add" and base is not None and t.name in base:
            eff.status = "no effect: already on for this QEMU"
            continue
        if kind == "del" and on:
            eff.status = "no effect: an --add-cap turns it on again"
            continue
        if kind == "del" and base is not None and t.name not in base:
            eff.status = "no effect: this QEMU does not have it"
            continue
        undone = (inv.caps.with_changes(remove=[t.name]) if kind == "add"
                  else inv.caps.with_changes(add=[t.name]))
        try:
            other = translate(inv.source_xml, undone, profile=inv.host or inv.profile,
                              namespace=False, **inv.start_options)  # type: ignore[arg-type]
        except TranslationError as exc:
            eff.status = f"effective: without it libvirt refuses the domain ({exc})"
            continue
        theirs = _comparable(other.items or [], set(skip))
        for key, (index, tokens) in mine.items():
            if key not in theirs:
                eff.added.append(index)
            elif theirs[key][1] != tokens:
                eff.changed.append(index)
        eff.removed = [" ".join(tok) for key, (_, tok) in theirs.items() if key not in mine]
        if not (eff.added or eff.changed or eff.removed):
            eff.status = "no effect on this domain's command line"
    return out


# --------------------------------------------------------------------------- wrapping

def _json_members(text: str) -> list[str]:
    """Split a JSON object at its top-level commas, keeping each comma on its piece."""
    pieces: list[str] = []
    depth = 0
    in_str = False
    esc = False
    start = 0
    for i, c in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
            continue
        if c == '"':
            in_str = True
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
        elif c == "," and depth == 1:
            pieces.append(text[start:i + 1])
            start = i + 1
    pieces.append(text[start:])
    return pieces


def _keyval_pieces(text: str) -> list[str]:
    """QEMU key=value syntax split after each separating comma (',,' is a literal)."""
    parts = split_keyval(text)
    if len(parts) == 1:
        return [text]
    pieces: list[str] = []
    for n, p in enumerate(parts):
        raw = p.replace(",", ",,")
        pieces.append(raw + ("," if n < len(parts) - 1 else ""))
    return pieces


def _hard_split(piece: str, width: int) -> list[str]:
    """A piece too long for the column: break after a '/' when possible, then after
    another separator ('-', '.', '_', ':', '='), else anywhere."""
    out: list[str] = []
    while len(piece) > width:
        cut = -1
        for seps in ("/", "-._:="):
            cut = max(piece.rfind(c, 0, width) for c in seps)
            if cut >= width // 2:
                break
        if cut < width // 2:
            cut = width - 1
        out.append(piece[:cut + 1])
        piece = piece[cut + 1:]
    out.append(piece)
    return out


def pack(pieces: Iterable[str], width: int, sep: str = "") -> list[str]:
    """Greedy line filling: join pieces with `sep` while they fit in `width`."""
    lines: list[str] = []
    cur = ""
    for piece in pieces:
        for chunk in _hard_split(piece, width):
            candidate = cur + sep + chunk if cur else chunk
            if len(candidate) <= width:
                cur = candidate
            else:
                if cur:
                    lines.append(cur)
                cur = chunk
    if cur or not lines:
        lines.append(cur)
    return lines


def wrap_value(value: str, width: int) -> list[str]:
    """A value over several lines, broken where QEMU's syntax has natural seams."""
    if len(value) <= width:
        return [value]
    if value.startswith("{") and value.endswith("}"):
        return pack(_json_members(value), width)
    if "," in value:
        return pack(_keyval_pieces(value), width)
    return pack([value], width)


def wrap_item(tokens: tuple[str, ...], width: int) -> list[str]:
    """The option first, its value(s) wrapped and indented under the first value."""
    words = [t if t != "" else "''" for t in tokens]
    if len(words) == 1:
        first, *rest = wrap_value(words[0], width)
        if not rest:
            return [first]
        # continuation lines indented, so that they do not read as new items
        return [first] + ["  " + seg for seg in pack([" ".join(rest).replace(" ", "")],
                                                      width - 2)]
    head = words[0]
    indent = len(head) + 1
    if indent > width // 3:
        indent = 4
    body_width = width - indent
    lines: list[str] = []
    at_head = True
    for word in words[1:]:
        for seg in wrap_value(word, body_width):
            if at_head and len(head) + 1 + len(seg) <= width:
                lines.append(f"{head} {seg}")
            elif at_head:
                lines.append(head)
                lines.append(" " * indent + seg)
            else:
                lines.append(" " * indent + seg)
            at_head = False
    return lines


def _line_label(lines: tuple[int, ...]) -> str:
    if not lines:
        return ""
    if len(lines) == 1:
        return f"line {lines[0]}"
    return "lines " + ", ".join(str(n) for n in lines)


def describe(src: Source, lines: tuple[int, ...], width: int = DETAIL_COL) -> list[str]:
    """A source's detail and line number, wrapped for the detail column."""
    label = _line_label(lines)
    if src.kind in ("default", "host"):
        return pack(src.detail.split(" ") + ([f"({label})"] if label else []), width, sep=" ")
    out = pack([src.detail], width)
    if label:
        if len(out[-1]) + 2 + len(label) <= width:
            out[-1] = f"{out[-1]}  {label}"
        else:
            out.append(label)
    return out


# --------------------------------------------------------------------------- text

def _source_block(row: Row) -> list[tuple[str, str]]:
    """(kind, detail) lines for the right-hand columns."""
    block: list[tuple[str, str]] = []
    for n, line in enumerate(describe(row.source, row.lines)):
        block.append((_KIND_LABEL.get(row.source.kind, row.source.kind) if n == 0 else "", line))
    for note in row.notes:
        label = _line_label(_lines(note.source))
        words = note.text.split(" ") + ([f"({label})"] if label else [])
        for n, line in enumerate(pack(words, DETAIL_COL, sep=" ")):
            block.append((note.source.kind if n == 0 else "", line))
    return block


def _format_row(row: Row) -> list[str]:
    left = wrap_item(row.tokens, ITEM_COL)
    right = _source_block(row)
    height = max(len(left), len(right))
    out: list[str] = []
    for i in range(height):
        item = left[i] if i < len(left) else ""
        kind, detail = right[i] if i < len(right) else ("", "")
        line = f"{item:<{ITEM_COL}}{'':<{GAP}}{kind:<{KIND_COL}}{detail}"
        out.append(line.rstrip())
    return out


_SECTIONS = (("env", "Environment"), ("binary", "Binary"), ("args", "Arguments"))


def _header(inv: "Invocation") -> list[str]:
    name = inv.domain.name if inv.domain is not None else "?"
    qemu = ""
    if inv.caps is not None:
        v = inv.caps.version
        qemu = f", QEMU {v // 1_000_000}.{v // 1000 % 1000}.{v % 1000} ({inv.caps.arch})"
    title = f"Domain '{name}'{qemu}, {inv.profile} profile"
    notes = [ln for note in profile_notes(inv) for ln in pack(note.split(" "), WIDTH, sep=" ")]
    legend = ["FROM  xml      the domain XML element that produced it (XPath, line)",
              "      default  something libvirt adds on its own, and why",
              "      qemu     an element of the qemu: namespace (line)"]
    return pack(title.split(" "), WIDTH, sep=" ") + notes + legend


def _column_titles() -> str:
    return f"{'ITEM':<{ITEM_COL}}{'':<{GAP}}{'FROM':<{KIND_COL}}WHERE"


def namespace_summary(inv: "Invocation", effects: list[CapEffect] | None = None) -> list[str]:
    """What each qemu: element did, for the closing section of the text output."""
    if inv.domain is None or inv.domain.qemu.empty:
        return []
    ns = inv.domain.qemu
    out: list[str] = []

    def say(text: str, line: int | None) -> None:
        where = f" (line {line})" if line else ""
        out.extend(pack(f"- {text}{where}".split(" "), WIDTH, sep=" "))

    for e in ns.env:
        say(f"<qemu:env name='{e.name}'> sets {e.name} in QEMU's environment", e.line)
    if ns.args:
        say(f"{len(ns.args)} <qemu:arg> {'token' if len(ns.args) == 1 else 'tokens'} "
            "added after the devices libvirt generated", ns.args[0].line)
    for eff in effects or []:
        what = eff.status
        if eff.status == "effective":
            counts = [f"{len(lst)} {verb}" for verb, lst in
                      (("added", eff.added), ("changed", eff.changed), ("removed", eff.removed))
                      if lst]
            what = "effective: items " + ", ".join(counts)
        say(f"<qemu:{eff.toggle} capability='{eff.name}'> {what}", eff.line)
        for gone in eff.removed:
            head = gone if len(gone) <= WIDTH - 20 else gone[:WIDTH - 23] + "..."
            out.append(f"    without it: {head}")
    touched = _override_targets(inv)
    for ov in ns.overrides:
        target = touched.get(ov.alias)
        if target is None:
            say(f"<qemu:device alias='{ov.alias}'> matches no -device: it has no effect", ov.line)
        else:
            count = len(ov.frontend)
            say(f"<qemu:device alias='{ov.alias}'> changes {count} "
                f"{'property' if count == 1 else 'properties'} of {target}", ov.line)
    if ns.deprecation:
        say(f"<qemu:deprecation behavior='{ns.deprecation}'> "
            + ("adds -compat" if ns.deprecation in ("omit", "reject", "crash") else "emits nothing"),
            ns.deprecation_line)
    return out


def _override_targets(inv: "Invocation") -> dict[str, str]:
    """alias -> a short name of the -device an override actually changed."""
    out: dict[str, str] = {}
    for item in inv.items or []:
        for src in item.prop_sources.values():
            if src.kind == "qemu" and "@alias='" in src.detail:
                alias = src.detail.split("@alias='", 1)[1].split("'", 1)[0]
                driver = item.props.get("driver") if item.props is not None else None
                out[alias] = f"-device {driver}" if driver else item.tokens[0]
    return out


def _summary(all_rows: list[Row], inv: "Invocation") -> str:
    counts: dict[str, int] = {}
    for item in inv.items or []:
        counts[item.source.kind] = counts.get(item.source.kind, 0) + 1
    props = sum(1 for it in inv.items or [] for s in it.prop_sources.values() if s.kind == "qemu")
    parts = [f"{counts.get('xml', 0)} from the domain XML",
             f"{counts.get('default', 0)} libvirt defaults",
             f"{counts.get('qemu', 0)} from the qemu: namespace"]
    if counts.get("host"):
        parts.append(f"{counts['host']} from the host")
    text = f"{len(inv.items or [])} argument items: " + ", ".join(parts)
    if props:
        text += f"; {props} device property change(s) by <qemu:override>"
    return text + "."


def render_text(inv: "Invocation", warnings: list[str] | None = None) -> str:
    effects = capability_effects(inv)
    all_rows = rows(inv, effects)
    out = _header(inv)
    for key, title in _SECTIONS:
        section = [r for r in all_rows if r.section == key]
        if not section:
            continue
        out += ["", title, _column_titles()]
        for r in section:
            out += _format_row(r)
    out += [""] + pack(_summary(all_rows, inv).split(" "), WIDTH, sep=" ")
    ns = namespace_summary(inv, effects)
    if ns:
        out += ["", "What the qemu: namespace did"] + ns
    if warnings:
        out += ["", "Warnings"]
        for w in warnings:
            first, *rest = pack(f"- {w}".split(" "), WIDTH, sep=" ")
            out.append(first)
            out += ["  " + ln for ln in pack(" ".join(rest).split(" "), WIDTH - 2, sep=" ")
                    if rest and ln]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- json

def source_dict(src: Source) -> dict[str, Any]:
    return {"kind": src.kind, "detail": src.detail, "line": src.line}


def render_json(inv: "Invocation", warnings: list[str] | None = None) -> str:
    """Every env var, the binary and every item (1:1 with the args) with its source."""
    effects = capability_effects(inv)
    items = []
    for n, item in enumerate(inv.items or []):
        entry: dict[str, Any] = {"tokens": list(item.tokens), "source": source_dict(item.source)}
        caps = [{"action": "added" if n in e.added else "changed", "source": source_dict(e.source)}
                for e in effects if n in e.added or n in e.changed]
        if caps:
            entry["capabilities"] = caps
        changes = prop_changes(item)
        if changes:
            entry["properties"] = [
                {"name": ch.name, "action": ch.action, "value": ch.value,
                 "source": source_dict(ch.source)} for ch in changes]
        items.append(entry)
    doc = {
        "domain": inv.domain.name if inv.domain is not None else None,
        "profile": inv.profile,
        "profile_notes": profile_notes(inv),
        "env": [{"name": e.name, "value": e.value or "", "source": source_dict(e.source)}
                for e in inv.env_vars or []],
        "binary": {"value": inv.binary, "source": source_dict(binary_source(inv))},
        "items": items,
        "capabilities": [{"toggle": e.toggle, "name": e.name, "status": e.status,
                          "removed": e.removed, "source": source_dict(e.source)}
                         for e in effects],
        "warnings": list(warnings or []),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_explain(inv: "Invocation", fmt: str = "args",
                   warnings: list[str] | None = None) -> str:
    """`--explain`: JSON with --format json, otherwise the aligned text table."""
    if fmt == "json":
        return render_json(inv, warnings)
    return render_text(inv, warnings)


# --------------------------------------------------------------------------- aliases

def _device_what(dev: "Device") -> str:
    model = None
    for attr in ("model", "type", "bus"):
        v = dev.elem.get(attr) if dev.elem is not None else None
        if v:
            model = v
            break
    if model is None and dev.elem is not None:
        m = dev.elem.find("model")
        if m is not None:
            model = m.get("type") or m.get("name")
    return f"{dev.family} {model}" if model else dev.family


def _device_origin(dev: "Device") -> str:
    if dev.implicit:
        return f"default: {dev.implicit}"
    e = dev.elem
    if e is None:
        return "xml"
    return f"xml: {e.path}" + (f" (line {e.line})" if e.line else "")


def render_aliases(inv: "Invocation") -> str:
    """Every device's alias: the names <qemu:override> and `-set device.ID` must use.

    User aliases ('ua-' prefix) are kept from the XML; all others are libvirt's own and
    valid only as long as the device list does not change.
    """
    devices = list(inv.domain.devices.items) if inv.domain is not None else []
    with_alias = [d for d in devices if d.alias]
    aw = max([len("ALIAS")] + [len(d.alias or "") for d in with_alias])
    ww = max([len("DEVICE")] + [len(_device_what(d)) for d in with_alias])
    ww = min(ww, 30)
    out = [f"{'ALIAS':<{aw}}  {'DEVICE':<{ww}}  ORIGIN"]
    device_ids = _device_ids(inv)
    for d in with_alias:
        alias = d.alias or ""
        mark = "" if alias in device_ids else "  (no -device of its own)"
        origin = _device_origin(d) + mark
        width = WIDTH - aw - ww - 4
        lines = pack(origin.split(" "), max(width, 20), sep=" ")
        out.append(f"{alias:<{aw}}  {_device_what(d)[:ww]:<{ww}}  {lines[0]}".rstrip())
        out += [" " * (aw + ww + 4) + ln for ln in lines[1:]]
    others = [i for i in device_ids if i not in {d.alias for d in with_alias}]
    if others:
        text = "Other -device ids on the command line: " + ", ".join(others)
        out += [""] + pack(text.split(" "), WIDTH, sep=" ")
    user = sum(1 for d in with_alias if d.info.user_alias)
    out += ["", f"{len(with_alias)} aliases ({user} chosen by the user with the 'ua-' prefix; "
            "the others are assigned by libvirt)."]
    return "\n".join(out) + "\n"


def aliases_json(inv: "Invocation") -> str:
    """`--aliases --format json`: the same facts as `render_aliases`, one object each."""
    import json

    from .render import JSON_SCHEMA_VERSION

    devices = list(inv.domain.devices.items) if inv.domain is not None else []
    device_ids = _device_ids(inv)
    with_alias = [d for d in devices if d.alias]
    doc = {
        "schema_version": JSON_SCHEMA_VERSION,
        "aliases": [{"alias": d.alias, "device": _device_what(d),
                     "user_alias": bool(d.info.user_alias), "has_device": d.alias in device_ids,
                     "origin": _device_origin(d),
                     "line": d.elem.line if d.elem is not None and not d.implicit else None}
                    for d in with_alias],
        "other_device_ids": [i for i in device_ids if i not in {d.alias for d in with_alias}],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _device_ids(inv: "Invocation") -> list[str]:
    ids: list[str] = []
    for item in inv.items or []:
        if item.tokens[0] != "-device" or len(item.tokens) < 2:
            continue
        # every -device leaves command/device.py with its properties
        props = item.props.as_dict() if item.props is not None else {}
        ident = props.get("id")
        if isinstance(ident, str):
            ids.append(ident)
    return ids
