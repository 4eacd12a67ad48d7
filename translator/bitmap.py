"""libvirt's bitmap syntax ('0-3,^2,8'): CPU sets, NUMA node sets, vCPU lists.

One parser (virBitmapParse's rules: comma-separated numbers and ranges, `^n` removes a
number, blanks around items allowed) and QEMU's range formatting of the result. Every bitmap
of a domain is limited to VIR_DOMAIN_CPUMASK_LEN bits, as in libvirt, so a result is small.
"""

from __future__ import annotations

from .strtol import scan

CPUMASK_LEN = 16384  # VIR_DOMAIN_CPUMASK_LEN
_SPACES = " \t\n\v\f\r"


def _number(text: str, pos: int) -> tuple[int, int] | None:
    """virStrToLong_i reading from `pos`: (value, position after it), or None."""
    n = scan(text[pos:], 10)
    if not n.converted:
        return None
    value = -n.value if n.negative else n.value
    if not -(1 << 31) <= value < (1 << 31):
        return None
    return value, len(text) - len(n.rest)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACES:
        pos += 1
    return pos


def bitmap_or_none(text: str, limit: int = CPUMASK_LEN) -> set[int] | None:
    """The bits of `text`, or None when libvirt's parser refuses it."""
    bits: set[int] = set()
    pos = _skip(text, 0)
    if pos == len(text):
        return None
    while pos < len(text):
        neg = text[pos] == "^"
        pos += neg
        if pos >= len(text) or not text[pos].isascii() or not text[pos].isdigit():
            return None
        got = _number(text, pos)
        if got is None or got[0] < 0 or got[0] >= limit:
            return None
        start, pos = got
        pos = _skip(text, pos)
        if pos == len(text) or text[pos] == ",":
            (bits.discard if neg else bits.add)(start)
        elif text[pos] == "-":
            if neg:
                return None
            got = _number(text, _skip(text, pos + 1))
            if got is None or got[0] < start or got[0] >= limit:
                return None
            last, pos = got
            bits.update(range(start, last + 1))
            pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
        elif pos < len(text):
            return None
    return bits


def parse_bitmap(text: str, limit: int = CPUMASK_LEN) -> set[int]:
    """libvirt's bitmap syntax ('0-3,^2,8'); `ValueError` when it is not one."""
    bits = bitmap_or_none(text, limit)
    if bits is None:
        raise ValueError(text)
    return bits


def parse_cpuset(text: str | None) -> list[int]:
    """A bitmap the validators accepted, as a sorted list (none given: empty)."""
    if not text or not text.strip():
        return []
    return sorted(parse_bitmap(text))


def ranges(values: list[int]) -> list[str]:
    """[0,1,2,5] -> ['0-2', '5'] (QEMU's cpus= ranges)."""
    out: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        out.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return out
