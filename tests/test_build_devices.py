"""TPM, smartcard, watchdog, panic, shmem, RNG, memballoon, vsock, IOMMU, filesystems, crypto."""

from __future__ import annotations

import json

import capsdb
import translator


def _args(body: str, machine: str = "pc", extra: str = "", vcpus: int = 1) -> list[str]:
    xml = f"""<domain type='qemu'><name>t</name><memory>131072</memory>
      <vcpu>{vcpus}</vcpu>{extra}
      <os><type arch='x86_64' machine='{machine}'>hvm</type></os>
      <devices>{body}</devices></domain>"""
    return translator.translate(xml, capsdb.get(), profile="libvirt-test").args


def _values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == option]


def _devices(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, "-device") if v.startswith("{")]


def _driver(args: list[str], driver: str) -> dict[str, object]:
    return next(d for d in _devices(args) if d["driver"] == driver)


def test_tpm_passthrough_uses_fdsets() -> None:
    args = _args("<tpm model='tpm-crb'><backend type='passthrough'>"
                 "<device path='/dev/tpm0'/></backend></tpm>")
    assert _values(args, "-add-fd") == ["set=0,fd=1730,opaque=tpm0-tpm",
                                        "set=1,fd=1731,opaque=tpm0-cancel"]
    assert _values(args, "-tpmdev") == [
        "passthrough,id=tpm-tpm0,path=/dev/fdset/0,cancel-path=/dev/fdset/1"]
    assert _driver(args, "tpm-crb") == {"driver": "tpm-crb", "tpmdev": "tpm-tpm0", "id": "tpm0"}


def test_tpm_external_connects_to_its_socket() -> None:
    args = _args("<tpm model='tpm-tis'><backend type='external'>"
                 "<source type='unix' mode='connect' path='/tmp/s.sock'/></backend></tpm>")
    assert "socket,id=chrtpm,path=/tmp/s.sock" in _values(args, "-chardev")
    assert _values(args, "-tpmdev") == ["emulator,id=tpm-tpm0,chardev=chrtpm"]


def test_smartcard_gets_an_implicit_ccid_controller() -> None:
    args = _args("<smartcard mode='host-certificates'><certificate>a</certificate>"
                 "<certificate>b</certificate><certificate>c</certificate></smartcard>")
    assert _driver(args, "usb-ccid")["id"] == "ccid0"
    card = _driver(args, "ccid-card-emulated")
    assert card == {"driver": "ccid-card-emulated", "backend": "certificates", "cert1": "a",
                    "cert2": "b", "cert3": "c", "db": "/etc/pki/nssdb", "id": "smartcard0",
                    "bus": "ccid0.0"}


def test_watchdog_action_dump_is_pause() -> None:
    args = _args("<watchdog model='ib700' action='dump'/>")
    assert _driver(args, "ib700")["id"] == "watchdog0"
    assert _values(args, "-watchdog-action") == ["pause"]


def test_q35_has_an_itco_watchdog() -> None:
    args = _args("", machine="q35")
    assert "ICH9-LPC.noreboot=off" in _values(args, "-global")


def test_isa_panic_ioport() -> None:
    args = _args("<panic><address type='isa' iobase='0x505'/></panic>")
    assert _driver(args, "pvpanic") == {"driver": "pvpanic", "ioport": 1285}


def test_rng_default_source_and_rate() -> None:
    args = _args("<rng model='virtio'><rate bytes='123' period='1234'/>"
                 "<backend model='random'/></rng>")
    assert json.loads(_values(args, "-object")[-1])["filename"] == "/dev/random"
    rng = _driver(args, "virtio-rng-pci")
    assert (rng["max-bytes"], rng["period"]) == (123, 1234)
    assert list(rng)[:4] == ["driver", "rng", "id", "max-bytes"]


def test_rng_egd_chardev_comes_first() -> None:
    args = _args("<rng model='virtio'><backend model='egd' type='tcp'>"
                 "<source mode='connect' host='1.2.3.4' service='1234'/></backend></rng>")
    i = args.index("socket,id=charrng0,host=1.2.3.4,port=1234")
    assert '"qom-type":"rng-egd"' in args[i + 2]


def test_virtio_options_follow_the_driver_name() -> None:
    args = _args("<memballoon model='virtio' freePageReporting='on'>"
                 "<driver iommu='on' ats='off'/></memballoon>")
    b = _driver(args, "virtio-balloon-pci")
    assert list(b)[:5] == ["driver", "iommu_platform", "ats", "id", "free-page-reporting"]
    assert (b["iommu_platform"], b["ats"]) == (True, False)


def test_shmem_plain_and_doorbell() -> None:
    args = _args("<shmem name='m'><model type='ivshmem-plain'/><size unit='M'>8</size></shmem>"
                 "<shmem name='d' role='peer'><model type='ivshmem-doorbell'/><server/></shmem>")
    obj = json.loads(_values(args, "-object")[-1])
    assert (obj["mem-path"], obj["size"], obj["share"]) == ("/dev/shm/m", 8 << 20, True)
    assert _driver(args, "ivshmem-doorbell")["ioeventfd"] is True
    assert "socket,id=charshmem1,path=/var/lib/libvirt/shmem-d-sock" in _values(args, "-chardev")


def test_fs9p_fsdev_string() -> None:
    args = _args("<filesystem accessmode='mapped'><driver type='path' wrpolicy='immediate'/>"
                 "<source dir='/a,b'/><target dir='tag'/><readonly/></filesystem>")
    assert _values(args, "-fsdev") == [
        "local,security_model=mapped,writeout=immediate,id=fsdev-fs0,path=/a,,b,readonly"]
    dev = _driver(args, "virtio-9p-pci")
    assert (dev["fsdev"], dev["mount_tag"]) == ("fsdev-fs0", "tag")


def test_virtiofs_socket_in_domain_dir() -> None:
    args = _args("<filesystem type='mount'><driver type='virtiofs' queue='1024'/>"
                 "<source dir='/p'/><target dir='tag'/></filesystem>",
                 extra="<memoryBacking><access mode='shared'/></memoryBacking>")
    assert "socket,id=chr-vu-fs0,path=/var/lib/libvirt/qemu/domain--1-t/fs0-fs.sock" in \
        _values(args, "-chardev")
    assert _driver(args, "vhost-user-fs-pci")["queue-size"] == 1024


def test_vsock_and_crypto() -> None:
    args = _args("<vsock model='virtio'><cid auto='no' address='7'/></vsock>"
                 "<crypto model='virtio' type='qemu'><backend model='builtin' queues='2'/>"
                 "</crypto>")
    assert _driver(args, "vhost-vsock-pci")["guest-cid"] == 7
    assert _driver(args, "virtio-crypto-pci")["cryptodev"] == "objcrypto0"
    assert {"qom-type": "cryptodev-backend-builtin", "id": "objcrypto0", "queues": 2} in \
        [json.loads(v) for v in _values(args, "-object")]


def test_intel_iommu_options_and_eim_autoadd() -> None:
    args = _args("<iommu model='intel'><driver intremap='on' caching_mode='on' aw_bits='48'/>"
                 "</iommu>", machine="q35",
                 extra="<features><acpi/><ioapic driver='qemu'/></features>")
    assert _driver(args, "intel-iommu") == {"driver": "intel-iommu", "id": "iommu0",
                                            "intremap": "on", "caching-mode": True,
                                            "aw-bits": 48}
    many = _args("", machine="q35", vcpus=288)
    assert _driver(many, "intel-iommu") == {"driver": "intel-iommu", "id": "iommu0",
                                            "intremap": "on", "eim": "on"}


def test_genid_and_vmcoreinfo() -> None:
    args = _args("", extra="<genid/><features><vmcoreinfo/></features>")
    assert _driver(args, "vmgenid")["guid"] == "00010203-0405-4607-8809-0a0b0c0d0e0f"
    assert {"driver": "vmcoreinfo"} in _devices(args)
