"""A declarative form of the attribute reads of libvirt's domain parser, and its walker.

libvirt's parser reads each typed attribute with a `virXMLProp*` helper (number base,
required, non-zero, enum names). `Attr` records one such read; the tables in `tables.py` say
which element (by its place in the document) has which reads. `check_tree` applies them to
the whole domain and returns the tree with every number written canonically (decimal, or
'0x..' for libvirt's base-16 reads, '0..' for base 8), the way libvirt stores it, so the later
steps can rely on `int(text, 0)`.
"""

from __future__ import annotations

from operator import is_
from typing import Callable, Iterable, Mapping, NamedTuple, Union

from ...model.elem import Elem
from . import xmlprop as xp
from .numbers import READS, Read, check_read
from .places import Place, PlaceIndex
from .sizes import SIZES, Size, check_size

# number kinds: unsigned int, unsigned long long, int, long long
UINT, ULL, INT, LL = "uint", "ull", "int", "ll"
ENUM, YESNO, ONOFF, UUID, STRING = "enum", "yesno", "onoff", "uuid", "string"


class Attr(NamedTuple):
    """One `virXMLProp*` read of libvirt's parser.

    A named tuple rather than a dataclass: the tables make about five hundred of them when
    the package is imported, and a tuple is built in C."""

    name: str
    kind: str
    base: int = 10
    required: bool = False
    nonzero: bool = False
    nonnegative: bool = False
    values: tuple[str, ...] = ()

    def read(self, e: Elem) -> str | None:
        """Refuse the attribute as libvirt does; its canonical text (None: leave as is)."""
        k = self.kind
        if k in (UINT, ULL):
            maximum = xp.UINT_MAX if k == UINT else xp.ULLONG_MAX
            text = e.attrs.get(self.name)
            # most numbers are plain decimal digits, already canonical once leading zeros
            # go: read them directly (a value out of range or a refused zero takes the full
            # reader below, for its message)
            if text is not None and self.base == 10 and text.isdigit() and text.isascii():
                plain = int(text)
                if plain <= maximum and (plain or not self.nonzero):
                    return str(plain)
            value = xp.prop_uint(e, self.name, self.base, required_=self.required,
                                 nonzero=self.nonzero, maximum=maximum)
            return None if value is None else _canonical(value, self.base)
        if k in (INT, LL):
            signed = xp.prop_int(e, self.name, self.base, required_=self.required,
                                 nonzero=self.nonzero, nonnegative=self.nonnegative,
                                 wide=k == LL)
            return None if signed is None else _canonical(signed, self.base)
        if k == ENUM:
            xp.prop_enum(e, self.name, self.values, required_=self.required,
                         nonzero=self.nonzero)
        elif k == YESNO:
            xp.prop_yes_no(e, self.name, required_=self.required)
        elif k == ONOFF:
            xp.prop_on_off(e, self.name, required_=self.required)
        elif k == UUID:
            xp.prop_uuid(e, self.name, required_=self.required)
        elif self.required:
            xp.required(e, self.name)
        return None


def _canonical(value: int, base: int) -> str:
    if base == 16:
        return f"-0x{-value:x}" if value < 0 else f"0x{value:x}"
    if base == 8:
        return f"-0{-value:o}" if value < 0 else f"0{value:o}"
    return str(value)


def _attr(name: str, kind: str, base: int = 10, required: bool = False, nonzero: bool = False,
          nonnegative: bool = False, values: tuple[str, ...] = ()) -> Attr:
    return Attr(name, kind, base, required, nonzero, nonnegative, values)


def u(name: str, base: int = 10, *, required: bool = False, nonzero: bool = False) -> Attr:
    return _attr(name, UINT, base, required, nonzero)


def ull(name: str, base: int = 10, *, required: bool = False, nonzero: bool = False) -> Attr:
    return _attr(name, ULL, base, required, nonzero)


def i(name: str, base: int = 10, *, required: bool = False, nonzero: bool = False,
      nonnegative: bool = False) -> Attr:
    return _attr(name, INT, base, required, nonzero, nonnegative)


def ll(name: str, base: int = 10, *, required: bool = False) -> Attr:
    return _attr(name, LL, base, required)


def en(name: str, values: Iterable[str], *, required: bool = False,
       nonzero: bool = False) -> Attr:
    return _attr(name, ENUM, required=required, nonzero=nonzero, values=tuple(values))


def yn(name: str, *, required: bool = False) -> Attr:
    return _attr(name, YESNO, required=required)


def sw(name: str, *, required: bool = False) -> Attr:
    return _attr(name, ONOFF, required=required)


def uuid(name: str, *, required: bool = False) -> Attr:
    return _attr(name, UUID, required=required)


def req(name: str) -> Attr:
    return _attr(name, STRING, required=True)


Table = Mapping[Place, tuple[Attr, ...]]


# a hook refuses, and may return attributes it read, written canonically
Hook = Callable[[Elem, list[Elem]], "dict[str, str] | None"]
# what the walker does at an element: the typed attribute reads of its place, a custom number
# read, a scaled size or a hook
Step = Union["tuple[Attr, ...]", Read, Size, Hook]


class Checker:
    """Applies a `Table`, the custom number reads (numbers.READS), the scaled sizes
    (sizes.SIZES) and the hooks to a tree, element by element, in a given order of children.

    At one element they run in that order, each kind in the order it was given: the steps of
    all four live in one `PlaceIndex`, so an element costs one lookup."""

    def __init__(self, table: Table, hooks: Mapping[Place, tuple[Hook, ...]]) -> None:
        steps: list[tuple[Place, Step]] = [(place, attrs) for place, attrs in table.items()
                                           if attrs]
        steps += [(r.path, r) for r in READS]
        steps += [(s.path, s) for s in SIZES]
        steps += [(place, fn) for place, fns in hooks.items() for fn in fns]
        self._steps: PlaceIndex[Step] = PlaceIndex(steps)

    def element(self, e: Elem, chain: list[Elem]) -> Elem:
        """Check `e` (whose ancestors are `chain`), then its children; the canonical copy."""
        here = chain + [e]
        steps = self._steps.at(here)
        changed = self._apply(steps, e, chain) if steps else {}
        text = changed.pop("", e.text) if changed else e.text
        kids = e.children
        children = tuple([self.element(c, here) for c in kids]) if kids else ()
        return self.rebuilt(e, changed, text, children)

    @staticmethod
    def _apply(steps: Iterable[Step], e: Elem, chain: list[Elem]) -> dict[str, str]:
        """Run the steps at `e`; the values they wrote canonically (key '': the text)."""
        changed: dict[str, str] = {}
        present = e.attrs
        for step in steps:
            if isinstance(step, tuple):
                for a in step:
                    if a.name not in present and not a.required:
                        continue  # every reader passes over an absent optional attribute
                    canonical = a.read(e)
                    if canonical is not None and canonical != present.get(a.name):
                        changed[a.name] = canonical
            elif isinstance(step, Read):
                got = check_read(e, step)
                if got is not None:
                    changed[got[0]] = got[1]
            elif isinstance(step, Size):
                got = check_size(e, step)
                if got is not None:
                    changed[got[0]] = got[1]
            else:
                changed.update(step(e, chain) or {})
        return changed

    @staticmethod
    def rebuilt(e: Elem, changed: dict[str, str], text: str | None,
                children: tuple[Elem, ...]) -> Elem:
        """`e` with canonical attributes, text and children (itself when nothing changed)."""
        if not changed and text == e.text and all(map(is_, children, e.children)):
            return e
        return Elem(e.tag, {**e.attrs, **changed}, children, text, e.line, e.path)


__all__ = ["Attr", "Checker", "Place", "Table", "en", "i", "ll", "req", "sw", "u", "ull",
           "uuid", "yn"]
