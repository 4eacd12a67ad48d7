"""The command line under construction, with provenance for every item.

Builders append `Item`s (an option and its value, or a bare token group); each carries
a `Source` saying which XML element, libvirt default or qemu: element produced it, so
`--explain` and `--diff` read provenance instead of reconstructing it.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from capsdb.records import dataclass
from .model.elem import Elem
from .props import Props


@dataclass(frozen=True)
class Source:
    """Where a command-line item or property came from (for --explain and the analyser)."""

    kind: str                  # 'xml' | 'default' | 'qemu' | 'host'
    detail: str                # XPath of the element, or the default's name
    line: int | None = None

    def describe(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.kind}: {self.detail}{where}"


def xml_source(e: Elem | None, fallback: str = "/domain") -> Source:
    if e is None:
        return Source("xml", fallback)
    return Source("xml", e.path or fallback, e.line)


def default_source(what: str) -> Source:
    return Source("default", what)


HOST = Source("host", "libvirt host environment")


@dataclass
class Item:
    """One argument group (`-device ...`) with its source and, when built, its props."""

    tokens: tuple[str, ...]
    source: Source
    props: Props | None = None           # the structured value, when there is one
    prop_sources: dict[str, Source] = field(default_factory=dict)

    @property
    def option(self) -> str:
        return self.tokens[0]


@dataclass
class EnvVar:
    """One environment variable QEMU is started with, and what it replaced."""

    name: str
    value: str | None
    source: Source
    replaced: "EnvVar | None" = None   # the earlier setting of the same name, if any

    def history(self) -> list["EnvVar"]:
        """Earlier settings this one replaced, oldest first."""
        out: list[EnvVar] = []
        cur = self.replaced
        while cur is not None:
            out.insert(0, cur)
            cur = cur.replaced
        return out


class CommandLine:
    def __init__(self) -> None:
        self.env: list[EnvVar] = []
        self.items: list[Item] = []

    def setenv(self, name: str, value: str | None, source: Source) -> None:
        """Set a variable; like libvirt's command builder, a name already set keeps its
        place and takes the new value (so a <qemu:env name='PATH'> replaces PATH)."""
        for n, e in enumerate(self.env):
            if e.name == name:
                self.env[n] = EnvVar(name, value, source, replaced=e)
                return
        self.env.append(EnvVar(name, value, source))

    def add(self, option: str, value: str | None = None, source: Source = HOST,
            props: Props | None = None) -> Item:
        tokens = (option,) if value is None else (option, value)
        item = Item(tokens, source, props)
        self.items.append(item)
        return item

    def add_json(self, option: str, props: Props, source: Source) -> Item:
        return self.add(option, props.to_json(), source, props)

    def add_raw(self, tokens: tuple[str, ...], source: Source) -> Item:
        item = Item(tokens, source)
        self.items.append(item)
        return item

    def args(self) -> list[str]:
        out: list[str] = []
        for it in self.items:
            out.extend(it.tokens)
        return out

    def has(self, option: str) -> bool:
        return any(it.tokens[0] == option for it in self.items)


def value_of(v: Any) -> str:
    return v if isinstance(v, str) else str(v)
