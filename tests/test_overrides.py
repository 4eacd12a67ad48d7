"""--suggest-override: `-set device.ID.PROP=VALUE` turned into `<qemu:override>`."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from translator import TranslationError
from translator.model.qemu_ns import QEMU_NS, NsArg
from translator.overrides import (find_sets, infer_property, override_block, parse_set,
                                  render_suggestions)


def domain(args: list[str], extra: str = "") -> bytes:
    body = "".join(f"    <qemu:arg value='{a}'/>\n" for a in args)
    return (f"<domain type='kvm' xmlns:qemu='{QEMU_NS}'>\n"
            "  <name>sugg</name>\n"
            "  <memory unit='MiB'>512</memory>\n"
            "  <vcpu>1</vcpu>\n"
            "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
            "  <devices>\n"
            "    <disk type='file' device='disk'>\n"
            "      <driver name='qemu' type='qcow2'/>\n"
            "      <source file='/images/a.qcow2'/>\n"
            "      <target dev='vda' bus='virtio'/>\n"
            "      <alias name='ua-disk'/>\n"
            "    </disk>\n"
            "  </devices>\n"
            f"  <qemu:commandline>\n{body}  </qemu:commandline>\n"
            f"{extra}</domain>\n").encode()


def xml_part(out: str) -> etree._Element:
    """The suggested block parses as XML in the qemu namespace."""
    start, end = out.index("<qemu:override>"), out.index("</qemu:override>")
    block = out[start:end + len("</qemu:override>")]
    wrapped = f"<domain xmlns:qemu='{QEMU_NS}'>{block}</domain>"
    return etree.fromstring(wrapped.encode())


def test_parse_set_shape() -> None:
    assert parse_set("device.ua-disk.prop=1") == ("device", "ua-disk", "prop", "1")
    assert parse_set("device.net0.x.y=a=b") == ("device", "net0", "x.y", "a=b")
    assert parse_set("device.ua-disk") is None
    assert parse_set("nodots=1") is None


def test_find_sets_pairs_and_packed() -> None:
    args = (NsArg("-set", 3), NsArg("device.a.b=1", 4), NsArg("-m"), NsArg("1"),
            NsArg("-set device.c.d=on", 7), NsArg("-set", 8))
    sets, bad = find_sets(args)
    assert [(s.id, s.prop, s.value, s.lines, s.packed) for s in sets] == [
        ("a", "b", "1", (3, 4), False), ("c", "d", "on", (7,), True)]
    assert len(bad) == 1 and "no value" in bad[0]


@pytest.mark.parametrize("value,type_,out", [
    ("true", "bool", "true"), ("off", "bool", "false"), ("on", "bool", "true"),
    ("1", "unsigned", "1"), ("-5", "signed", "-5"), ("0x10", "unsigned", "16"),
    ("abc", "string", "abc"), ("1.5", "string", "1.5"), ("007", "string", "007"),
])
def test_infer_property(value: str, type_: str, out: str) -> None:
    p = infer_property("p", value)
    assert (p.type, p.value) == (type_, out)


def test_suggestion_for_known_alias() -> None:
    out = render_suggestions(domain(["-set", "device.ua-disk.prop=1",
                                     "-set", "device.ua-disk.serial=AB&apos;C"]))
    root = xml_part(out)
    q = f"{{{QEMU_NS}}}"
    dev = root.find(f"{q}override/{q}device")
    assert dev.get("alias") == "ua-disk"
    props = [(p.get("name"), p.get("type"), p.get("value"))
             for p in dev.iter(f"{q}property")]
    assert props == [("prop", "unsigned", "1"), ("serial", "string", "AB'C")]
    assert "not the alias" not in out
    assert re.search(r"remove the <qemu:arg> elements at line\(s\) 15, 16, 17, 18", out)
    assert all(len(ln) <= 100 for ln in out.splitlines())


def test_unknown_alias_and_non_device_group() -> None:
    out = render_suggestions(domain(["-set", "device.nosuch.x=-5", "-set", "drive.d.y=z"]))
    assert "<qemu:device alias='nosuch'>" in out
    assert "'nosuch' is not the alias of any device" in " ".join(out.split())
    assert "ua-disk" in out                      # the aliases that do exist are listed
    assert "'drive' options stay as <qemu:arg>" in " ".join(out.split())


def test_libvirt_alias_flagged_unstable() -> None:
    out = render_suggestions(domain(["-set", "device.balloon0.deflate-on-oom=on"]))
    flat = " ".join(out.split())
    assert "<qemu:property name='deflate-on-oom' type='bool' value='true'/>" in out
    assert "'balloon0' is an alias libvirt assigns" in flat


def test_existing_override_and_repeats() -> None:
    extra = ("  <qemu:override><qemu:device alias='ua-disk'><qemu:frontend>"
             "<qemu:property name='x' type='string' value='y'/>"
             "</qemu:frontend></qemu:device></qemu:override>\n")
    out = render_suggestions(domain(["-set", "device.ua-disk.p=1", "-set", "device.ua-disk.p=2"],
                                    extra))
    flat = " ".join(out.split())
    assert "already has <qemu:device alias='ua-disk'>" in flat
    assert "set more than once" in flat
    assert "value='2'" in out and "value='1'" not in out


def test_no_sets() -> None:
    out = render_suggestions(domain(["-m", "1024"]))
    assert "no -set device.ID.PROP=VALUE" in out
    assert "<qemu:override>" not in out


def test_invalid_xml_refused() -> None:
    with pytest.raises(TranslationError):
        render_suggestions(b"<domain")


def test_override_block_escapes() -> None:
    from translator.overrides import Property

    lines = override_block({"ua-a": {"p": Property("p", "string", "<&'>")}})
    assert "value='&lt;&amp;&apos;&gt;'" in "\n".join(lines)
