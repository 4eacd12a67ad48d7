"""Machine-wide options: -machine properties, -accel, clock, boot, firmware, SMBIOS, SEV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import capsdb
import translator


def _args(os_extra: str = "", features: str = "", tail: str = "", machine: str = "q35",
          os_attrs: str = "", virt: str = "qemu", caps: str | None = None) -> list[str]:
    xml = f"""<domain type='{virt}'><name>t</name>
      <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><memory>131072</memory>
      <os{os_attrs}><type arch='x86_64' machine='{machine}'>hvm</type>{os_extra}</os>
      <features>{features}</features>{tail}
      <devices><controller type='usb' model='none'/><memballoon model='none'/></devices>
      </domain>"""
    return translator.translate(xml, capsdb.get(caps), profile="libvirt-test").args


def _values(args: list[str], opt: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == opt]


def _error(**kw: str) -> str:
    with pytest.raises(translator.TranslationError) as exc:
        _args(**kw)
    return str(exc.value)


def test_machine_feature_properties_precede_dump_guest_core() -> None:
    m = _values(_args(features="<acpi/><smm state='off'/><ps2 state='on'/>"), "-machine")[0]
    assert m.startswith("q35,usb=off,smm=off,i8042=on,dump-guest-core=off,")
    assert m.endswith(",acpi=on")


def test_vmport_needs_ps2() -> None:
    assert "requires the ps2 feature" in _error(
        features="<ps2 state='off'/><vmport state='on'/>")


def test_tseg_global_follows_accel() -> None:
    args = _args(features="<smm state='on'><tseg unit='MiB'>48</tseg></smm>")
    i = args.index("-accel")
    assert args[i + 2:i + 4] == ["-global", "mch.extended-tseg-mbytes=48"]
    assert "only supported with q35" in _error(
        machine="pc", features="<smm state='on'><tseg unit='MiB'>48</tseg></smm>")


def test_accel_options() -> None:
    kvm = _args(virt="kvm", features="<kvm><dirty-ring state='on' size='4096'/></kvm>")
    assert _values(kvm, "-accel") == ["kvm,dirty-ring-size=4096"]
    tcg = _args(features="<tcg><tb-cache unit='KiB'>102400</tb-cache></tcg>")
    assert _values(tcg, "-accel") == ["tcg,tb-size=100"]


def test_variable_clock_uses_the_host_time() -> None:
    # the harness' clock is 2009-02-13T23:31:30Z, its local zone UTC-00:30
    args = _args(tail="<clock offset='variable' adjustment='123456' basis='utc'/>")
    assert _values(args, "-rtc") == ["base=2009-02-15T09:49:06"]
    args = _args(tail="<clock offset='variable' adjustment='3600' basis='localtime'/>")
    assert _values(args, "-rtc") == ["base=2009-02-14T00:01:30"]
    args = _args(tail="<clock offset='absolute' start='0'/>")
    assert _values(args, "-rtc") == ["base=1970-01-01T00:00:00"]


@pytest.mark.parametrize("timer, policy", [
    ("<timer name='pit'/>", "delay"),  # no tickpolicy: delay
    ("<timer name='pit' tickpolicy='delay'/>", "delay"),
    ("<timer name='pit' tickpolicy='discard'/>", "discard"),
    ("<timer name='pit' tickpolicy='catchup'/>", None),  # kvm-pit's own default
    ("<timer name='rtc' tickpolicy='catchup'/>", None),
])
def test_pit_tick_policy(timer: str, policy: str | None) -> None:
    """qemuBuildClockCommandLine: the PIT's lost tick policy, where QEMU has kvm-pit's."""
    tail = f"<clock offset='utc'>{timer}</clock>"
    expected = [f"kvm-pit.lost_tick_policy={policy}"] if policy else []
    assert [v for v in _values(_args(tail=tail), "-global") if "kvm-pit" in v] == expected


def test_pit_tick_policy_without_kvm_pit() -> None:
    xml = """<domain type='qemu'><name>t</name><memory>131072</memory><os><type
      arch='x86_64' machine='q35'>hvm</type></os><clock offset='utc'>{}</clock><devices>
      <controller type='usb' model='none'/><memballoon model='none'/></devices></domain>"""
    caps = capsdb.get(None).with_changes(remove=["kvm-pit-lost-tick-policy"])
    args = translator.translate(xml.format("<timer name='pit' tickpolicy='delay'/>"), caps,
                                profile="libvirt-test").args
    assert not [v for v in _values(args, "-global") if "kvm-pit" in v]
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(xml.format("<timer name='pit' tickpolicy='catchup'/>"), caps,
                             profile="libvirt-test")
    assert str(exc.value) == "unsupported configuration: unsupported pit tickpolicy 'catchup'"


def test_timezone_clock_sets_tz() -> None:
    xml = """<domain type='qemu'><name>t</name><memory>131072</memory>
      <os><type arch='x86_64' machine='q35'>hvm</type></os>
      <clock offset='timezone' timezone='Europe/Paris'/></domain>"""
    inv = translator.translate(xml, capsdb.get(), profile="libvirt-test")
    assert ("TZ", "Europe/Paris") in inv.env
    assert _values(inv.args, "-rtc") == ["base=localtime"]


def test_direct_boot_and_acpi_tables_follow_boot() -> None:
    args = _args(os_extra="<kernel>/vmlinuz</kernel><initrd>/initrd</initrd>"
                 "<cmdline>console=ttyS0 root=/dev/vda</cmdline>"
                 "<acpi><table type='slic'>/t/slic,1.dat</table></acpi>")
    i = args.index("-boot")
    assert args[i + 2:i + 10] == ["-kernel", "/vmlinuz", "-initrd", "/initrd",
                                  "-append", "console=ttyS0 root=/dev/vda",
                                  "-acpitable", "sig=SLIC,file=/t/slic,,1.dat"]


def test_smbios_fields_in_libvirt_order() -> None:
    tail = """<sysinfo type='smbios'>
      <system><entry name='family'>Red Hat</entry><entry name='manufacturer'>A,B</entry></system>
      <oemStrings><entry>x</entry><entry>y</entry></oemStrings></sysinfo>
      <sysinfo type='fwcfg'><entry name='opt/a'>v</entry></sysinfo>"""
    args = _args(os_extra="<smbios mode='sysinfo'/>", tail=tail)
    assert _values(args, "-smbios") == ["type=1,manufacturer=A,,B,family=Red Hat",
                                        "type=11,value=x,value=y"]
    assert _values(args, "-fw_cfg") == ["name=opt/a,string=v"]


def test_smbios_uuid_must_match() -> None:
    tail = ("<sysinfo type='smbios'><system><entry name='uuid'>"
            "00000000-0000-0000-0000-000000000001</entry></system></sysinfo>")
    assert "UUID mismatch" in _error(os_extra="<smbios mode='sysinfo'/>", tail=tail)


def test_manual_efi_pflash_units() -> None:
    args = _args(os_extra="<loader readonly='yes' secure='yes' type='pflash'>/fw/CODE.fd</loader>",
                 features="<acpi/><smm state='on'/>")
    blockdevs = [json.loads(v) for v in _values(args, "-blockdev")]
    assert blockdevs[0]["filename"] == "/fw/CODE.fd"
    assert blockdevs[1] == {"node-name": "libvirt-pflash0-format", "read-only": True,
                            "driver": "raw", "file": "libvirt-pflash0-storage"}
    assert blockdevs[2] == {"driver": "file", "filename": "/var/lib/libvirt/qemu/nvram/t_VARS.fd",
                            "node-name": "libvirt-pflash1-storage", "read-only": False}
    assert args.index("-blockdev") < args.index("-machine")
    m = _values(args, "-machine")[0]
    assert "pflash0=libvirt-pflash0-format,pflash1=libvirt-pflash1-storage,acpi=on" in m
    assert "driver=cfi.pflash01,property=secure,value=on" in _values(args, "-global")


def test_stateless_loader_refuses_nvram() -> None:
    assert "NVRAM is not permitted" in _error(
        os_extra="<loader stateless='yes' readonly='yes' type='pflash'>/f.fd</loader>"
                 "<nvram>/n.fd</nvram>", features="<acpi/>")


def test_read_write_loader_needs_a_formatted_nvram() -> None:
    """qemuFirmwareEnsureNVRAM passes the loader's format on to the NVRAM of a read-only
    loader only: next to a read-write one the NVRAM has no format and cannot be built."""
    loader = "<loader readonly='{ro}' type='pflash'>/f.fd</loader><nvram>/n.fd</nvram>"
    assert _error(os_extra=loader.format(ro="no"), machine="pc", features="<acpi/>") == \
        "internal error: mishandled storage format 'none'"
    _args(os_extra=loader.format(ro="yes"), machine="pc", features="<acpi/>")


def _descriptor(path: Path, name: str, body: dict[str, object]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / name).write_text(json.dumps(body))


def test_efi_autoselection_from_descriptors(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    share = tmp_path / "usr/share/qemu/firmware"
    target = [{"architecture": "x86_64", "machines": ["pc-q35-*"]}]
    _descriptor(share, "10-sb.json", {
        "interface-types": ["uefi"], "targets": target,
        "features": ["requires-smm", "secure-boot", "enrolled-keys"],
        "mapping": {"device": "flash", "mode": "split",
                    "executable": {"filename": "/fw/SB.qcow2", "format": "qcow2"},
                    "nvram-template": {"filename": "/fw/V.qcow2", "format": "qcow2"}}})
    _descriptor(share, "20-plain.json", {
        "interface-types": ["uefi"], "targets": target, "features": [],
        "mapping": {"device": "flash", "mode": "split",
                    "executable": {"filename": "/fw/PLAIN.fd", "format": "raw"},
                    "nvram-template": {"filename": "/fw/V.fd", "format": "raw"}}})
    (tmp_path / "etc/qemu/firmware").mkdir(parents=True)
    (tmp_path / "etc/qemu/firmware/20-plain.json").write_text("")  # masks the shared one
    monkeypatch.setenv("XML2ARGV_TEST_FIRMWARE_ROOT", str(tmp_path))
    args = _args(os_attrs=" firmware='efi'", features="<acpi/>", machine="pc-q35-9.0",
                 os_extra="<loader format='qcow2'/>")
    blockdevs = [json.loads(v) for v in _values(args, "-blockdev")]
    assert blockdevs[0]["filename"] == "/fw/SB.qcow2"
    assert blockdevs[1]["backing"] is None
    assert blockdevs[2]["filename"] == "/var/lib/libvirt/qemu/nvram/t_VARS.qcow2"
    assert ",smm=on," in _values(args, "-machine")[0]
    # the only secure-boot-free descriptor is masked: nothing fits
    assert "Unable to find 'efi' firmware" in _error(
        os_attrs=" firmware='efi'", features="<acpi/>", machine="pc-q35-9.0",
        os_extra="<firmware><feature enabled='no' name='secure-boot'/></firmware>")


def test_firmware_features_libvirt_does_not_know_ask_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """qemuFirmwareMatchDomain: a memory-mapped build whose only special feature is one
    libvirt 11.3 does not know (intel-tdx) fits a plain domain when no flash build has the
    NVRAM template it names; an SEV-ES policy needs an amd-sev-es build."""
    share = tmp_path / "usr/share/qemu/firmware"
    target = [{"architecture": "x86_64", "machines": ["pc-q35-*"]}]
    _descriptor(share, "10-flash.json", {
        "interface-types": ["uefi"], "targets": target, "features": ["amd-sev"],
        "mapping": {"device": "flash", "mode": "split",
                    "executable": {"filename": "/fw/CODE.fd", "format": "raw"},
                    "nvram-template": {"filename": "/fw/VARS.fd", "format": "raw"}}})
    _descriptor(share, "60-tdx.json", {
        "interface-types": ["uefi"], "targets": target, "features": ["intel-tdx"],
        "mapping": {"device": "memory", "filename": "/fw/TDX.fd"}})
    monkeypatch.setenv("XML2ARGV_TEST_FIRMWARE_ROOT", str(tmp_path))
    args = _args(os_attrs=" firmware='efi'", features="<acpi/>", machine="pc-q35-9.0",
                 os_extra="<nvram template='/fw/OTHER.fd'/>")
    assert _values(args, "-bios") == ["/fw/TDX.fd"]
    sev = """<launchSecurity type='sev'><cbitpos>47</cbitpos>
      <reducedPhysBits>1</reducedPhysBits><policy>{}</policy></launchSecurity>"""
    kw = dict(os_attrs=" firmware='efi'", features="<acpi/>", machine="pc-q35-9.0",
              virt="kvm", caps="10.0.0+amdsev")
    assert _values(_args(tail=sev.format("0x0001"), **kw), "-bios") == []
    assert "Unable to find 'efi' firmware" in _error(tail=sev.format("0x0005"), **kw)


def test_sev_guest_object_and_machine_property() -> None:
    tail = """<launchSecurity type='sev' kernelHashes='yes'><cbitpos>47</cbitpos>
      <reducedPhysBits>1</reducedPhysBits><policy>0x0001</policy>
      <dhCert>AAAA</dhCert></launchSecurity>"""
    args = _args(tail=tail, virt="kvm", features="<acpi/>", caps="10.0.0+amdsev")
    assert "confidential-guest-support=lsec0" in _values(args, "-machine")[0]
    obj = [json.loads(v) for v in _values(args, "-object") if "sev-guest" in v][0]
    assert obj == {"qom-type": "sev-guest", "id": "lsec0", "cbitpos": 47,
                   "reduced-phys-bits": 1, "policy": 1,
                   "dh-cert-file": "/var/lib/libvirt/qemu/domain--1-t/dh_cert.base64",
                   "kernel-hashes": True}


def test_duplicate_seclabel_model_is_refused() -> None:
    tail = ("<seclabel type='dynamic' model='dac'/>"
            "<seclabel type='dynamic' model='dac'/>")
    assert "already provided" in _error(tail=tail)


def test_machine_parts_follow_libvirts_order() -> None:
    """qemuBuildMachineCommandLine: the pflash units, then hmat, graphics=off (BIOS serial
    output) and the HPET switch, ACPI last."""
    xml = """<domain type='qemu'><name>t</name><memory>262144</memory><vcpu>2</vcpu>
      <os><type arch='x86_64' machine='q35'>hvm</type>
        <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>
        <bios useserial='yes'/></os>
      <features><acpi/></features>
      <cpu><numa><cell id='0' cpus='0' memory='131072'/><cell id='1' cpus='1' memory='131072'/>
        <interconnects><latency initiator='0' target='1' type='access' value='5'/>
        </interconnects></numa></cpu>
      <clock offset='utc'><timer name='hpet' present='no'/></clock>
      <devices><serial type='pty'/><controller type='usb' model='none'/>
        <memballoon model='none'/></devices></domain>"""
    args = translator.translate(xml, capsdb.get(), profile="libvirt-test").args
    machine = _values(args, "-machine")[0]
    keys = [part.split("=")[0] for part in machine.split(",")]
    assert keys[-6:] == ["pflash0", "pflash1", "hmat", "graphics", "hpet", "acpi"]


def test_pc_speaker_is_a_machine_property() -> None:
    """qemuBuildMachineCommandLine: the first PC speaker names its audio backend on -machine
    (before ACPI); it is no -device."""
    xml = """<domain type='qemu'><name>t</name><memory>131072</memory><vcpu>1</vcpu>
      <os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices><sound model='pcspk'/><audio id='1' type='none'/>
        <controller type='usb' model='none'/><memballoon model='none'/></devices></domain>"""
    args = translator.translate(xml, capsdb.get(), profile="libvirt-test").args
    assert _values(args, "-machine")[0].endswith(",pcspk-audiodev=audio1,acpi=off")
    assert not [d for d in _values(args, "-device") if "pcspk" in d]
