"""libvirt's typed attribute readers (virxml.c `virXMLProp*`) and the number parsing under them.

Every number, enum and yes/no attribute of a domain XML goes through one of these, so a bad
value is refused with exactly libvirt's words, and a good one is returned as a Python value.
The number rules are glib's `g_ascii_strtoll`/`g_ascii_strtoull` as libvirt's
`virStrToLong_*` wrappers use them (virstring.c): leading blanks and a sign are accepted,
base 0 reads `0x..` as hex and a leading `0` as octal, and nothing may follow the digits.
"""

from __future__ import annotations

from typing import Sequence

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from ...strtol import ULLONG_MAX, scan

UINT_MAX = (1 << 32) - 1
INT_MAX = (1 << 31) - 1
INT_MIN = -(1 << 31)
LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)

def to_uint(text: str, base: int, maximum: int = UINT_MAX) -> int | None:
    """virStrToLong_uip/ullp: an unsigned number without a minus sign, or None."""
    n = scan(text, base)
    if not n.converted or n.rest or n.overflow or n.negative or n.value > maximum:
        return None
    return n.value


def to_int(text: str, base: int, minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """virStrToLong_i/ll: a signed number in range, or None."""
    n = scan(text, base)
    if not n.converted or n.rest:
        return None
    value = -n.value if n.negative else n.value
    if not LLONG_MIN <= value <= LLONG_MAX or not minimum <= value <= maximum:
        return None
    return value


def _xml_error(message: str) -> None:
    refuse(ErrorCode.XML_ERROR, message)


def _invalid(e: Elem, name: str, value: str, expected: str) -> None:
    _xml_error(f"Invalid value for attribute '{name}' in element '{e.tag}': '{value}'."
               + (f" Expected {expected}" if expected else ""))


def _zero(e: Elem, name: str) -> None:
    _xml_error(f"Invalid value for attribute '{name}' in element '{e.tag}': "
               "Zero is not permitted")


def required(e: Elem, name: str) -> str:
    """virXMLPropStringRequired: the attribute's text, refused when it is missing."""
    value = e.get(name)
    if value is None:
        refuse(ErrorCode.XML_ERROR, f"Missing required attribute '{name}' in element '{e.tag}'")
    return value


def prop_uint(e: Elem, name: str, base: int = 10, *, required_: bool = False,
              nonzero: bool = False, maximum: int = UINT_MAX) -> int | None:
    """virXMLPropUInt (and virXMLPropULongLong with `maximum=ULLONG_MAX`)."""
    text = required(e, name) if required_ else e.get(name)
    if text is None:
        return None
    value = to_uint(text, base, maximum)
    if value is None:
        _invalid(e, name, text, "non-negative integer value")
        return None
    if nonzero and value == 0:
        _zero(e, name)
    return value


def prop_int(e: Elem, name: str, base: int = 10, *, required_: bool = False,
             nonzero: bool = False, nonnegative: bool = False, wide: bool = False) -> int | None:
    """virXMLPropInt (and virXMLPropLongLong with `wide`)."""
    text = required(e, name) if required_ else e.get(name)
    if text is None:
        return None
    value = to_int(text, base, LLONG_MIN if wide else INT_MIN, LLONG_MAX if wide else INT_MAX)
    if value is None:
        _invalid(e, name, text, "long long integer value" if wide else "integer value")
        return None
    if nonnegative and value < 0:
        _invalid(e, name, text, "non-negative value")
    if nonzero and value == 0:
        _zero(e, name)
    return value


def prop_enum(e: Elem, name: str, values: Sequence[str], *, required_: bool = False,
              nonzero: bool = False) -> str | None:
    """virXMLPropEnum: one of libvirt's names; `nonzero` refuses the first (the 'default')."""
    text = required(e, name) if required_ else e.get(name)
    if text is None:
        return None
    if text not in values or (nonzero and text == values[0]):
        _invalid(e, name, text, "")
    return text


TRISTATE_BOOL = ("default", "yes", "no")
TRISTATE_SWITCH = ("default", "on", "off")


def prop_yes_no(e: Elem, name: str, *, required_: bool = False) -> bool | None:
    """virXMLPropTristateBool: 'yes' or 'no' ('default' is refused)."""
    value = prop_enum(e, name, TRISTATE_BOOL, required_=required_, nonzero=True)
    return None if value is None else value == "yes"


def prop_on_off(e: Elem, name: str, *, required_: bool = False) -> bool | None:
    """virXMLPropTristateSwitch: 'on' or 'off' ('default' is refused)."""
    value = prop_enum(e, name, TRISTATE_SWITCH, required_=required_, nonzero=True)
    return None if value is None else value == "on"


_SPACES = " \t\n\v\f\r"
_HEX = "0123456789abcdef"


_HEX_CHARS = "0123456789abcdefABCDEF"


def is_uuid(text: str) -> bool:
    """virUUIDParse: 32 hex digits, optionally split by dashes, blanks around allowed."""
    s = text.strip(_SPACES)
    # the usual spellings, 8-4-4-4-12 or 32 digits in a row, checked without a loop
    if len(s) == 36 and s[8] == s[13] == s[18] == s[23] == "-":
        if not s.replace("-", "", 4).lstrip(_HEX_CHARS):
            return True
    elif len(s) == 32 and not s.lstrip(_HEX_CHARS):
        return True
    digits = 0
    i = 0
    while i < len(s) and digits < 32:
        c = s[i]
        if c == "-":
            i += 1
            continue
        if c.lower() not in _HEX or i + 1 >= len(s) \
                or s[i + 1].lower() not in _HEX:
            return False
        digits += 2
        i += 2
    return digits == 32 and not s[i:].strip(_SPACES)


def prop_uuid(e: Elem, name: str, *, required_: bool = False) -> str | None:
    """virXMLPropUUID."""
    text = required(e, name) if required_ else e.get(name)
    if text is None:
        return None
    if not is_uuid(text):
        _invalid(e, name, text, "UUID")
    return text


__all__ = ["INT_MAX", "LLONG_MAX", "TRISTATE_BOOL", "TRISTATE_SWITCH", "UINT_MAX", "ULLONG_MAX",
           "is_uuid", "prop_enum", "prop_int", "prop_on_off", "prop_uint", "prop_uuid",
           "prop_yes_no", "required", "scan", "to_int", "to_uint"]
