"""A structured view of rendered command-line items, shared by diff, explain and effects.

QEMU options carry their value either as JSON (`-device {...}`) or as QEMU's legacy
`key=value,...` syntax; both are parsed back into ordered property dicts here, and each
item gets a stable identity (`-device#net0`, `-blockdev#libvirt-1-format`, `-m`) so
that two command lines can be compared option by option rather than line by line.
"""

from __future__ import annotations

import json
from dataclasses import field
from typing import Any

from capsdb.records import dataclass
from .cmdline import Item, Source

# options whose value names an object by one of these keys
_ID_KEYS = ("id", "node-name", "chardev")
# options whose legacy value starts with a bare word (the driver/type/backend)
_LEADING_WORD = {"-device", "-netdev", "-chardev", "-object", "-drive", "-machine", "-accel",
                 "-cpu", "-smp", "-numa", "-tpmdev", "-fsdev", "-display", "-spice", "-vnc",
                 "-audiodev", "-sandbox", "-rtc", "-boot", "-m", "-overcommit", "-name", "-msg",
                 "-mon", "-smbios", "-run-with", "-add-fd", "-incoming"}


def split_keyval(value: str) -> list[str]:
    """Split QEMU option syntax on single commas; a doubled comma is a literal one."""
    parts: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(value):
        c = value[i]
        if c == ",":
            if i + 1 < len(value) and value[i + 1] == ",":
                cur.append(",")
                i += 2
                continue
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def parse_value(option: str, value: str | None) -> dict[str, Any] | None:
    """The option's value as an ordered dict, or None for a plain word/number."""
    if value is None:
        return None
    v = value.strip()
    if v.startswith("{"):
        try:
            parsed = json.loads(v)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    if "=" not in v:
        return None
    out: dict[str, Any] = {}
    for n, part in enumerate(split_keyval(v)):
        if "=" in part:
            k, _, val = part.partition("=")
            out[k] = val
        elif n == 0 and option in _LEADING_WORD:
            out[""] = part  # the leading bare word (driver, backend, machine type)
        else:
            out[part] = True
    return out


@dataclass
class ItemView:
    """One argument group parsed back into option, value and properties."""

    option: str
    value: str | None
    props: dict[str, Any] | None
    key: str
    source: Source
    index: int
    extra_tokens: tuple[str, ...] = field(default=())

    @property
    def ident(self) -> str | None:
        if self.props:
            for k in _ID_KEYS:
                if isinstance(self.props.get(k), str):
                    return str(self.props[k])
        return None


def view_items(items: list[Item]) -> list[ItemView]:
    """One view per item, with keys unique within the command line."""
    views: list[ItemView] = []
    seen: dict[str, int] = {}
    for n, it in enumerate(items):
        option = it.tokens[0]
        value = it.tokens[1] if len(it.tokens) > 1 else None
        props = it.props.as_dict() if it.props is not None else parse_value(option, value)
        base = option
        ident = None
        if props:
            for k in _ID_KEYS:
                if isinstance(props.get(k), str):
                    ident = props[k]
                    break
        if ident:
            base = f"{option}#{ident}"
        elif option in ("-global", "-set", "-fw_cfg", "-smbios", "-numa", "-add-fd") and value:
            base = f"{option}#{value.split('=', 1)[0] if option != '-numa' else value}"
        count = seen.get(base, 0)
        seen[base] = count + 1
        key = base if count == 0 else f"{base}[{count + 1}]"
        views.append(ItemView(option, value, props, key, it.source, n, tuple(it.tokens[2:])))
    return views
