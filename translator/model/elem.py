"""A small, immutable stand-in for an XML element.

Parts of the domain schema are open-ended (features, hyperv, timers, driver options);
they are kept as `Elem` trees so that builders never touch lxml nodes, and every value
still carries the source line it came from.
"""

from __future__ import annotations

from dataclasses import field
from typing import Iterator, overload

from capsdb.records import dataclass


@dataclass(frozen=True, init=False)
class Elem:
    """An immutable XML element: tag, attributes, children, text and source line."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: tuple["Elem", ...] = ()
    text: str | None = None
    line: int | None = None
    path: str = ""

    def __init__(self, tag: str, attrs: dict[str, str] | None = None,
                 children: tuple["Elem", ...] = (), text: str | None = None,
                 line: int | None = None, path: str = "") -> None:
        # a frozen dataclass's own __init__ sets each field through object.__setattr__;
        # filling the instance's dict is twice as fast, and parsing makes one per element
        d = self.__dict__
        d["tag"] = tag
        d["attrs"] = {} if attrs is None else attrs
        d["children"] = children
        d["text"] = text
        d["line"] = line
        d["path"] = path

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str) -> str: ...
    @overload
    def get(self, name: str, default: str | None) -> str | None: ...

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def find(self, tag: str) -> "Elem | None":
        for c in self.children:
            if c.tag == tag:
                return c
        return None

    def findall(self, tag: str) -> list["Elem"]:
        return [c for c in self.children if c.tag == tag]

    @overload
    def findtext(self, tag: str) -> str | None: ...
    @overload
    def findtext(self, tag: str, default: str) -> str: ...
    @overload
    def findtext(self, tag: str, default: str | None) -> str | None: ...

    def findtext(self, tag: str, default: str | None = None) -> str | None:
        c = self.find(tag)
        return c.text if c is not None and c.text is not None else default

    def at(self, *tags: str) -> "Elem | None":
        """Descend through `tags`; None as soon as one is missing."""
        cur: Elem | None = self
        for t in tags:
            if cur is None:
                return None
            cur = cur.find(t)
        return cur

    def attr_at(self, attr: str, *tags: str) -> str | None:
        e = self.at(*tags)
        return e.get(attr) if e is not None else None

    def __iter__(self) -> Iterator["Elem"]:
        return iter(self.children)

    def yes(self, name: str) -> bool | None:
        """Tri-state for libvirt's yes/no and on/off attributes."""
        v = self.attrs.get(name)
        if v is None:
            return None
        return v in ("yes", "on")


EMPTY = Elem(tag="")
