"""`--suggest-override`: turn `-set device.ID.PROP=VALUE` into `<qemu:override>`.

Since libvirt passes `-device` as JSON (QEMU 6.2+ with the device.json capability),
QEMU no longer applies `-set device.*` to libvirt's devices; `<qemu:override>` is the
supported replacement. This module reads the `-set` pairs from `<qemu:commandline>`,
infers each property's type from its value, groups the properties by device and checks
each ID against the aliases a translation of the domain assigns.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from capsdb.records import dataclass
from .errors import TranslationError
from .model.device import USER_ALIAS_PREFIX
from .model.qemu_ns import QEMU_NS, NsArg
from .parse import parse_domain

if TYPE_CHECKING:
    from .invocation import Invocation

_BOOL = {"true": "true", "on": "true", "yes": "true",
         "false": "false", "off": "false", "no": "false"}
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)")
_HEX = re.compile(r"0[xX][0-9a-fA-F]+")


@dataclass(frozen=True)
class SetArg:
    """One `-set GROUP.ID.PROP=VALUE` found in the domain, with its <qemu:arg> lines."""
    group: str
    id: str
    prop: str
    value: str
    lines: tuple[int, ...]
    packed: bool = False         # '-set ...' written as one <qemu:arg>


@dataclass(frozen=True)
class Property:
    name: str
    type: str                    # string | signed | unsigned | bool
    value: str
    note: str | None = None


def parse_set(spec: str) -> tuple[str, str, str, str] | None:
    """QEMU's reading of -set: GROUP up to the first '.', ID up to the next '.',
    PROP up to '=', then the value; None when the text does not have that shape."""
    group, dot, rest = spec.partition(".")
    ident, dot2, rest = rest.partition(".")
    prop, eq, value = rest.partition("=")
    if not (dot and dot2 and eq and group and ident and prop):
        return None
    return group, ident, prop, value


def find_sets(args: tuple[NsArg, ...]) -> tuple[list[SetArg], list[str]]:
    """The -set arguments, and the texts that looked like -set but could not be read."""
    found: list[SetArg] = []
    bad: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        word, _, packed_rest = a.value.strip().partition(" ")
        spec: str | None = None
        lines: tuple[int, ...] = ()
        packed = False
        if word.lstrip("-") == "set" and word.startswith("-"):
            if packed_rest.strip():
                spec, lines, packed = packed_rest.strip(), _ln(a), True
            elif i + 1 < len(args):
                spec, lines = args[i + 1].value, _ln(a) + _ln(args[i + 1])
                i += 1
            else:
                bad.append(f"'{a.value}' with no value after it")
        i += 1
        if spec is None:
            continue
        parsed = parse_set(spec)
        if parsed is None:
            bad.append(f"-set '{spec}' (expected GROUP.ID.PROP=VALUE)")
            continue
        found.append(SetArg(*parsed, lines=lines, packed=packed))
    return found, bad


def _ln(a: NsArg) -> tuple[int, ...]:
    return (a.line,) if a.line else ()


def infer_property(name: str, value: str) -> Property:
    """The <qemu:property> type a -set value most likely needs: QEMU parsed -set values
    with the property's own type, an override has to state it."""
    low = value.lower()
    if low in _BOOL:
        note = None if low in ("true", "false") else f"'{value}' written as '{_BOOL[low]}'"
        return Property(name, "bool", _BOOL[low], note)
    if _DECIMAL.fullmatch(value):
        return Property(name, "signed" if value.startswith("-") else "unsigned", value)
    if _HEX.fullmatch(value):
        return Property(name, "unsigned", str(int(value, 16)),
                        f"hexadecimal '{value}' written in decimal")
    return Property(name, "string", value)


def xml_attr(value: str) -> str:
    """A value quoted for an XML attribute in libvirt's single-quote style."""
    return "'" + (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                  .replace("'", "&apos;").replace("\n", "&#10;")) + "'"


def override_block(devices: dict[str, dict[str, Property]]) -> list[str]:
    out = ["<qemu:override>"]
    for alias, props in devices.items():
        out.append(f"  <qemu:device alias={xml_attr(alias)}>")
        out.append("    <qemu:frontend>")
        for p in props.values():
            out.append(f"      <qemu:property name={xml_attr(p.name)} type='{p.type}' "
                       f"value={xml_attr(p.value)}/>")
        out.append("    </qemu:frontend>")
        out.append("  </qemu:device>")
    out.append("</qemu:override>")
    return out


def _translate(xml: bytes) -> tuple["Invocation | None", str | None]:
    """The domain translated for the newest QEMU, to learn its aliases."""
    import capsdb

    from .translate import translate

    try:
        return translate(xml, capsdb.get()), None
    except TranslationError as exc:
        return None, str(exc)


def known_ids(inv: "Invocation") -> set[str]:
    """Device aliases and every id a -device carries on the command line."""
    from .explain import _device_ids

    ids = {d.alias for d in inv.domain.devices.items if d.alias} if inv.domain else set()
    return ids | set(_device_ids(inv))


def _comment(text: str, width: int = 100) -> str:
    """An XML comment wrapped to `width` columns (so the whole output can be pasted)."""
    from .explain import pack

    words = text.replace("--", "- -").split(" ")
    lines = pack(words, width - 9, sep=" ")
    return "\n".join(("<!-- " if n == 0 else "     ") + ln for n, ln in enumerate(lines)) + " -->"


def render_suggestions(xml: bytes) -> str:
    """The <qemu:override> equivalent to the domain's `-set device.ID.PROP=VALUE` args."""
    domain = parse_domain(xml)
    sets, bad = find_sets(domain.qemu.args)
    notes: list[str] = [f"cannot read {b}" for b in bad]
    devices: dict[str, dict[str, Property]] = {}
    arg_lines: list[int] = []
    for s in sets:
        spec = f"-set {s.group}.{s.id}.{s.prop}={s.value}"
        if s.group != "device":
            notes.append(f"{spec}: only device properties have a <qemu:override> "
                         f"equivalent; '{s.group}' options stay as <qemu:arg>")
            continue
        if s.packed:
            notes.append(f"{spec} was packed into one <qemu:arg>: QEMU would have seen a "
                         "single unknown option")
        prop = infer_property(s.prop, s.value)
        props = devices.setdefault(s.id, {})
        if s.prop in props:
            notes.append(f"{s.id}.{s.prop} is set more than once: the last value is kept")
            del props[s.prop]
        props[s.prop] = prop
        if prop.note:
            notes.append(f"{s.id}.{s.prop}: {prop.note}")
        arg_lines.extend(s.lines)
    if not devices:
        return "\n".join([_comment("no -set device.ID.PROP=VALUE in this domain's "
                                   "<qemu:commandline>")] + [_comment(n) for n in notes]) + "\n"
    notes += _alias_notes(xml, domain.qemu.overrides, devices)
    out = [_comment("equivalent of the -set device.* arguments in <qemu:commandline>; "
                    f"the <domain> element needs xmlns:qemu='{QEMU_NS}'")]
    out += override_block(devices)
    if arg_lines:
        out.append(_comment("then remove the <qemu:arg> elements at line(s) "
                            + ", ".join(str(n) for n in sorted(set(arg_lines)))))
    out.append(_comment("types are inferred from the values: check them against "
                        "'qemu-system-ARCH -device DRIVER,help'"))
    out += [_comment(n) for n in notes]
    return "\n".join(out) + "\n"


def _alias_notes(xml: bytes, existing: tuple, devices: dict[str, dict[str, Property]]) \
        -> list[str]:
    """Say which IDs are no device's alias, which are libvirt's (unstable) ones, and
    where the domain already has an override block to merge into."""
    notes: list[str] = []
    for ov in existing:
        if ov.alias in devices:
            where = f" at line {ov.line}" if ov.line else ""
            notes.append(f"the domain already has <qemu:device alias='{ov.alias}'>{where}: "
                         "merge these properties into it")
    inv, error = _translate(xml)
    if inv is None:
        notes.append(f"aliases not checked: the domain does not translate ({error})")
        return notes
    ids = known_ids(inv)
    for ident in devices:
        if ident not in ids:
            sample = ", ".join(sorted(ids)[:12]) + (", ..." if len(ids) > 12 else "")
            notes.append(f"'{ident}' is not the alias of any device in this domain, so the "
                         f"override would match nothing (aliases: {sample})")
        elif not ident.startswith(USER_ALIAS_PREFIX):
            notes.append(f"'{ident}' is an alias libvirt assigns; it can change when devices "
                         f"are added; give the device <alias name='{USER_ALIAS_PREFIX}...'/> "
                         "and use that name")
    return notes
