"""Mutation fuzzing of the bundled examples: whatever a user breaks in a domain XML,
`translate()` answers with a clear refusal, never an internal error.

`translate()` turns any unexpected Python exception into "unsupported configuration:
ValueError: ..."; such a message means a value reached a builder unchecked. Each example
gets one random mutation (a dropped attribute, a junk value, a duplicated, deleted or
moved element, or junk device info such as <address>/<boot>/<acpi>) and is translated
under both profiles; the result must be an invocation or a libvirt-style refusal.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import capsdb
import translator

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.xml"))
INTERNAL = re.compile(r"unsupported configuration: \w+(Error|Exception):")

# values users get wrong: empty, signs, overflow, fractions, words, half-hex, unicode
JUNK = ["", " ", "junk", "-1", "0", "1.5", "0x", "0x1g", "1e9", "nan", "none", "yes", "/",
        ",", "..", "4294967296", "99999999999999999999", "\u00e9\u00fc\u00f1", "\u202e",
        # numbers as C reads them: octal, hex, blanks and signs, the 64-bit edge, 'default'
        "010", "09", "0x10", " 1", "1 ", "+1", "-0", "18446744073709551616", "default",
        # more digits than Python converts to an int (4300)
        "9" * 5000]

# device info every device accepts: each attribute is an unsigned number in libvirt
INFO = [("address", {"type": "pci", "domain": "0", "bus": "0", "slot": "9", "function": "0"}),
        ("address", {"type": "drive", "controller": "0", "bus": "0", "unit": "0"}),
        ("boot", {"order": "1"}),
        ("acpi", {"index": "1"})]

MUTATIONS = ("drop_attr", "attr_junk", "text_junk", "duplicate", "delete", "swap", "info_junk")


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _mutate(root: etree._Element, kind: str, pick: int, junk: str) -> None:
    """Apply mutation `kind` to the `pick`-th (modulo) candidate element of `root`."""
    elems = _elements(root)
    if kind in ("drop_attr", "attr_junk"):
        elems = [e for e in elems if e.attrib]
    elif kind == "text_junk":
        elems = [e for e in elems if e.text and e.text.strip() and len(e) == 0]
    elif kind == "info_junk":
        devices = root.find("devices")
        elems = [d for d in (devices if devices is not None else ())
                 if isinstance(d.tag, str) and d.tag != "emulator"]
    else:
        elems = [e for e in elems if e.getparent() is not None]
    if not elems:
        return
    e = elems[pick % len(elems)]
    names = sorted(e.attrib)
    if kind == "drop_attr":
        del e.attrib[names[pick % len(names)]]
    elif kind == "attr_junk":
        e.set(names[pick % len(names)], junk)
    elif kind == "text_junk":
        e.text = junk
    elif kind == "info_junk":
        tag, attrs = INFO[pick % len(INFO)]
        numbers = [a for a in attrs if a != "type"]
        etree.SubElement(e, tag, {**attrs, numbers[pick % len(numbers)]: junk})
    else:
        parent = e.getparent()
        if kind == "duplicate":
            parent.insert(parent.index(e) + 1, copy.deepcopy(e))
        elif kind == "delete":
            parent.remove(e)
        else:  # swap: the first element moves last, any other one first
            first = next(c for c in parent if isinstance(c.tag, str))
            parent.remove(e)
            if e is first:
                parent.append(e)
            else:
                parent.insert(parent.index(first), e)


def _check(xml: bytes) -> None:
    for profile in ("libvirt-test", "system"):
        try:
            translator.translate(xml, capsdb.get(), profile=profile)
        except translator.TranslationError as exc:
            assert not INTERNAL.search(str(exc)), f"internal error for:\n{xml.decode()}\n{exc}"


@settings(max_examples=500, deadline=2000, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(example=st.sampled_from(EXAMPLES), kind=st.sampled_from(MUTATIONS),
       pick=st.integers(0, 200), junk=st.sampled_from(JUNK))
def test_mutated_example_never_gives_internal_error(example: Path, kind: str, pick: int,
                                                    junk: str) -> None:
    root = etree.fromstring(example.read_bytes())
    _mutate(root, kind, pick, junk)
    _check(etree.tostring(root))


@pytest.mark.parametrize("attr, value", [("slot", "junk"), ("bus", "-1"), ("function", "1.5")])
def test_junk_pci_address_is_refused_with_libvirts_message(attr: str, value: str) -> None:
    root = etree.fromstring(EXAMPLES[0].read_bytes())
    disk = root.find("devices/disk")
    tag, attrs = INFO[0]
    etree.SubElement(disk, tag, {**attrs, attr: value})
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(etree.tostring(root), capsdb.get(), profile="system")
    assert str(exc.value) == (f"XML error: Invalid value for attribute '{attr}' in element "
                              f"'address': '{value}'. Expected non-negative integer value")
