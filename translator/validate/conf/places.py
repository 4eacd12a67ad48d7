"""Places in a domain document, and the per-element lookup of what is attached to them.

A place is the last tags of an element's ancestry, each optionally qualified by the
element's type attribute ("address[pci]" or "address[pci|ccw]"), by a predicate
("interface@virtio") or any tag ("*"). The schema walker, the custom number reads and the
scaled sizes all attach their reads to places; `PlaceIndex` finds the ones that apply to an
element. This runs several times for every element of every domain, and most elements have
nothing attached, so the index answers from two dictionary lookups (the element's tag, then
its parent's) and tests only what those cannot decide: a type, a predicate, a deeper tag.
"""

from __future__ import annotations

from typing import Callable, Generic, Iterable, Sequence, TypeVar

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
# a test still to make on an element: its index from the end of the ancestry (-1: the
# element itself), then a component
_Check = tuple[int, "str | None", "frozenset[str] | None", "Callable[[Elem], bool] | None"]
# the ancestry length a place needs, and the tests left once the tags of the element and of
# its parent are known to match
_Rest = tuple[int, tuple[_Check, ...]]

# the key of "any tag not named by a place" in the lookup tables (no tag is empty)
_OTHER = ""


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


def _rest(place: tuple[_Component, ...]) -> _Rest:
    """The tests of `place` the tag lookups leave: the qualifiers of the element and of its
    parent, and everything about the elements above."""
    checks: list[_Check] = []
    for k in range(1, len(place) + 1):
        tag, types, pred = place[-k]
        if k > 2 and tag is not None:
            checks.append((-k, tag, types, pred))
        elif types is not None or pred is not None:
            checks.append((-k, None, types, pred))
    return len(place), tuple(checks)


def _holds(rest: _Rest, here: Sequence[Elem]) -> bool:
    """Whether the tests in `rest` hold for `here` (an element after its ancestors)."""
    n, checks = rest
    if n > len(here):
        return False
    for k, tag, types, pred in checks:
        e = here[k]
        if (tag is not None and tag != e.tag) \
                or (types is not None and e.attrs.get("type") not in types) \
                or (pred is not None and not pred(e)):
            return False
    return True


# what one (tag, parent tag) pair looks up: the values when every candidate applies
# unconditionally, else None and the candidates with their remaining tests
_Bucket = tuple["tuple[T, ...] | None", "tuple[tuple[_Rest, T], ...]"]


class PlaceIndex(Generic[T]):
    """Values attached to places; `at` gives those that apply to an element, in the order
    they were given."""

    def __init__(self, entries: Iterable[tuple[Place, T]]) -> None:
        compiled = [(_compile(place), value) for place, value in entries]
        # the entries' positions (sorted again after merging, to keep the given order) by
        # the tag of the element, then of its parent; None for '*' and for "no parent"
        by_tag: dict[str | None, dict[str | None, list[int]]] = {}
        rooted: dict[str | None, list[int]] = {}  # the places of one component, by tag
        for k, (p, _) in enumerate(compiled):
            parent = p[-2][0] if len(p) > 1 else None
            by_tag.setdefault(p[-1][0], {}).setdefault(parent, []).append(k)
            if len(p) == 1:
                rooted.setdefault(p[-1][0], []).append(k)
        anywhere = by_tag.pop(None, {})
        root_anywhere = rooted.pop(None, [])

        rests = [_rest(p) for p, _ in compiled]
        buckets: dict[tuple[int, ...], _Bucket[T]] = {}  # the same entries share a bucket

        def bucket(groups: Iterable[list[int]]) -> _Bucket[T]:
            ks = tuple(sorted(k for g in groups for k in g))
            found = buckets.get(ks)
            if found is None:
                found = buckets[ks] = self._bucket([(rests[k], compiled[k][1]) for k in ks])
            return found

        def by_parent(own: dict[str | None, list[int]], unnamed: bool = False
                      ) -> dict[str, _Bucket[T]]:
            """The buckets of one element tag by parent tag. A bucket holds the entries for
            that parent and those for any parent, the tag's own and those of '*'. Where the
            tag has no entry for any parent, a parent only '*' names is left to the
            '*' buckets (`at` looks there next)."""
            shared = [own.get(None, []), anywhere.get(None, [])]
            parents = {*own, *anywhere} if unnamed or own.get(None) else {*own}
            out = {parent: bucket([own.get(parent, []), anywhere.get(parent, []), *shared])
                   for parent in parents if parent is not None}
            out[_OTHER] = bucket(shared)
            return out

        self._by_tag = {tag: by_parent(own) for tag, own in by_tag.items() if tag is not None}
        self._unnamed = by_parent({}, unnamed=True)
        # for an element without a parent (the root): the places of one component
        self._rooted = {tag: tuple((rests[k], compiled[k][1])
                                   for k in sorted(ks + root_anywhere))
                        for tag, ks in (*rooted.items(), (_OTHER, []))}

    @staticmethod
    def _bucket(candidates: list[tuple[_Rest, T]]) -> _Bucket[T]:
        if all(n <= 2 and not checks for (n, checks), _ in candidates):
            return tuple(v for _, v in candidates), tuple(candidates)
        return None, tuple(candidates)

    def at(self, here: Sequence[Elem]) -> Sequence[T]:
        """The values whose place is the last element of `here` (after its ancestors)."""
        if len(here) < 2:
            rooted = self._rooted.get(here[-1].tag) or self._rooted[_OTHER]
            return [value for rest, value in rooted if _holds(rest, here)]
        by_parent = self._by_tag.get(here[-1].tag, self._unnamed)
        parent = here[-2].tag
        fixed, candidates = by_parent.get(parent) or self._unnamed.get(parent) \
            or by_parent[_OTHER]
        if fixed is not None:
            return fixed
        return [value for rest, value in candidates if _holds(rest, here)]


__all__ = ["Place", "PlaceIndex"]
