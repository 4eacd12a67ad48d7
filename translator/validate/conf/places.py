"""Places in a domain document, and the per-element lookup of what is attached to them.

A place is the last tags of an element's ancestry, each optionally qualified by the
element's type attribute ("address[pci]" or "address[pci|ccw]"), by a predicate
("interface@virtio") or any tag ("*"). The schema walker, the custom number reads and the
scaled sizes all attach their reads to places; `PlaceIndex` finds the ones that apply to an
element (this runs for every element of every domain, so without generators).
"""

from __future__ import annotations

from typing import Callable, Generic, Iterable, TypeVar

from ...model.elem import Elem

Place = tuple[str, ...]
T = TypeVar("T")


def _virtio_nic(e: Elem) -> bool:
    """virDomainNetIsVirtioModel, for a NIC that is not a host device."""
    model = e.find("model")
    return e.get("type") != "hostdev" and model is not None and \
        model.get("type") in ("virtio", "virtio-transitional", "virtio-non-transitional")


# qualifiers "tag@name" that need more than the element's type
_PREDICATES = {"virtio": _virtio_nic}

# one component of a Place, parsed once: the tag (None for '*'), the allowed values of
# 'type' (None: any) and a predicate (None: none)
_Component = tuple["str | None", "frozenset[str] | None", "Callable[[Elem], bool] | None"]


def _compile(place: Place) -> tuple[_Component, ...]:
    out: list[_Component] = []
    for pattern in place:
        if pattern == "*":
            out.append((None, None, None))
        elif "@" in pattern:
            tag, _, pred = pattern.partition("@")
            out.append((tag, None, _PREDICATES[pred]))
        else:
            tag, _, qual = pattern.partition("[")
            out.append((tag, frozenset(qual[:-1].split("|")) if qual else None, None))
    return tuple(out)


def _applies(place: tuple[_Component, ...], here: list[Elem]) -> bool:
    """Whether the end of `here` (an element after its ancestors) matches `place`,
    innermost element first."""
    n = len(place)
    if n > len(here):
        return False
    for k in range(1, n + 1):
        tag, types, pred = place[-k]
        if tag is None:
            continue
        e = here[-k]
        if tag != e.tag or (types is not None and e.attrs.get("type") not in types) \
                or (pred is not None and not pred(e)):
            return False
    return True


def _last_tag(place: Place) -> str:
    return place[-1].partition("[")[0].partition("@")[0]


class PlaceIndex(Generic[T]):
    """Values attached to places, looked up by the tag of the element they belong to;
    the values that apply come in the order they were given."""

    def __init__(self, entries: Iterable[tuple[Place, T]]) -> None:
        self._by_tag: dict[str, list[tuple[tuple[_Component, ...], T]]] = {}
        for place, value in entries:
            self._by_tag.setdefault(_last_tag(place), []).append((_compile(place), value))
        self._anywhere = self._by_tag.pop("*", [])

    def at(self, here: list[Elem]) -> list[T]:
        """The values whose place is the last element of `here` (after its ancestors)."""
        own = self._by_tag.get(here[-1].tag)
        candidates = (own + self._anywhere if self._anywhere else own) if own is not None \
            else self._anywhere
        return [value for place, value in candidates if _applies(place, here)]


__all__ = ["Place", "PlaceIndex"]
