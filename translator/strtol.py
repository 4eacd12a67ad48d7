"""C's number parsing as libvirt uses it (glib's g_ascii_strtoll/g_ascii_strtoull).

Leading blanks and a sign are accepted; base 0 reads '0x..' as hex and a leading '0' as
octal; the caller decides what may follow the digits. Shared by the parse-time checks and the
bitmap parser, which both must agree with libvirt digit for digit.
"""

from __future__ import annotations

ULLONG_MAX = (1 << 64) - 1
_MAX_DIGITS = 64  # the most significant digits an unsigned 64-bit value has (in base 2)
_SPACES = " \t\n\v\f\r"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# by base (2 to 36): the characters that are its digits, both cases
_DIGIT_CHARS = tuple(_DIGITS[:base] + _DIGITS[10:base].upper() for base in range(37))


class Number:
    """What strtoull made of a text: value (magnitude), sign, overflow, and the unread rest."""

    __slots__ = ("value", "negative", "overflow", "rest", "converted")

    def __init__(self, value: int, negative: bool, overflow: bool, rest: str,
                 converted: bool) -> None:
        self.value, self.negative, self.overflow = value, negative, overflow
        self.rest, self.converted = rest, converted


def scan(text: str, base: int) -> Number:
    """glib's strtoull/strtoll scanner: digits of `base` (0 = C prefixes) after blanks and sign."""
    s = text.lstrip(_SPACES)
    negative = False
    if s[:1] in ("+", "-"):
        negative = s[0] == "-"
        s = s[1:]
    if s[:1] == "0" and s[1:2] in ("x", "X") and base in (0, 16):
        if s[2:3] and s[2].lower() in _DIGITS[:16]:
            s, base = s[2:], 16
        else:  # "0x" with no hex digit: the "0" is the number, "x..." is left over
            return Number(0, negative, False, s[1:], True)
    elif base == 0:
        base = 8 if s[:1] == "0" else 10
    # the digits are the longest prefix of `s` made of this base's digit characters:
    # str.lstrip finds it in C rather than a Python loop over characters
    end = len(s) - len(s.lstrip(_DIGIT_CHARS[base]))
    if end == 0:
        return Number(0, False, False, text, False)
    significant = s[:end].lstrip("0")
    if len(significant) > _MAX_DIGITS:
        # past 64 binary digits in any base: overflow, without converting a number of any
        # length (Python refuses to convert more than a few thousand decimal digits)
        return Number(ULLONG_MAX + 1, negative, True, s[end:], True)
    value = int(significant or "0", base)
    return Number(value, negative, value > ULLONG_MAX, s[end:], True)


__all__ = ["Number", "ULLONG_MAX", "scan"]
