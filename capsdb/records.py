"""`dataclass`: the standard one, without compiling anything when a class is defined.

Python 3.11's `dataclass` processes every class (its fields, a generated docstring through
`inspect.signature`, the ClassVar tests) and compiles every method it adds from source text when the class is
defined (`__init__`, `__repr__`, `__eq__`, and a frozen class's `__hash__`, `__setattr__`
and `__delattr__`): with about a hundred classes that was over half of the time one CLI call
spent importing the packages (tools/benchmark.py). This `dataclass` gives a class the same
methods, behaving the same way, built from shared code instead:

- `__repr__`, `__eq__`, `__hash__` and the frozen `__setattr__`/`__delattr__` read the
  fields' names from the class and never need compiling;
- `__init__` binds its arguments in Python for the first instances, and a class made often
  (an element, a device, an address) gets the compiled one after `COMPILE_AFTER` of them;
- the fields are read from the class's own annotations and are standard `dataclasses.Field`
  objects, so the standard `fields`, `replace`, `asdict` and `is_dataclass` work on a record.

Methods a class writes itself are kept. Supported: defaults, `field(default_factory=...,
init=..., repr=..., compare=..., hash=...)` and `frozen`; not `kw_only`, `InitVar`,
`__post_init__` or slots, which the project does not use (a class using them is refused).
"""

from __future__ import annotations

import dataclasses
from dataclasses import _FIELD, MISSING, Field, FrozenInstanceError  # type: ignore[attr-defined]
from operator import attrgetter
from reprlib import recursive_repr
from types import SimpleNamespace
from typing import Any, Callable, ClassVar, TypeVar, dataclass_transform, get_origin, overload

T = TypeVar("T")

# instances a class makes through the interpreted __init__ before it compiles its own
COMPILE_AFTER = 32


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


def _add_repr_eq_hash(cls: type, fields: tuple[Field[Any], ...], frozen: bool,
                      explicit_hash: bool) -> None:
    """dataclass's `repr=True, eq=True` methods and its rule for `__hash__`."""
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


def _add_frozen(cls: type[Any], fields: tuple[Field[Any], ...]) -> None:
    names = frozenset(f.name for f in fields)

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    _set(cls, "__setattr__", __setattr__)
    _set(cls, "__delattr__", __delattr__)


def _compiled_init(cls: type, fields: tuple[Field[Any], ...], frozen: bool) -> Any:
    """The `__init__` dataclass would compile: parameters with their defaults, then each
    field assigned in order (a factory called when its argument was not given)."""
    scope: dict[str, Any] = {"_HAS_FACTORY": _HAS_FACTORY, "_object": object}
    params, body = ["self"], []
    for f in fields:
        dflt = f"_dflt_{f.name}"
        if f.default_factory is not MISSING:
            scope[dflt] = f.default_factory
            value = f"{dflt}() if {f.name} is _HAS_FACTORY else {f.name}" if f.init \
                else f"{dflt}()"
        elif f.init:
            value = f.name
        else:
            continue  # the class attribute holds the default
        if f.init:
            if f.default_factory is not MISSING:
                params.append(f"{f.name}=_HAS_FACTORY")
            elif f.default is not MISSING:
                scope[dflt] = f.default
                params.append(f"{f.name}={dflt}")
            else:
                params.append(f.name)
        body.append(f"_object.__setattr__(self, {f.name!r}, {value})" if frozen
                    else f"self.{f.name} = {value}")
    src = (f"def __init__({', '.join(params)}) -> None:\n"
           + "".join(f"    {line}\n" for line in body or ["pass"]))
    exec(src, scope)  # noqa: S102 - the source is made of field names only
    return scope["__init__"]


class _HasFactory:
    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY = _HasFactory()


def _add_init(cls: type, fields: tuple[Field[Any], ...], frozen: bool) -> None:
    """An interpreted `__init__` that hands over to the compiled one once the class has
    made `COMPILE_AFTER` instances."""
    params = [f for f in fields if f.init]
    names = [f.name for f in params]
    index = {name: i for i, name in enumerate(names)}
    seen_default = False
    for f in params:  # dataclass refuses this when it defines the class
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
    made = [0]
    qualname = f"{cls.__qualname__}.__init__()"

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        made[0] += 1
        if made[0] > COMPILE_AFTER and cls.__dict__.get("__init__") is __init__:
            compiled = _compiled_init(cls, fields, frozen)
            compiled.__qualname__ = f"{cls.__qualname__}.__init__"
            setattr(cls, "__init__", compiled)
            compiled(self, *args, **kwargs)
            return
        if len(args) > len(names):
            raise TypeError(f"{qualname} takes {len(names) + 1} positional arguments but "
                            f"{len(args) + 1} were given")
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in index:
                raise TypeError(f"{qualname} got an unexpected keyword argument {key!r}")
            if key in given:
                raise TypeError(f"{qualname} got multiple values for argument {key!r}")
            given[key] = value
        missing = [n for f, n in zip(params, names) if n not in given
                   and f.default is MISSING and f.default_factory is MISSING]
        if missing:
            raise TypeError(f"{qualname} missing {len(missing)} required positional "
                            f"argument{'s' if len(missing) > 1 else ''}: "
                            + " and ".join(repr(n) for n in missing))
        for f in fields:
            if f.init and f.name in given:
                value = given[f.name]
            elif f.default_factory is not MISSING:
                value = f.default_factory()
            elif f.init:
                value = f.default
            else:
                continue  # the class attribute holds the default
            if frozen:
                object.__setattr__(self, f.name, value)
            else:
                setattr(self, f.name, value)

    _set(cls, "__init__", __init__)


_CLASSVAR = ("ClassVar", "typing.ClassVar", "t.ClassVar")
_INITVAR = ("InitVar", "dataclasses.InitVar")


def _is_classvar(annotation: Any) -> bool:
    """dataclass's test for a `ClassVar` pseudo-field, for string and evaluated annotations."""
    if isinstance(annotation, str):
        if annotation.startswith(_INITVAR):
            raise TypeError("use dataclasses.dataclass for InitVar fields")
        return annotation.startswith(_CLASSVAR)
    return annotation is ClassVar or get_origin(annotation) is ClassVar


def _collect_fields(c: type) -> dict[str, Field[Any]]:
    """The class's fields in dataclass's order: the bases' (most distant first), then its own
    annotations. Each is a standard `dataclasses.Field` marked as a field, so
    `dataclasses.fields`, `replace`, `asdict` and `is_dataclass` work on a record; the class
    attribute keeps the default, or goes when the default comes from a factory."""
    found: dict[str, Field[Any]] = {}
    for base in reversed(c.__mro__[1:]):
        found.update(base.__dict__.get("__dataclass_fields__", {}))
    own = c.__dict__
    for name, annotation in own.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        default = own.get(name, MISSING)
        f = default if isinstance(default, Field) else dataclasses.field(default=default)
        if f.kw_only is True:
            raise TypeError(f"{c.__qualname__}: use dataclasses.dataclass for kw_only fields")
        f.name, f.type, f.kw_only = name, annotation, False
        setattr(f, "_field_type", _FIELD)  # what dataclasses.fields() looks for
        if f.default is not MISSING and f.default.__class__.__hash__ is None:
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not "
                             "allowed: use default_factory")
        if isinstance(default, Field):
            if f.default is MISSING:
                delattr(c, name)
            else:
                setattr(c, name, f.default)
        found[name] = f
    return found


@overload
def dataclass(cls: type[T], /) -> type[T]: ...
@overload
def dataclass(*, frozen: bool = False, init: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(dataclasses.field,))
def dataclass(cls: type[T] | None = None, /, *, frozen: bool = False,
              init: bool = True) -> type[T] | Callable[[type[T]], type[T]]:
    """`@dataclass` or `@dataclass(frozen=True)` (`init=False`: the class writes its own
    `__init__`), with the methods built as the module docstring says."""
    def wrap(c: type[T]) -> type[T]:
        own = c.__dict__
        if "__post_init__" in own or "__slots__" in own:
            raise TypeError(f"{c.__qualname__}: use dataclasses.dataclass for "
                            "__post_init__ or __slots__")
        # dataclass's test: a __hash__ the class wrote (not the None Python sets when the
        # class writes __eq__ alone)
        explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
        collected = _collect_fields(c)
        setattr(c, "__dataclass_fields__", collected)
        setattr(c, "__dataclass_params__", SimpleNamespace(
            init=init, repr=True, eq=True, order=False, unsafe_hash=False, frozen=frozen,
            match_args=False, kw_only=False, slots=False, weakref_slot=False))
        fields = tuple(collected.values())
        if init and "__init__" not in own:
            _add_init(c, fields, frozen)
        if frozen:
            _add_frozen(c, fields)
        _add_repr_eq_hash(c, fields, frozen, explicit_hash)
        return c
    return wrap if cls is None else wrap(cls)
