"""The place lookup of the parse-time checks (validate/conf/places.py), and the number and
UUID readers' fast paths: each answer is what the place or libvirt's reader says, whichever
path the lookup takes (own tag, '*', the root, a tag no place names)."""

from __future__ import annotations

from translator.model.elem import Elem
from translator.strtol import scan
from translator.validate.conf.places import PlaceIndex
from translator.validate.conf.xmlprop import is_uuid


def _chain(*specs: tuple[str, dict[str, str]]) -> list[Elem]:
    return [Elem(tag, attrs) for tag, attrs in specs]


INDEX: PlaceIndex[str] = PlaceIndex([
    (("domain",), "root"),
    (("devices", "*", "address"), "any-address"),
    (("devices", "*", "address[pci]"), "pci-address"),
    (("disk", "source"), "disk-source"),
    (("disk[network]", "source"), "network-source"),
    (("features", "hyperv", "*"), "hyperv-feature"),
    (("features", "hyperv", "relaxed"), "relaxed"),
    (("interface@virtio", "driver"), "virtio-driver"),
])


def test_values_come_in_the_given_order_with_their_qualifiers() -> None:
    here = _chain(("domain", {}), ("devices", {}), ("disk", {"type": "network"}),
                  ("source", {}))
    assert list(INDEX.at(here)) == ["disk-source", "network-source"]
    here[2] = Elem("disk", {"type": "file"})
    assert list(INDEX.at(here)) == ["disk-source"]


def test_a_star_component_takes_any_tag_but_the_deeper_tags_still_count() -> None:
    pci = _chain(("devices", {}), ("hostdev", {}), ("address", {"type": "pci"}))
    assert list(INDEX.at(pci)) == ["any-address", "pci-address"]
    # the same address under a <source>: 'devices' is not two levels up
    nested = _chain(("hostdev", {}), ("source", {}), ("address", {"type": "pci"}))
    assert list(INDEX.at(nested)) == []


def test_a_place_ending_in_star_applies_to_tags_no_place_names() -> None:
    relaxed = _chain(("features", {}), ("hyperv", {}), ("relaxed", {}))
    assert list(INDEX.at(relaxed)) == ["hyperv-feature", "relaxed"]
    unnamed = _chain(("features", {}), ("hyperv", {}), ("vapic", {}))
    assert list(INDEX.at(unnamed)) == ["hyperv-feature"]
    # and only under its parent
    assert list(INDEX.at(_chain(("features", {}), ("kvm", {}), ("vapic", {})))) == []


def test_the_root_matches_only_places_of_one_tag() -> None:
    assert list(INDEX.at(_chain(("domain", {})))) == ["root"]
    assert list(INDEX.at(_chain(("source", {})))) == []


def test_a_predicate_reads_the_element() -> None:
    virtio = Elem("interface", {"type": "network"}, (Elem("model", {"type": "virtio"}),))
    e1000 = Elem("interface", {"type": "network"}, (Elem("model", {"type": "e1000"}),))
    assert list(INDEX.at([virtio, Elem("driver")])) == ["virtio-driver"]
    assert list(INDEX.at([e1000, Elem("driver")])) == []


def test_scan_reads_the_digits_of_its_base_and_leaves_the_rest() -> None:
    n = scan(" -0x1fZ", 0)
    assert (n.value, n.negative, n.rest, n.converted) == (31, True, "Z", True)
    assert scan("0778", 0).value == 0o77 and scan("0778", 0).rest == "8"
    assert scan("12_3", 10).rest == "_3"  # C knows no digit separators
    assert scan("\u0663", 10).converted is False  # nor digits outside ASCII
    assert scan("0x", 16).rest == "x"
    assert scan("18446744073709551616", 10).overflow


def test_is_uuid_takes_pairs_of_hex_digits_split_by_dashes() -> None:
    assert is_uuid("c7a5fdbd-edaf-9455-926a-d65c16db1809")
    assert is_uuid(" C7A5FDBDEDAF9455926AD65C16DB1809\n")
    assert is_uuid("c7a5-fdbd-edaf-9455-926a-d65c-16db-1809")  # dashes between any pairs
    assert not is_uuid("c7a5fdbd-edaf-9455-926a-d65c16db180g")
    assert not is_uuid("c-7a5fdbdedaf9455926ad65c16db1809")  # a dash inside a pair
    assert not is_uuid("c7a5fdbd-edaf-9455-926a-d65c16db1809-")


def test_a_number_of_any_length_is_an_overflow_not_a_crash() -> None:
    """Python converts at most 4300 decimal digits: longer runs are an overflow, read
    without converting (leading zeros do not count)."""
    n = scan("9" * 5000 + "x", 10)
    assert n.overflow and n.value > (1 << 64) - 1 and n.rest == "x" and n.converted
    assert scan("0" * 5000 + "7", 10).value == 7
    assert scan("f" * 17, 16).overflow and not scan("f" * 16, 16).overflow
