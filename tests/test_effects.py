"""Effect analysis (translator.effects) on small inline domains: every warning fires in
a test, and a domain without a qemu: namespace gives none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import capsdb
import translator
from translator.effects import EffectWarning, analyse, analyse_source, taint_flags
from translator.qemu_options import OPTIONS, lookup

REPO = Path(__file__).resolve().parents[1]
QEMU_URI = "http://libvirt.org/schemas/domain/qemu/1.0"
NEW = capsdb.get("10.0")
OLD = capsdb.get("6.2")

DISK = ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source file='/images/a.qcow2'/><target dev='vda' bus='virtio'/>"
        "<alias name='ua-disk'/></disk>")


def domain(ns: str = "", *, devices: str = DISK, uri: str = QEMU_URI) -> str:
    return (f"<domain type='kvm' xmlns:qemu='{uri}'>\n"
            "<name>fx</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
            "<memory unit='MiB'>1024</memory><vcpu>1</vcpu>\n"
            "<os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
            f"<devices>{devices}</devices>\n"
            f"{ns}\n</domain>\n")


def args(*values: str) -> str:
    return ("<qemu:commandline>" + "".join(f"<qemu:arg value='{v}'/>" for v in values)
            + "</qemu:commandline>")


def warnings(xml: str, caps: capsdb.Caps = NEW) -> list[EffectWarning]:
    return analyse(translator.translate(xml, caps))


def codes(ws: list[EffectWarning]) -> list[str]:
    return [w.code for w in ws]


def only(ws: list[EffectWarning], code: str) -> EffectWarning:
    hits = [w for w in ws if w.code == code]
    assert len(hits) == 1, [str(w) for w in ws]
    return hits[0]


# --- clean domains ------------------------------------------------------------------------

def test_clean_domain_gives_no_warnings():
    assert warnings(domain()) == []
    assert warnings(domain(), OLD) == []


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "examples").glob("*.xml")))
def test_examples_only_report_expected_codes(name):
    inv = translator.translate((REPO / "examples" / name).read_bytes(), NEW)
    allowed = {"taint", "cap-effective", "cap-already-on", "cap-retired"}
    assert set(codes(analyse(inv))) <= allowed


# --- appended options overriding libvirt's -------------------------------------------------

def test_appended_cpu_host_overrides_libvirts_cpu():
    w = only(warnings(domain(args("-cpu", "host"))), "arg-override")
    assert "-cpu appears 2 times" in w.message
    assert "uses '-cpu host' (<qemu:arg>)" in w.message
    assert "libvirt's '-cpu" in w.message
    assert w.line is not None


def test_appended_memory_is_merged_and_wins():
    w = only(warnings(domain(args("-m", "4096"))), "arg-override")
    assert "size=4096 replaces size=1048576k" in w.message
    assert w.message.endswith("QEMU ends up with -m size=4096")


def test_appended_machine_keeps_libvirts_other_keys():
    w = only(warnings(domain(args("-machine", "q35,hpet=off"))), "arg-override")
    assert "type=q35 replaces type=pc-q35-10.0" in w.message
    assert "adds hpet=off" in w.message
    assert "usb=off" in w.message.split("ends up with")[1]


def test_appended_accel_is_only_a_fallback():
    w = only(warnings(domain(args("-accel", "tcg"))), "accel-fallback")
    assert "'kvm' (libvirt's)" in w.message


def test_appended_global_for_same_property():
    xml = domain(args("-global", "ICH9-LPC.noreboot=on"))
    inv = translator.translate(xml, NEW)
    if "-global" not in inv.args[:-2]:
        pytest.skip("libvirt renders no -global for this domain")
    w = only(analyse(inv), "arg-override")
    assert "'ICH9-LPC.noreboot=on'" in w.message


# --- QEMU versions ---------------------------------------------------------------------

def test_soundhw_removed_in_7_1():
    xml = domain(args("-soundhw", "ac97"))
    w = only(warnings(xml, NEW), "option-removed")
    assert "removed in QEMU 7.1" in w.message and "QEMU 10.0.0" in w.message
    old = warnings(xml, OLD)
    assert "option-removed" not in codes(old)
    assert "deprecated since QEMU 5.1" in only(old, "option-deprecated").message


def test_option_too_new_for_old_qemu():
    xml = domain(args("-run-with", "async-teardown=on"))
    assert "option-too-new" in codes(warnings(xml, OLD))
    assert "option-too-new" not in codes(warnings(xml, NEW))


def test_removed_chardev_backend():
    xml = domain(args("-chardev", "tty,id=t0,path=/dev/ttyS0"))
    assert "backend 'tty'" in only(warnings(xml, NEW), "value-removed").message
    assert "value-removed" not in codes(warnings(xml, OLD))


def test_unknown_option_and_missing_argument():
    ws = warnings(domain(args("-no-such-option", "-cpu")))
    assert "'-no-such-option'" in only(ws, "unknown-option").message
    assert "'-cpu'" in only(ws, "missing-argument").message


def test_bare_argument_becomes_a_disk_image():
    ws = warnings(domain(args("-S", "disk.img")))
    assert "like -hda disk.img" in only(ws, "bare-argument").message


# --- ids and -set ----------------------------------------------------------------------

def test_duplicate_chardev_id():
    ws = warnings(domain(args("-chardev", "socket,id=charmonitor,path=/tmp/m.sock")))
    w = only(ws, "duplicate-id")
    assert "-chardev id 'charmonitor' is defined 2 times (libvirt's and <qemu:arg>)" in w.message


def test_duplicate_device_id_in_json():
    ws = warnings(domain(args("-device", '{"driver":"virtio-rng-pci","id":"ua-disk"}')))
    assert "-device id 'ua-disk'" in only(ws, "duplicate-id").message


def test_set_on_json_device_suggests_override():
    w = only(warnings(domain(args("-set", "device.ua-disk.prop=1"))), "set-json")
    assert "does not apply" in w.message
    assert ("<qemu:device alias='ua-disk'><qemu:frontend><qemu:property name='prop' "
            "type='unsigned' value='1'/>") in w.message


def test_set_on_legacy_device_applies():
    ws = warnings(domain(args("-set", "device.ua-disk.prop=1")), OLD)
    assert "set-json" not in codes(ws) and "set-no-target" not in codes(ws)


def test_set_without_target():
    w = only(warnings(domain(args("-set", "device.nothing.prop=1"))), "set-no-target")
    assert "there is no device \"nothing\" defined" in w.message


# --- <qemu:override> --------------------------------------------------------------------

def override(alias: str, prop: str) -> str:
    return (f"<qemu:override><qemu:device alias='{alias}'><qemu:frontend>{prop}"
            "</qemu:frontend></qemu:device></qemu:override>")


def test_override_alias_matching_nothing():
    xml = domain(override("ua-dsk", "<qemu:property name='x' type='string' value='y'/>"))
    w = only(warnings(xml), "override-no-device")
    assert "'ua-dsk' matches no device" in w.message and "'ua-disk'" in w.message


def test_override_value_not_fitting_its_type_is_refused():
    xml = domain(override("nothing", "<qemu:property name='x' type='bool' value='yes'/>"))
    with pytest.raises(translator.TranslationError) as exc:
        warnings(xml)
    assert str(exc.value) == ("XML error: invalid value 'yes' of 'value' attribute of "
                              "'qemu:property'")


def test_override_type_clashing_with_libvirts_value():
    xml = domain(override("ua-disk",
                          "<qemu:property name='bootindex' type='string' value='2'/>"))
    w = only(warnings(xml), "override-type")
    assert "libvirt generates it as a number" in w.message


def test_override_with_matching_type_is_quiet():
    xml = domain(override("ua-disk",
                          "<qemu:property name='bootindex' type='unsigned' value='2'/>"))
    assert "override-type" not in codes(warnings(xml))


# --- <qemu:env> ----------------------------------------------------------------------------

def test_env_shadowing_libvirts_path():
    xml = domain("<qemu:commandline><qemu:env name='PATH' value='/opt/bin'/></qemu:commandline>")
    w = only(warnings(xml), "env-shadow")
    assert "replaces the PATH libvirt sets" in w.message
    assert w.message.endswith("so QEMU sees PATH=/opt/bin")


def test_env_given_twice():
    xml = domain("<qemu:commandline><qemu:env name='A' value='1'/><qemu:env name='A' value='2'/>"
                 "</qemu:commandline>")
    assert "QEMU sees A=2" in only(warnings(xml), "env-repeated").message


# --- taint ---------------------------------------------------------------------------------

def test_taint_flags():
    ws = warnings(domain(args("-S") + "<qemu:capabilities><qemu:add capability='sdl'/>"
                         "</qemu:capabilities>"
                         + override("ua-disk", "<qemu:property name='x' type='remove'/>")))
    flags = [w.message.split("'")[1] for w in ws if w.code == "taint"]
    assert flags == ["custom-argv", "custom-hypervisor-feature", "custom-device"]


def test_env_alone_taints_custom_argv():
    inv = translator.translate(domain("<qemu:commandline><qemu:env name='A' value='1'/>"
                                      "</qemu:commandline>"), NEW)
    assert taint_flags(inv.domain.qemu) == ["custom-argv"]


def test_deprecation_alone_does_not_taint():
    inv = translator.translate(domain("<qemu:deprecation behavior='reject'/>"), NEW)
    assert taint_flags(inv.domain.qemu) == []
    assert analyse(inv) == []


# --- capabilities ----------------------------------------------------------------------------

def caps_block(action: str, name: str) -> str:
    return f"<qemu:capabilities><qemu:{action} capability='{name}'/></qemu:capabilities>"


def test_retired_capability():
    w = only(warnings(domain(caps_block("add", "vnc-colon"))), "cap-retired")
    assert "no effect" in w.message


def test_capability_already_on_and_effective():
    assert "already on" in only(warnings(domain(caps_block("add", "kvm"))),
                                "cap-already-on").message
    only(warnings(domain(caps_block("del", "blockdev"))), "cap-effective")


def test_capability_already_off():
    on_new = warnings(domain(caps_block("del", "shim")), NEW)
    assert "cap-effective" in codes(on_new)
    assert "cap-already-off" in codes(warnings(domain(caps_block("del", "shim")), OLD))


# --- lint ---------------------------------------------------------------------------------

def test_two_tokens_in_one_arg():
    w = only(warnings(domain(args("-cpu host"))), "packed-arg")
    assert "<qemu:arg value='-cpu'/><qemu:arg value='host'/>" in w.message
    assert "arg-override" not in codes(warnings(domain(args("-cpu host"))))


def test_commandline_inside_devices_is_ignored():
    xml = domain(devices=DISK + args("-S"))
    w = only(warnings(xml), "qemu-ignored")
    assert "inside <devices>" in w.message
    assert "taint" not in codes(warnings(xml))


def test_unknown_qemu_element_at_top_level_is_ignored():
    assert "qemu-ignored" in codes(warnings(domain("<qemu:commandlines/>")))


def test_misspelt_namespace_uri():
    xml = domain("<q:commandline xmlns:q='http://libvirt.org/schemas/domain/qemu/1.1'>"
                 "<q:arg value='-S'/></q:commandline>")
    w = only(warnings(xml), "qemu-ns-misspelt")
    assert "qemu/1.1" in w.message


def test_commandline_without_namespace():
    xml = domain("<commandline><arg value='-S'/></commandline>")
    w = only(warnings(xml), "qemu-ns-missing")
    assert "(write <qemu:commandline> with xmlns:qemu on <domain>)" in w.message


def test_audio_environment_variables_qemu_no_longer_reads():
    xml = domain("<qemu:commandline><qemu:env name='QEMU_AUDIO_DRV' value='pa'/>"
                 "<qemu:env name='QEMU_PA_SERVER' value='/run/pulse'/>"
                 "<qemu:env name='QEMU_OTHER' value='x'/></qemu:commandline>")
    ws = [w for w in warnings(xml) if w.code == "env-obsolete"]
    assert [w.message.split(">", 1)[0] for w in ws] == ["<qemu:env name='QEMU_AUDIO_DRV'",
                                                        "<qemu:env name='QEMU_PA_SERVER'"]
    assert "QEMU 10.0.0 no longer reads it" in ws[0].message and "removed in QEMU 8.2" \
        in ws[0].message and "<audio>" in ws[0].message
    assert ws[0].severity == "warning" and ws[0].line == 6
    old = [w for w in warnings(xml, capsdb.get("8.1")) if w.code == "env-obsolete"]
    assert len(old) == 2 and "deprecated since QEMU 4.0" in old[0].message


def test_undeclared_prefix_found_in_raw_document():
    xml = domain().replace(f" xmlns:qemu='{QEMU_URI}'", "").replace(
        "\n</domain>", "<qemu:commandline><qemu:arg value='-icount'/></qemu:commandline></domain>")
    assert codes(analyse_source(xml.encode())) == ["qemu-ns-undeclared"]
    # libvirt accepts such a domain and drops the elements: a translation with the advice
    inv = translator.translate(xml, NEW)
    assert "-icount" not in inv.args
    w = only(inv.warnings, "qemu-ns-undeclared")
    assert w.severity == "warning" and w.line is not None
    assert f"add xmlns:qemu='{QEMU_URI}' to <domain>" in w.message


# --- the option table ---------------------------------------------------------------------

def test_option_table_spellings():
    assert lookup("-M") is OPTIONS["machine"]
    assert lookup("--cpu") is OPTIONS["cpu"]
    assert lookup("-no-such") is None
    assert OPTIONS["device"].repeat == "repeat" and OPTIONS["device"].id_key == "id"
    assert OPTIONS["cpu"].repeat == "last" and OPTIONS["m"].implied_key == "size"
    assert not OPTIONS["soundhw"].exists_in((7, 1)) and OPTIONS["soundhw"].exists_in((7, 0))


def test_warning_is_one_line():
    w = EffectWarning("x", "message", 12)
    assert str(w) == "line 12: message [x]"
    assert str(EffectWarning("x", "m")) == "m [x]"


# --- CLI --------------------------------------------------------------------------------

def test_cli_prints_warnings_on_stderr_and_exits_0(tmp_path):
    f = tmp_path / "d.xml"
    f.write_text(domain(args("-cpu", "host", "-soundhw", "ac97")))
    res = subprocess.run([sys.executable, "-m", "translator", "--qemu", "10.0", str(f)],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()
    assert lines and all(line.startswith("warning: ") for line in lines)
    assert any("[arg-override]" in line for line in lines)
    assert any("[option-removed]" in line for line in lines)
    assert "-soundhw" in res.stdout
    quiet = subprocess.run([sys.executable, "-m", "translator", "--no-warnings", str(f)],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 0 and quiet.stderr == ""
