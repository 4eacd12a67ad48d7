"""`dataclass`: the standard one, cheaper to define (import it from here).

Python 3.11's `dataclass` compiles every method it adds from source text when the class is
defined, and the project defines about ninety of them: that compilation was half of the
time one CLI call spent importing the package (tools/benchmark.py). This one lets
`dataclass` compile only `__init__` (and a frozen class's `__setattr__`/`__delattr__`) and
gives the class ready-made `__repr__`, `__eq__` and `__hash__` that behave like the
compiled ones: the same text, the same comparison of the fields' tuples, the same hash,
`NotImplemented` against another class, and the methods a class writes itself kept.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from reprlib import recursive_repr
from typing import Any, Callable, TypeVar, dataclass_transform, overload

T = TypeVar("T")


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The named attributes as a tuple (attrgetter gives a bare value for one name)."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _set(cls: type, name: str, fn: Callable[..., Any]) -> None:
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, fn)


def _add_methods(cls: type, frozen: bool, explicit_hash: bool) -> None:
    """dataclass's `repr=True, eq=True` methods, without compiling them."""
    fields = dataclasses.fields(cls)
    own = cls.__dict__
    shown = [f.name for f in fields if f.repr]
    compared = _values([f.name for f in fields if f.compare])
    hashed = _values([f.name for f in fields if (f.compare if f.hash is None else f.hash)])

    if "__repr__" not in own:
        @recursive_repr("...")
        def __repr__(self: Any) -> str:
            return self.__class__.__qualname__ + "(" + ", ".join(
                f"{name}={getattr(self, name)!r}" for name in shown) + ")"
        _set(cls, "__repr__", __repr__)

    if "__eq__" not in own:
        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) == compared(other)
            return NotImplemented
        _set(cls, "__eq__", __eq__)

    if explicit_hash:
        return
    if frozen:  # a frozen class hashes the fields it compares ...
        def __hash__(self: Any) -> int:
            return hash(hashed(self))
        _set(cls, "__hash__", __hash__)
    else:  # ... a mutable one is unhashable
        setattr(cls, "__hash__", None)


@overload
def dataclass(cls: type[T], /) -> type[T]: ...
@overload
def dataclass(*, frozen: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(dataclasses.field,))
def dataclass(cls: type[T] | None = None, /, *,
           frozen: bool = False) -> type[T] | Callable[[type[T]], type[T]]:
    """`@dataclass` or `@dataclass(frozen=True)`, with the cheaper methods."""
    def wrap(c: type[T]) -> type[T]:
        own = c.__dict__
        # dataclass's test: a __hash__ the class wrote (not the None Python sets when the
        # class writes __eq__ alone)
        explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
        out = dataclasses.dataclass(c, frozen=frozen, repr=False, eq=False)
        _add_methods(out, frozen, explicit_hash)
        return out
    return wrap if cls is None else wrap(cls)
