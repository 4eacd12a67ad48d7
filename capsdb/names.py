"""Every capability flag name libvirt 11.3's QEMU driver knows, in enum order.

These are the strings of libvirt's `virQEMUCaps` enum: the names written as
`<flag name='...'/>` in capability cache files and accepted by
`<qemu:capabilities><qemu:add capability='...'/><qemu:del capability='...'/>`.
A name outside this table is rejected by libvirt ("unknown QEMU capability").

Provenance
----------
Transcribed (names and retired markers only) from `src/qemu/qemu_capabilities.c`
of libvirt/libvirt, stored copy at commit 121fd199420e0f3f645177de78e285dfa3502935
(an 11.5/11.6-era development tree, the newest copy available), cut at index 475
(`virtio-scsi.iothread-mapping`), the last flag present in libvirt 11.3:

* index 473-475 (`blockdev-set-active`, `shim`, `virtio-scsi.iothread-mapping`) are
  probed in libvirt 11.3's own test capability files;
* the next entries (`NAMES_AFTER_11_3`) belong to features the NEWS file lists for
  11.4 (floppy bus) and 11.5 (NVMe disks, AMD IOMMU) or later.

A flag is *retired* when libvirt renamed its enum constant to `X_QEMU_CAPS_*`: the
name stays valid (old status files and `<qemu:add>` still parse) but libvirt never
probes it and its code no longer looks at it.  An older copy (commit 52ec7929, the
11.2 development cycle) still had eight of these live (`nbd-bitmap`,
`incremental-backup`, `query-named-block-nodes.flat`,
`blockdev-snapshot.allow-write-only-overlay`, `blockdev-reopen`, `block-export-add`,
`migration-param.block-bitmap-mapping`, `snapshot-internal-qmp`); none of them appears
in any libvirt 11.3 capability file, so they are retired here as well.  The
cross-check is in tests/test_capsdb.py: every flag of every 11.3 capability file is a
known, non-retired name.

Effects
-------
`EFFECTS` is a hand-written map name -> one sentence saying what the translator
renders differently when the flag is present / absent.  It is the contract between
this table and `translator/`: a flag with no entry is carried along (it can be added
or removed) but changes nothing in the output.  Retired flags have no effect, with one
deliberate exception, `blockdev` (see `IMPLIED_FLAGS`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from .records import dataclass

if TYPE_CHECKING:
    CAPABILITIES: tuple["CapabilityInfo", ...]  # made on first use (module __getattr__)


__all__ = [
    "CAPABILITIES", "CapabilityInfo", "EFFECTS", "IMPLIED_FLAGS", "LIBVIRT_VERSION",
    "NAMES_AFTER_11_3", "by_name", "is_known", "is_retired",
]

LIBVIRT_VERSION = "11.3.0"
SOURCE_COMMIT = "121fd199420e0f3f645177de78e285dfa3502935"


@dataclass(frozen=True)
class CapabilityInfo:
    """One entry of libvirt's capability enum, with what xml2argv does with it."""

    name: str
    index: int  # position in libvirt's enum (also its bit in a status file)
    retired: bool
    effect: str | None  # what the translator changes, None = not honoured


# One line per flag, in enum order: "R name" = retired, ". name" = live.
# "# N" lines are the index of the following line (checked when the table loads).
_TABLE = """
# 0
R vnc-colon
R no-reboot
R drive
R drive-boot
R name
# 5
R uuid
R domid
R vnet-hdr
R migrate-kvm-stdio
R migrate-qemu-tcp
# 10
R migrate-qemu-exec
R drive-cache-v2
. kvm
R drive-format
R vga
# 15
R 0.10
R pci-device
R mem-path
R drive-serial
R xen-domid
# 20
R migrate-qemu-unix
R chardev
R enable-kvm
R monitor-json
R balloon
# 25
R device
. sdl
R smp-topology
R netdev
R rtc
# 30
R vhost-net
R rtc-td-hack
R no-hpet
R no-kvm-pit
R tdf
# 35
R pci-configfd
R nodefconfig
R boot-menu
R fsdev
R nesting
# 40
R name-process
R drive-readonly
R smbios-type
R vga-qxl
. spice
# 45
R vga-none
R migrate-qemu-fd
R boot-index
. hda-duplex
R drive-aio
# 50
R pci-multibus
R pci-bootindex
. ccid-emulated
. ccid-passthru
R chardev-spicevmc
# 55
R device-spicevmc
R virtio-tx-alg
R device-qxl-vga
R pci-multifunction
R virtio-blk-pci.ioeventfd
# 60
R sga
R virtio-blk-pci.event_idx
R virtio-net-pci.event_idx
R cache-directsync
. piix3-usb-uhci
# 65
. piix4-usb-uhci
. usb-ehci
. ich9-usb-ehci1
. vt82c686b-usb-uhci
. pci-ohci
# 70
. usb-redir
. usb-hub
R no-shutdown
R cache-unsafe
R rombar
# 75
. ich9-ahci
R no-acpi
R fsdev-readonly
. virtio-blk-pci.scsi
R blk-sg-io
# 80
R drive-copy-on-read
R cpu-host
R fsdev-writeout
R drive-iotune
R system_wakeup
# 85
. scsi-disk.channel
. scsi-block
R transaction
R block-job-sync
R block-job-async
# 90
R scsi-cd
R ide-cd
R no-user-config
. hda-micro
R dump-guest-memory
# 95
. nec-usb-xhci
R virtio-s390
R balloon-event
R bridge
. lsi
# 100
. virtio-scsi-pci
R blockio
R disable-s3
R disable-s4
. usb-redir.filter
# 105
R ide-drive.wwn
R scsi-disk.wwn
. seccomp-sandbox
R reboot-timeout
R dump-guest-core
# 110
R seamless-migration
R block-commit
. vnc
R drive-mirror
R usb-redir.bootindex
# 115
R usb-host.bootindex
R blockdev-snapshot-sync
. qxl
. VGA
. cirrus-vga
# 120
. vmware-svga
R device-video-primary
. s390-sclp
. usb-serial
R usb-net
# 125
R add-fd
R nbd-server
. virtio-rng
. rng-random
. rng-egd
# 130
. virtio-ccw
R dtb
. megasas
R ipv6-migration
R machine-opt
# 135
R machine-usb-opt
. tpm-passthrough
. tpm-tis
. nvram
. pci-bridge
# 140
. vfio-pci
R vfio-pci.bootindex
R scsi-generic
R scsi-generic.bootindex
R mem-merge
# 145
R vnc-websocket
R drive-discard
R mlock
R vnc-share-policy
R device-del-event
# 150
. dmi-to-pci-bridge
R i440fx-pci-hole64-size
R q35-pci-hole64-size
. usb-storage
R usb-storage.removable
# 155
. virtio-mmio
. ich9-intel-hda
. kvm-pit-lost-tick-policy
R boot-strict
. pvpanic
# 160
R enable-fips
R spice-file-xfer-disable
R spiceport
. usb-kbd
R host-pci-multidomain
# 165
R msg-timestamp
R active-commit
R change-backing-file
R memory-backend-ram
R numa
# 170
R memory-backend-file
. usb-audio
. rtc-reset-reinjection
R splash-timeout
R iothread
# 175
. migrate-rdma
R ivshmem
R drive-iotune-max
. VGA.vgamem_mb
. vmware-svga.vgamem_mb
# 180
. qxl.vgamem_mb
R qxl-vga.vgamem_mb
. pc-dimm
. machine-vmport-opt
R aes-key-wrap
# 185
R dea-key-wrap
. pci-serial
R aarch64-off
R vhost-user-multiqueue
R migration-event
# 190
R gpex-pcihost
. ioh3420
. x3130-upstream
. xio3130-downstream
. rtl8139
# 195
. e1000
. virtio-net
R gic-version
R incoming-defer
. virtio-gpu
# 200
. virtio-gpu.virgl
. virtio-keyboard
. virtio-mouse
. virtio-tablet
. virtio-input-host
# 205
R chardev-file-append
R ich9-disable-s3
R ich9-disable-s4
R vserport-change-event
. virtio-balloon-pci.deflate-on-oom
# 210
. mptsas1068
. spice-gl
. qxl.vram64_size_mb
R qxl-vga.vram64_size_mb
R chardev-logfile
# 215
R debug-threads
R secret
. pxb
. pxb-pcie
R device-tray-moved-event
# 220
R nec-usb-xhci-ports
R virtio-scsi-pci.iothread
R name-guest
R qxl.max_outputs
R qxl-vga.max_outputs
# 225
R spice-unix
R drive-detect-zeroes
R tls-creds-x509
R display
. intel-iommu
# 230
R smm
R virtio-pci-disable-legacy
R query-hotpluggable-cpus
R virtio-net.rx_queue_size
R machine-iommu
# 235
. virtio-vga
R drive-iotune-max-length
. ivshmem-plain
. ivshmem-doorbell
R query-qmp-schema
# 240
R gluster.debug_level
. vhost-scsi
R drive-iotune-group
. query-cpu-model-expansion
R virtio-net.host_mtu
# 245
. spice-rendernode
. nvdimm
. pcie-root-port
. query-cpu-definitions
R block-write-threshold
# 250
R query-named-block-nodes
R cpu-cache
. qemu-xhci
R kernel-irqchip
R kernel-irqchip.split
# 255
. intel-iommu.intremap
. intel-iommu.caching-mode
. intel-iommu.eim
. intel-iommu.device-iotlb
R virtio.iommu_platform
# 260
R virtio.ats
R loadparm
. spapr-pci-host-bridge
. spapr-pci-host-bridge.numa_node
R vnc-multi-servers
# 265
R virtio-net.tx_queue_size
. chardev-reconnect
R virtio-gpu.max_outputs
R vxhs
R virtio-blk.num-queues
# 270
R machine.pseries.resize-hpt
. vmcoreinfo
. spapr-vty
. sclplmconsole
R numa.dist
# 275
R disk-share-rw
R iscsi.password-secret
. isa-serial
. pl011
R machine.pseries.max-cpu-compat
# 280
R dump-completed
. virtio-gpu-ccw
. virtio-keyboard-ccw
. virtio-mouse-ccw
. virtio-tablet-ccw
# 285
R qcow2-luks
. pcie-pci-bridge
R seccomp-blacklist
R query-cpus-fast
R disk-write-cache
# 290
. nbd-tls
. tpm-crb
. pr-manager-helper
R qom-list-properties
R memory-backend-file.discard-data
# 295
R virtual-css-bridge
R virtual-css-bridge.cssid-unrestricted
. vfio-ccw
R sdl-gl
. screendump_device
# 300
. hda-output
R blockdev-del
. vmgenid
. vhost-vsock
R chardev-fd-pass
# 305
. tpm-emulator
. mch
. mch.extended-tseg-mbytes
. sev-guest
R machine.pseries.cap-hpt-max-page-size
# 310
R machine.pseries.cap-htm
R usb-storage.werror
. egl-headless
R vfio-pci.display
R blockdev
# 315
. vfio-ap
. zpci
. memory-backend-memfd
. memory-backend-memfd.hugetlb
R iothread.poll-max-ns
# 320
R machine.pseries.cap-nested-hv
. egl-headless.rendernode
R memory-backend-file.align
. memory-backend-file.pmem
. nvdimm.unarmed
# 325
R scsi-disk.device_id
. virtio-pci-non-transitional
R overcommit
R query-current-machine
. machine.virt.iommu
# 330
R bitmap-merge
R nbd-bitmap
. x86-max-cpu
. cpu-unavailable-features
. canonical-cpu-features
# 335
. bochs-display
. migration-file-drop-cache
. dbus-vmstate
. vhost-user-gpu
. vhost-user-vga
# 340
R incremental-backup
. query-cpu-model-baseline
. query-cpu-model-comparison
. ramfb
R machine.pseries.cap-ccf-assist
# 345
. arm-max-cpu
R blockdev-file-dynamic-auto-read-only
R savevm-monitor-nodes
. drive-nvme
. smp-dies
# 350
. i8042
. rng-builtin
R virtio-net.failover
. tpm-spapr
. cpu.kvm-no-adjvtime
# 355
. vhost-user-fs
R query-named-block-nodes.flat
R blockdev-snapshot.allow-write-only-overlay
R blockdev-reopen
R storage.werror
# 360
. fsdev.multidevs
R virtio.packed
. pcie-root-port.hotplug
. aio.io_uring
R machine.pseries.cap-cfpc
# 365
R machine.pseries.cap-sbbc
R machine.pseries.cap-ibs
. tcg
. virtio-blk-pci.scsi.default.disabled
. pvscsi
# 370
. cpu.migratable
R query-cpu-model-expansion.migratable
R fw_cfg
R migration-param.bandwidth
R migration-param.downtime
# 375
R migration-param.xbzrle-cache-size
. intel-iommu.aw-bits
. spapr-tpm-proxy
. numa.hmat
R blockdev-hostdev-scsi
# 380
. usb-host.hostdevice
. virtio-balloon.free-page-reporting
R block-export-add
. netdev.vhost-vdpa
R fsdev.createmode
# 385
. ncr53c90
. dc390
. am53c974
. virtio-pmem-pci
. vhost-user-fs.bootindex
# 390
. vhost-user-blk
. cpu-max
. memory-backend-file.x-use-canonical-path-for-ramblock-id
R vnc-opts
R migration-param.block-bitmap-mapping
# 395
. vnc-power-control
R audiodev
R blockdev-backup
R object.qapified
. rotation-rate
# 400
R compat-deprecated
. acpi-index
. input-linux
. virtio-gpu-gl-pci
. virtio-vga-gl
# 405
. confidential-guest-support
R query-display-options
. s390-pv-guest
. set-action
. virtio-blk.queue-size
# 410
. virtio-mem-pci
. memory-backend-file.reserve
. piix4.acpi-root-pci-hotplug
. netdev.json
. chardev.json
# 415
R device.json
. query-dirty-rate
. rbd-encryption
. sev-guest-kernel-hashes
. sev-inject-launch-secret
# 420
. device.json+hotplug
. hvf
. virtio-mem-pci.prealloc
. calc-dirty-rate
. dirtyrate-param.mode
# 425
. blockdev.nbd.tls-hostname
. memory-backend-file.prealloc-threads
. virtio-iommu-pci
. virtio-iommu.boot-bypass
. virtio-net.rss
# 430
. chardev.qemu-vdagent
. display-dbus
. iothread.thread-pool-max
. usb-host.guest-resets-all
. migration.blocked-reasons
# 435
. query-stats
. query-stats-schemas
. sgx-epc
. thread-context
. screenshot-format-png
# 440
. machine-hpet
. netdev.stream
. virtio-crypto
. cryptodev-backend-lkcf
. pvpanic-pci
# 445
. netdev.stream.reconnect
. virtio-gpu.blob
. rbd-encryption-layering
. rbd-encryption-luks-any
. qcow2-discard-no-unref
# 450
. run-with.async-teardown
. virtio-blk-vhost-vdpa
. virtio-blk.iothread-mapping
. smp-clusters
. virtio-mem-pci.dynamic-memslots
# 455
. blockjob.backing-mask-protocol
. display-reload
. usb-mtp
. machine.virt.ras
. virtio-sound
# 460
. sev-snp-guest
. netdev.user
. acpi-erst
. intel-iommu.dma-translation
. machine-i8042-opt
# 465
R snapshot-internal-qmp
. chardev-reconnect-miliseconds
. virtio-ccw.loadparm
. netdev-stream-reconnect-miliseconds
. query-cpu-model-expansion.deprecated-props
# 470
. migrate-incoming.exit-on-error
. machine.virt.aia
. virtio-mem-ccw
. blockdev-set-active
. shim
# 475
. virtio-scsi.iothread-mapping
"""

# Names libvirt added after 11.3 (11.4 .. 11.6 development); 11.3 rejects them.
NAMES_AFTER_11_3: tuple[str, ...] = (
    "machine.virt.highmem-mmio-size", "bus-floppy", "nvme", "nvme-ns",
    "amd-iommu", "amd-iommu.pci-id", "usb-bot", "tdx-guest",
)

# Retired flags that libvirt 11.3 behaves as if always set.  The profiles in
# capsdb/data store the flags exactly as the capability file lists them; profiles.py
# adds these when it builds a `Caps`, so `<qemu:del capability='blockdev'/>` can
# still switch to the legacy rendering.
IMPLIED_FLAGS: frozenset[str] = frozenset({"blockdev"})

# What the translator renders differently.  Keep each entry one sentence:
# "present: ...; absent: ...".  Only list behaviour the translator implements
# (or is about to); retired names stay out, except `blockdev`.
EFFECTS: dict[str, str] = {
    # --- storage --------------------------------------------------------------------
    "blockdev": (
        "present (implied, libvirt >= 9 always behaves so): disks are rendered as "
        "-blockdev storage/format nodes plus -device ...,drive=libvirt-N-format; "
        "absent (only via <qemu:del>): legacy -drive file=...,if=none,id=drive-ALIAS "
        "plus -device ...,drive=drive-ALIAS (floppies via isa-fdc driveA/driveB), "
        "pflash firmware as -drive if=pflash,unit=N and SCSI hostdevs as "
        "-drive ...,id=drive-hostdevN"
    ),
    # --- argument syntax ------------------------------------------------------------
    "device.json+hotplug": (
        "present: every -device argument is a JSON object; absent: -device uses "
        "the legacy driver,key=value syntax"
    ),
    "netdev.json": (
        "present: -netdev arguments are JSON objects; absent: -netdev uses "
        "type,key=value syntax"
    ),
    "chardev.json": (
        "present: -chardev arguments are JSON objects; absent: -chardev uses "
        "backend,key=value syntax (libvirt never probes this flag; only "
        "<qemu:add> or a test toggle sets it)"
    ),
    "virtio-pci-non-transitional": (
        "present: virtio devices may sit on PCI Express, and transitional/"
        "non-transitional models get QEMU's -transitional/-non-transitional devices; "
        "absent: virtio devices go on conventional PCI, a transitional model gets the "
        "plain device and a non-transitional one is rejected"
    ),
    "usb-host.hostdevice": (
        "present: a host USB device is given to usb-host as hostdevice=/dev/bus/usb/BBB/DDD; "
        "absent: as hostbus= and hostaddr="
    ),
    "virtio-blk-pci.scsi": (
        "present: a virtio LUN disk gets scsi=on (SG_IO), and any other virtio disk "
        "scsi=off unless virtio-blk-pci.scsi.default.disabled is set; absent: no scsi "
        "property, and a virtio LUN disk is rejected"
    ),
    "virtio-blk-pci.scsi.default.disabled": (
        "with virtio-blk-pci.scsi: present, a virtio disk that is not a LUN gets no scsi "
        "property; absent, it gets scsi=off"
    ),
    "memory-backend-file.reserve": (
        "present: a virtio-mem device's memory backend gets reserve=false; absent: no "
        "reserve property"
    ),
    "virtio-mem-pci.prealloc": (
        "present: a virtio-mem device on huge pages gets prealloc=on; absent: no prealloc "
        "property on the device"
    ),
    # --- sandbox / accelerators -----------------------------------------------------
    "seccomp-sandbox": (
        "present: -sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
        "resourcecontrol=deny is added (qemu.conf seccomp_sandbox default); "
        "absent: no -sandbox argument"
    ),
    "kvm": (
        "present: <domain type='kvm'> is accepted and rendered with -accel kvm; "
        "absent: a kvm domain is rejected"
    ),
    "tcg": (
        "present: <domain type='qemu'> is accepted and rendered with -accel tcg; "
        "absent: a qemu (TCG) domain is rejected"
    ),
    "hvf": (
        "present: <domain type='hvf'> is accepted and rendered with -accel hvf; "
        "absent: an hvf domain is rejected"
    ),
    # --- graphics -------------------------------------------------------------------
    "vnc": (
        "present: <graphics type='vnc'> is rendered as -vnc; absent: it is rejected"
    ),
    "spice": (
        "present: <graphics type='spice'> is rendered as -spice; absent: it is "
        "rejected"
    ),
    # --- USB controller defaults (as libvirt 11.3's test data shows) ------------------
    "piix3-usb-uhci": (
        "x86: default model of a USB controller written without a model "
        "(-device piix3-usb-uhci); absent: such a controller is rejected "
        "('no model provided for USB controller')"
    ),
    "qemu-xhci": (
        "preferred default USB controller model where libvirt picks USB3 (e.g. "
        "aarch64 virt, auto-added controller on q35); absent: the next candidate "
        "(nec-usb-xhci, then older models) is used"
    ),
    "nec-usb-xhci": (
        "fallback default USB3 controller model when qemu-xhci is absent"
    ),
    "pci-ohci": (
        "ppc64/ppc (pseries, mac99, g3beige, powernv): default USB controller "
        "model when no xhci model is available; absent as well: the controller "
        "is rejected"
    ),
    # --- launch security -----------------------------------------------------------
    "sev-guest": (
        "present: <launchSecurity type='sev'> is rendered as an sev-guest -object "
        "plus -machine confidential-guest-support; absent: it is rejected"
    ),
    "sev-snp-guest": (
        "present: <launchSecurity type='sev-snp'> is rendered as an sev-snp-guest "
        "-object plus -machine confidential-guest-support; absent: it is rejected"
    ),
}


def _parse(table: str) -> tuple[CapabilityInfo, ...]:
    infos: list[CapabilityInfo] = []
    for line in table.splitlines():
        if not line:
            continue
        if line.startswith("#"):
            if int(line[1:]) != len(infos):  # a transcription slip would shift indices
                raise AssertionError(f"capability table out of step at {line!r}")
            continue
        mark, name = line.split(" ", 1)
        retired = mark == "R"
        effect = EFFECTS.get(name)
        if retired and name not in IMPLIED_FLAGS:
            effect = None
        infos.append(CapabilityInfo(name, len(infos), retired, effect))
    stray = set(EFFECTS) - {info.name for info in infos}
    if stray:  # an EFFECTS key that libvirt would reject is a typo
        raise AssertionError(f"EFFECTS names unknown capabilities: {sorted(stray)}")
    return tuple(infos)


@functools.cache
def _infos() -> tuple[CapabilityInfo, ...]:
    """The table as records, made on first use: a call that only checks names (every
    profile load does) never needs them."""
    return _parse(_TABLE)


@functools.cache
def _by_name() -> dict[str, CapabilityInfo]:
    return {c.name: c for c in _infos()}


@functools.cache
def _retired_by_name() -> dict[str, bool]:
    """name -> retired, read straight from the table's lines."""
    return {line[2:]: line[0] == "R" for line in _TABLE.splitlines()
            if line and line[0] != "#"}


def __getattr__(name: str) -> tuple[CapabilityInfo, ...]:
    if name == "CAPABILITIES":
        return _infos()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def by_name(name: str) -> CapabilityInfo | None:
    """The table entry for `name` (exact, case-sensitive: 'VGA' != 'vga'), or None."""
    return _by_name().get(name)


def is_known(name: str) -> bool:
    """Whether libvirt 11.3 accepts `name` in a capability file or `<qemu:add>`."""
    return name in _retired_by_name()


def is_retired(name: str) -> bool:
    return _retired_by_name().get(name, False)
