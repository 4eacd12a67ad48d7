"""Ordered property maps and their two QEMU syntaxes.

QEMU reads JSON (`{"driver":"virtio-net-pci",...}`) or legacy `key=value,...` option
strings; libvirt emits keys in the order it adds them, so `Props` keeps insertion
order and the helpers mirror libvirt's "add only when set" conventions.
"""

from __future__ import annotations

import builtins
import json
from json import encoder as json_encoder
from typing import Any, ItemsView, Iterator


class Props:
    """An insertion-ordered property map with libvirt's conditional-add helpers.

    The `str` helper method shadows the builtin inside the class body, so later
    annotations spell the type `builtins.str`.
    """

    __slots__ = ("_d",)

    def __init__(self, *pairs: tuple[str, Any]) -> None:
        # `add`'s rule inlined: every device and object is made of these
        self._d: dict[str, Any] = {k: v for k, v in pairs if v is not None}

    # -- adding ---------------------------------------------------------------------------
    def add(self, key: str, value: Any) -> "Props":
        """Add unconditionally (None is skipped: libvirt never emits a null)."""
        if value is not None:
            self._d[key] = value
        return self

    def str(self, key: str, value: str | None) -> "Props":
        """String, skipped when None or empty (libvirt's 'S' vs 's')."""
        if value:
            self._d[key] = value
        return self

    def int_nz(self, key: builtins.str, value: int | None) -> "Props":
        """Integer, skipped when None or zero (libvirt's 'p'/'P' conventions)."""
        if value:
            self._d[key] = value
        return self

    def bool_true(self, key: builtins.str, value: bool | None) -> "Props":
        """Boolean, emitted only when true."""
        if value:
            self._d[key] = True
        return self

    def tristate(self, key: builtins.str, value: bool | None) -> "Props":
        """Boolean, emitted when explicitly set either way."""
        if value is not None:
            self._d[key] = bool(value)
        return self

    def onoff(self, key: builtins.str, value: bool | None) -> "Props":
        if value is not None:
            self._d[key] = "on" if value else "off"
        return self

    def update(self, other: "Props | dict[builtins.str, Any]") -> "Props":
        d = self._d
        for k, v in (other.items() if isinstance(other, (Props, dict)) else other):
            if v is not None:  # `add`'s rule
                d[k] = v
        return self

    # -- mapping protocol -----------------------------------------------------------------
    def remove(self, key: builtins.str) -> None:
        self._d.pop(key, None)

    def get(self, key: builtins.str, default: Any = None) -> Any:
        return self._d.get(key, default)

    def __contains__(self, key: builtins.str) -> bool:
        return key in self._d

    def __getitem__(self, key: builtins.str) -> Any:
        return self._d[key]

    def __setitem__(self, key: builtins.str, value: Any) -> None:
        self._d[key] = value

    def __iter__(self) -> Iterator[builtins.str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def items(self) -> ItemsView[builtins.str, Any]:
        return self._d.items()

    def as_dict(self) -> dict[builtins.str, Any]:
        return dict(self._d)

    def __repr__(self) -> builtins.str:
        return f"Props({self._d!r})"

    # -- rendering ------------------------------------------------------------------------
    def to_json(self) -> builtins.str:
        return to_json(self._d)

    def to_keyval(self, first_key: builtins.str | None = None) -> builtins.str:
        """Legacy `k=v,k=v`; with `first_key` its value leads bare (e.g. the driver)."""
        parts: list[str] = []
        for k, v in self._d.items():
            if k == first_key:
                parts.insert(0, escape_comma(str(v)))
                continue
            parts.append(f"{k}={keyval_value(v)}")
        return ",".join(parts)


def keyval_value(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, (list, tuple)):
        return ":".join(keyval_value(x) for x in v)
    return escape_comma(str(v))


def escape_comma(value: str) -> str:
    """QEMU option syntax escapes a literal comma by doubling it."""
    return value.replace(",", ",,")


def _plain_dict(value: Any) -> Any:
    """What the JSON encoder writes for a value it does not know: a nested `Props` as its
    dict (the encoder's C loop walks everything else itself)."""
    if isinstance(value, Props):
        return value._d
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# made once: json.dumps with options builds a new encoder on every call
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_plain_dict)
# JSONEncoder.encode makes its C encoder anew on every call, which costs as much as encoding
# a small object: every -device/-object/-blockdev is one, so the C encoder the JSONEncoder
# above would make is made once (without the circular-reference bookkeeping: props are
# trees built by the builders). None where the C accelerator is missing.
_MAKE_C_ENCODER = getattr(json_encoder, "c_make_encoder", None)
_C_COMPACT = (_MAKE_C_ENCODER(None, _plain_dict, json_encoder.encode_basestring, None, ":", ",",
                              False, False, True)
              if _MAKE_C_ENCODER is not None else None)


def to_json(value: Any) -> str:
    """Compact JSON exactly as libvirt prints it (no spaces, '/' not escaped)."""
    if isinstance(value, Props):
        value = value._d
    if _C_COMPACT is not None and isinstance(value, dict):
        return "".join(_C_COMPACT(value, 0))
    return _COMPACT.encode(value)
