"""translator.records.dataclass behaves like the standard dataclass (only cheaper to define)."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Callable, ClassVar

import pytest

from capsdb.records import COMPILE_AFTER, dataclass as cheap


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


@pytest.mark.parametrize("frozen", [False, True])
def test_init_matches_the_standard_one_before_and_after_compiling(frozen: bool) -> None:
    def make(decorate: Callable[..., Any]) -> type:
        @decorate(frozen=frozen)
        class C:
            a: int
            b: list[int] = field(default_factory=list)
            c: str = "c"
            later: int | None = field(default=None, init=False)
            made: list[int] = field(default_factory=lambda: [1], init=False)
        return C

    std, new = make(dataclasses.dataclass), make(cheap)
    for _ in range(2 * COMPILE_AFTER):  # the interpreted __init__, then the compiled one
        for args, kwargs in (((1,), {}), ((1, [2]), {"c": "x"}), ((), {"a": 3, "c": "y"})):
            s, n = std(*args, **kwargs), new(*args, **kwargs)
            assert vars(n) == vars(s) and repr(n) == repr(s)
            if len(args) < 2:
                assert new(*args, **kwargs).b is not n.b  # a fresh default each time
        for bad_args, bad_kwargs in (((), {}), ((1, [], "c", 4), {}), ((1,), {"a": 1}),
                                     ((1,), {"nope": 1})):
            with pytest.raises(TypeError):
                new(*bad_args, **bad_kwargs)
    assert "later" not in vars(new(1)) and new(1).later is None


def test_unsupported_features_are_refused() -> None:
    with pytest.raises(TypeError):
        @cheap
        class Post:
            a: int

            def __post_init__(self) -> None:
                pass
    with pytest.raises(TypeError):
        @cheap
        class Kw:
            a: int = field(kw_only=True)


def test_the_standard_functions_work_on_a_record() -> None:
    @cheap(frozen=True)
    class Rec:
        counter: ClassVar[int] = 0
        a: int
        b: list[int] = field(default_factory=list)
        c: str = "c"

    r = Rec(1, [2])
    assert dataclasses.is_dataclass(Rec) and dataclasses.is_dataclass(r)
    assert [f.name for f in dataclasses.fields(Rec)] == ["a", "b", "c"]  # no ClassVar
    assert dataclasses.asdict(r) == {"a": 1, "b": [2], "c": "c"}
    assert dataclasses.replace(r, c="x") == Rec(1, [2], "x")
    assert Rec.c == "c" and "b" not in Rec.__dict__  # a factory leaves no class attribute


def test_a_mutable_default_and_an_initvar_are_refused_as_dataclass_does() -> None:
    with pytest.raises(ValueError):
        @cheap
        class Mutable:
            a: list[int] = []  # noqa: RUF012 - the mistake under test
    with pytest.raises(TypeError):
        @cheap
        class Init:
            a: dataclasses.InitVar[int]
