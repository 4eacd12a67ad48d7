"""Address assignment scales with the number of devices (linear or n log n, not quadratic).

A smoke check with a generous bound, not a benchmark: 4,000 virtio disks on a pseries
guest need ~130 PCI host bridges (more than QEMU's 32, so libvirt refuses them once the
assignment is done); when each device scanned every bus (or every controller) again,
this took tens of seconds.
"""

from __future__ import annotations

import json
import time

import pytest

import capsdb
import translator


def _name(i: int) -> str:
    """vda, vdb, ..., vdz, vdaa, ... (libvirt's disk target names)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return "vd" + s


def _domain(count: int) -> str:
    disks = "".join(f"<disk type='file' device='disk'><source file='/d{i}.img'/>"
                    f"<target dev='{_name(i)}' bus='virtio'/></disk>" for i in range(count))
    return (f"<domain type='qemu'><name>many</name><memory>524288</memory><vcpu>1</vcpu>"
            f"<os><type arch='ppc64' machine='pseries'>hvm</type></os>"
            f"<devices>{disks}</devices></domain>")


def test_nine_hundred_disks_are_addressed_quickly() -> None:
    xml = _domain(900)
    start = time.process_time()
    inv = translator.translate(xml, capsdb.get("7.1.0", "ppc64"), profile="libvirt-test")
    elapsed = time.process_time() - start
    assert elapsed < 10, f"900 disks took {elapsed:.1f}s"
    args = inv.args
    devices = [json.loads(args[i + 1]) for i, a in enumerate(args) if a == "-device"]
    disks = [d for d in devices if d["driver"] == "virtio-blk-pci"]
    assert len(disks) == 900
    # every disk has its own slot; the PHBs were added in order as the slots ran out
    assert len({(d["bus"], d["addr"]) for d in disks}) == 900
    assert disks[0]["bus"] == "pci.0" and disks[-1]["bus"] != "pci.0"


def test_four_thousand_disks_are_refused_quickly() -> None:
    # ~130 PHBs are needed, but QEMU has 32: libvirt runs out of target indexes once the
    # whole assignment is done
    start = time.process_time()
    with pytest.raises(translator.TranslationError, match="No usable target index found"):
        translator.translate(_domain(4000), capsdb.get("7.1.0", "ppc64"),
                             profile="libvirt-test")
    elapsed = time.process_time() - start
    assert elapsed < 10, f"4000 disks took {elapsed:.1f}s"
