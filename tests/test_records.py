"""translator.records.dataclass behaves like the standard dataclass (only cheaper to define)."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Callable

import pytest

from translator.records import dataclass as cheap


def _pair(decorate: Callable[..., Any], frozen: bool) -> tuple[type, type]:
    @decorate(frozen=frozen)
    class Base:
        a: int
        b: list[int] = field(default_factory=list)
        hidden: str = field(default="h", repr=False)
        ignored: int = field(default=0, compare=False)

    @decorate(frozen=frozen)
    class Child(Base):
        c: str | None = None

    return Base, Child


@pytest.mark.parametrize("frozen", [False, True])
def test_methods_match_the_standard_dataclass(frozen: bool) -> None:
    for std, new in zip(_pair(dataclasses.dataclass, frozen), _pair(cheap, frozen)):
        args: dict[str, Any] = {"a": 1, "b": [2], "ignored": 5}
        if std.__name__ == "Child":
            args["c"] = "x"
        s, n = std(**args), new(**args)
        assert repr(n) == repr(s)
        assert (n == new(**{**args, "ignored": 9})) is (s == std(**{**args, "ignored": 9})) is True
        assert (n == new(**{**args, "a": 2})) is (s == std(**{**args, "a": 2})) is False
        assert n.__eq__(object()) is NotImplemented
        assert dataclasses.replace(n, a=3).a == 3
        if frozen:
            with pytest.raises(dataclasses.FrozenInstanceError):
                n.a = 2
            assert new.__hash__ is not None
        else:
            assert new.__hash__ is None and std.__hash__ is None


def test_frozen_hash_is_the_standard_one() -> None:
    @cheap(frozen=True)
    class New:
        a: int
        b: str = "x"
        c: int = field(default=0, compare=False)

    @dataclasses.dataclass(frozen=True)
    class Std:
        a: int
        b: str = "x"
        c: int = field(default=0, compare=False)

    assert hash(New(1, "y", 3)) == hash(Std(1, "y", 4)) == hash((1, "y"))


def test_methods_a_class_writes_are_kept() -> None:
    @cheap
    class Own:
        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 7

    assert repr(Own(1)) == "own" and Own(1) == Own(2) and hash(Own(1)) == 7


def test_recursive_repr_is_cut() -> None:
    @cheap
    class Node:
        next: Any = None

    n = Node()
    n.next = n
    assert repr(n) == "test_recursive_repr_is_cut.<locals>.Node(next=...)"
