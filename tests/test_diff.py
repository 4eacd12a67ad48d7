"""`xml2argv --diff`: the argument-aware diff (translator/diff.py).

Unit tests on hand-made item lists pin the matching rules; snapshot tests pin what a
user reads for the bundled blockdev example and libvirt's qemu-ns case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import capsdb
import translator
from translator.cli import main
from translator.cmdline import Item, Source
from translator.diff import diff_command, diff_invocations, diff_items, diff_report
from translator.invocation import Invocation
from translator.props import Props

REPO = Path(__file__).resolve().parents[1]
SWAP = REPO / "examples" / "blockdev-drive-swap.xml"
CORPUS = REPO.parent / "shared" / "corpus" / "libvirt-11.3"
HOST = Source("xml", "/domain")

NS_HEAD = "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
BODY = """
  <name>d</name>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='pty'/>
  </devices>
"""


def domain(ns: str = "") -> bytes:
    return f"{NS_HEAD}{BODY}{ns}</domain>".encode()


def item(option: str, value: str | None = None, **props: object) -> Item:
    if props:
        p = Props(*props.items())
        return Item((option, p.to_json()), HOST, p)
    return Item((option,) if value is None else (option, value), HOST)


def inv(items: list[Item], env: list[tuple[str, str | None]] | None = None,
        binary: str = "/usr/bin/qemu-system-x86_64") -> Invocation:
    args = [t for it in items for t in it.tokens]
    return Invocation(env=env or [], binary=binary, args=args, items=items)


# --- diff_invocations on hand-made items ----------------------------------------------


def test_identical_invocations_have_an_empty_diff():
    a = [item("-m", "size=1048576k"), item("-device", driver="e1000", id="net0")]
    d = diff_invocations(inv(a), inv(list(a)))
    assert d.empty and d.summary() == "none"


def test_added_removed_and_changed_items_are_matched_by_key():
    a = [item("-m", "size=1048576k"), item("-device", driver="e1000", id="net0", mac="x"),
         item("-S")]
    b = [item("-m", "size=2097152k"), item("-device", driver="e1000", id="net0", bus="pci.1"),
         item("-no-shutdown")]
    d = diff_invocations(inv(a), inv(b))
    assert d.keys("removed") == ["-S"]
    assert d.keys("added") == ["-no-shutdown"]
    assert d.keys("changed") == ["-m", "-device#net0"]
    mem = d.items[0]
    assert [(p.path, p.kind, p.old, p.new) for p in mem.props] == [
        ("size", "changed", "1048576k", "2097152k")]
    dev = next(c for c in d.items if c.key == "-device#net0")
    assert {(p.path, p.kind) for p in dev.props} == {("mac", "removed"), ("bus", "added")}


def test_a_value_type_change_is_a_change():
    a = [item("-device", driver="x", id="d0", unit=0)]
    b = [item("-device", driver="x", id="d0", unit="0")]
    (c,) = diff_items(a, b)
    assert [(p.path, p.old, p.new) for p in c.props] == [("unit", 0, "0")]


def test_nested_json_properties_are_named_by_path():
    a = [item("-blockdev", **{"node-name": "n1", "file": {"driver": "file", "filename": "/a"}})]
    b = [item("-blockdev", **{"node-name": "n1", "file": {"driver": "file", "filename": "/b"}})]
    (c,) = diff_items(a, b)
    assert [(p.path, p.old, p.new) for p in c.props] == [("file.filename", "/a", "/b")]


def test_reference_to_a_replaced_object_is_labelled():
    a = [item("-blockdev", **{"node-name": "fmt0", "driver": "qcow2"}),
         item("-device", driver="virtio-blk-pci", drive="fmt0", id="disk0")]
    b = [item("-drive", "file=/x,if=none,id=drive-disk0"),
         item("-device", driver="virtio-blk-pci", drive="drive-disk0", id="disk0")]
    d = diff_items(a, b)
    dev = next(c for c in d if c.key == "-device#disk0")
    (p,) = dev.props
    assert p.ref == ("-blockdev fmt0", "-drive drive-disk0")


def test_an_item_that_only_changed_its_id_is_renamed():
    a = [item("-chardev", "pty,id=charserial0")]
    b = [item("-chardev", "pty,id=charserial1")]
    (c,) = diff_items(a, b)
    assert (c.kind, c.old_key, c.key) == ("renamed", "-chardev#charserial0",
                                          "-chardev#charserial1")


def test_shifted_items_are_not_moved_but_reordered_ones_are():
    x, y, z = item("-S"), item("-no-user-config"), item("-nodefaults")
    assert diff_items([x, y, z], [item("-new"), x, y, z])[0].kind == "added"
    assert len(diff_items([x, y, z], [item("-new"), x, y, z])) == 1
    (c,) = diff_items([x, y, z], [y, z, x])
    assert (c.kind, c.key, c.after) == ("moved", "-S", "-nodefaults")


def test_syntax_only_change_is_flagged():
    p = Props(("driver", "e1000"), ("id", "net0"))
    a = [Item(("-device", p.to_json()), HOST, p)]
    b = [Item(("-device", p.to_keyval(first_key="driver")), HOST, p)]
    (c,) = diff_items(a, b)
    assert c.syntax_only and c.props == ()


def test_env_and_binary():
    a = inv([], env=[("PATH", "/bin"), ("OLD", "1")], binary="/usr/bin/a")
    b = inv([], env=[("PATH", "/usr/bin"), ("NEW", None)], binary="/usr/bin/b")
    d = diff_invocations(a, b)
    assert d.binary == ("/usr/bin/a", "/usr/bin/b")
    assert [(e.name, e.kind) for e in d.env] == [("OLD", "removed"), ("PATH", "changed"),
                                                 ("NEW", "added")]


def test_invocation_without_items_is_split_from_args():
    a = Invocation(env=[], binary="q", args=["-S", "-m", "size=1k"])
    b = Invocation(env=[], binary="q", args=["-S", "-m", "size=2k"])
    assert diff_invocations(a, b).keys("changed") == ["-m"]


# --- modes on real translations -------------------------------------------------------


def test_default_mode_compares_against_the_domain_without_namespace():
    xml = domain("<qemu:commandline><qemu:arg value='-cpu'/><qemu:arg value='host'/>"
                 "<qemu:env name='FOO' value='bar'/></qemu:commandline>")
    report = diff_report(xml, capsdb.get("10.0"))
    assert report.mode == "namespace"
    assert report.diff is not None
    # the <qemu:arg> option and its value are one item, as QEMU reads them
    assert [(c.key, c.new) for c in report.diff.items] == [("-cpu[2]", "host")]
    assert [(e.name, e.new) for e in report.diff.env] == [("FOO", "bar")]


def test_against_qemu_6_2_shows_the_machine_type_and_device_syntax():
    report = diff_report((REPO / "examples" / "kvm-domain.xml").read_bytes(),
                         capsdb.get("10.0"), against_caps=capsdb.get("6.2"))
    assert report.mode == "qemu" and report.diff is not None
    machine = next(c for c in report.diff.items if c.key == "-machine")
    assert ("", "pc-q35-6.2", "pc-q35-10.0") in [(p.path, p.old, p.new) for p in machine.props]
    devices = [c for c in report.diff.items if c.option == "-device"]
    assert devices and all(c.syntax_only for c in devices)
    assert "QEMU 6.2.0" in report.old_label and "QEMU 10.0.0" in report.new_label


def test_cli_toggle_mode_compares_as_written_with_the_extra_toggles():
    report = diff_report(domain(), capsdb.get("10.0"), caps_del=["device.json+hotplug"])
    assert report.mode == "caps" and report.diff is not None
    assert report.diff.items and all(c.syntax_only for c in report.diff.items)
    (t,) = report.toggles
    assert (t.origin, t.action, t.status) == ("cli", "del", "changed")


def test_toggle_verdicts():
    xml = domain("<qemu:capabilities><qemu:add capability='kvm'/>"
                 "<qemu:add capability='vnc-colon'/><qemu:del capability='vnc'/>"
                 "<qemu:del capability='device.json+hotplug'/></qemu:capabilities>")
    report = diff_report(xml, capsdb.get("10.0"))
    verdicts = {t.name: (t.status, t.reason) for t in report.toggles}
    assert verdicts["kvm"] == ("no-effect", "already on in QEMU 10.0.0's profile")
    assert verdicts["vnc-colon"][0] == "no-effect" and "retired" in verdicts["vnc-colon"][1]
    assert verdicts["vnc"][0] == "no-effect" and "unused" in verdicts["vnc"][1]
    assert verdicts["device.json+hotplug"][0] == "changed"


def test_unknown_toggle_is_refused_and_the_others_still_judged():
    xml = domain("<qemu:capabilities><qemu:add capability='no-such-cap'/>"
                 "<qemu:del capability='device.json+hotplug'/></qemu:capabilities>")
    report = diff_report(xml, capsdb.get("10.0"))
    assert report.diff is None and report.new_error is not None
    bad, good = report.toggles
    assert (bad.status, bad.reason) == (
        "refused", "invalid qemu namespace capability 'no-such-cap'")
    assert good.status == "changed"


def test_delete_after_add_is_explained():
    xml = domain("<qemu:capabilities><qemu:add capability='vnc'/></qemu:capabilities>")
    report = diff_report(xml, capsdb.get("10.0"), caps_del=["vnc"])
    dom = next(t for t in report.toggles if t.origin == "domain")
    assert dom.reason == "deleted again by --del-cap vnc (deletions apply after additions)"


def test_json_output_parses():
    out = diff_command(SWAP.read_bytes(), capsdb.get(), profile="system", caps_add=[],
                       caps_del=["blockdev"], against_caps=None, fmt="json")
    doc = json.loads(out)
    assert doc["mode"] == "caps"
    assert {i["key"] for i in doc["items"]} == {
        "-blockdev#libvirt-1-storage", "-blockdev#libvirt-1-format",
        "-drive#drive-virtio-disk0", "-device#virtio-disk0"}


def test_cli_diff_runs(capsys):
    assert main(["--diff", "--del-cap", "blockdev", str(SWAP)]) == 0
    assert "+++ with --del-cap blockdev" in capsys.readouterr().out


# --- acceptance: the blockdev example and libvirt's qemu-ns case -----------------------


def test_blockdev_example_del_blockdev_changes_only_the_disk(snapshot):
    report = diff_report(SWAP.read_bytes(), capsdb.get(), caps_del=["blockdev"])
    d = report.diff
    assert d is not None and d.binary is None and d.env == []
    assert d.keys("removed") == ["-blockdev#libvirt-1-storage", "-blockdev#libvirt-1-format"]
    assert d.keys("added") == ["-drive#drive-virtio-disk0"]
    assert d.keys("changed") == ["-device#virtio-disk0"]
    assert len(d.items) == 4  # nothing else changes
    (drive,) = d.items[3].props
    assert (drive.path, drive.old, drive.new) == ("drive", "libvirt-1-format",
                                                  "drive-virtio-disk0")
    assert drive.ref == ("-blockdev libvirt-1-format", "-drive drive-virtio-disk0")
    out = diff_command(SWAP.read_bytes(), capsdb.get("10.0"), profile="system", caps_add=[],
                       caps_del=["blockdev"], against_caps=None, fmt="args")
    assert out == snapshot


@pytest.mark.skipif(not (CORPUS / "inputs" / "qemu-ns.xml").exists(),
                    reason="needs ../shared/corpus")
@pytest.mark.parametrize("fmt", ["args", "json"])
def test_qemu_ns_case(fmt: str, snapshot):
    xml = (CORPUS / "inputs" / "qemu-ns.xml").read_bytes()
    caps = capsdb.load(CORPUS / "caps" / "caps_10.0.0_x86_64.xml")
    report = diff_report(xml, caps, profile="libvirt-test")
    d = report.diff
    assert d is not None
    assert [(e.name, e.kind, e.new) for e in d.env] == [("NS", "added", "ns"),
                                                        ("BAR", "added", None)]
    assert d.keys("added") == ["-compat", "-unknown"]  # '-unknown parameter': one item
    (disk,) = [c for c in d.items if c.kind == "changed"]
    assert disk.key == "-device#ua-disk"
    assert [(p.path, p.kind) for p in disk.props] == [
        ("prop1", "added"), ("prop2", "added"), ("prop3", "added"), ("prop4", "added"),
        ("prop5", "added"), ("prop6", "removed-not-present")]
    verdicts = [(t.action, t.name, t.status) for t in report.toggles]
    assert verdicts == [("add", "vnc-colon", "no-effect"), ("del", "name", "no-effect")]
    assert all("retired" in (t.reason or "") for t in report.toggles)
    out = diff_command(xml, caps, profile="libvirt-test", caps_add=[], caps_del=[],
                       against_caps=None, fmt=fmt)
    assert out == snapshot


def test_translate_of_the_main_side_is_unchanged_by_diffing():
    """Diffing must not alter what a plain translation prints."""
    before = translator.translate(SWAP.read_bytes(), capsdb.get()).render("args")
    diff_report(SWAP.read_bytes(), capsdb.get(), caps_del=["blockdev"])
    assert translator.translate(SWAP.read_bytes(), capsdb.get()).render("args") == before


def test_toggle_that_makes_libvirt_refuse_the_domain():
    xml = (f"{NS_HEAD}<name>d</name><memory unit='MiB'>512</memory>"
           "<os><type arch='x86_64' machine='q35'>hvm</type></os>"
           "<features><ps2 state='off'/></features><devices/>"
           "<qemu:capabilities><qemu:del capability='machine-i8042-opt'/>"
           "<qemu:del capability='vnc-power-control'/></qemu:capabilities></domain>").encode()
    report = diff_report(xml, capsdb.get("10.0"))
    assert report.diff is None and report.old_error is None and report.new_error
    culprit, other = report.toggles
    assert culprit.status == "makes-refused" and "ps2" in (culprit.reason or "")
    assert other.status == "not-evaluated"
    assert "line 1: with it libvirt refuses the domain" in diff_command(
        xml, capsdb.get("10.0"), profile="system", caps_add=[], caps_del=[],
        against_caps=None, fmt="args")


def test_override_removing_an_absent_property_is_reported_though_the_text_is_same():
    xml = domain("<qemu:override><qemu:device alias='serial0'><qemu:frontend>"
                 "<qemu:property name='nope' type='remove'/>"
                 "</qemu:frontend></qemu:device></qemu:override>")
    report = diff_report(xml, capsdb.get("10.0"))
    assert report.diff is not None
    (c,) = report.diff.items
    assert (c.kind, c.key) == ("unchanged", "-device#serial0")
    assert [(p.path, p.kind) for p in c.props] == [("nope", "removed-not-present")]


def test_env_shadowing_a_libvirt_variable_names_the_earlier_value():
    xml = domain("<qemu:commandline><qemu:env name='PATH' value='/opt/bin'/>"
                 "</qemu:commandline>")
    report = diff_report(xml, capsdb.get("10.0"))
    assert report.diff is not None
    (e,) = report.diff.env
    assert (e.name, e.new) == ("PATH", "/opt/bin") and e.shadows and "/usr/bin" in e.shadows
