"""Host profiles: every fact of the host libvirt runs on that shows in the command line.

- `host` (the default): what `virsh start` makes libvirt 11.3 run on a standard
  `qemu:///system` host with the default `/etc/libvirt/qemu.conf`;
- `native`: what `virsh domxml-to-native qemu-argv` prints there (libvirt's pretend mode,
  prepare/pretend.py); `system` is an alias of it;
- `libvirt-test`: libvirt's own test harness (see the corpus' HARNESS.md).

The builders only read these facts; no code asks which profile it runs under.
"""

from __future__ import annotations

import os
import time
from dataclasses import field, replace
from typing import Mapping

from capsdb.model import ProbedHostCpu
from capsdb.records import dataclass

from .host_drivers import HostDrivers, NetworkPort, StoragePool, VirtualNetwork
from .host_firmware import REFERENCE_HOST_FIRMWARE

# A project-specific namespace so that derived UUIDs are stable across runs and releases.
# (A string: the uuid module, which imports platform, loads only when a UUID is derived.)
_UUID_NAMESPACE = "6b1d5f3e-1c1a-4e4e-9a3c-786d6c326172"


# The first descriptor the `host` and `native` profiles show for a tap, vhost-net or vhost-scsi
# device the daemon opens: a documented stand-in for the daemon's next free descriptor.
SYSTEM_DAEMON_FD_BASE = 30


def short_name(name: str) -> str:
    """libvirt's per-domain directories use the first 20 characters of the name."""
    return name[:20]


@dataclass(frozen=True)
class QemuConf:
    """The settings of /etc/libvirt/qemu.conf that show in the command line, with the
    defaults of libvirt's virQEMUDriverConfigNew (qemu_conf.c) and qemu.conf.in."""

    vnc_listen: str = "127.0.0.1"            # vnc_listen
    vnc_auto_unix_socket: bool = False       # vnc_auto_unix_socket
    vnc_password: str | None = None          # vnc_password: `password=on` on every VNC
    vnc_tls: bool = False                    # vnc_tls
    vnc_tls_x509_cert_dir: str = "/etc/pki/qemu"   # vnc_tls_x509_cert_dir
    vnc_tls_x509_verify: bool = False        # vnc_tls_x509_verify
    vnc_sasl: bool = False                   # vnc_sasl
    vnc_sasl_dir: str | None = None          # vnc_sasl_dir (SASL_CONF_PATH)
    spice_listen: str = "127.0.0.1"          # spice_listen
    spice_auto_unix_socket: bool = False     # spice_auto_unix_socket
    spice_password: str | None = None        # spice_password: no `disable-ticketing=on`
    # spice_tls: TLS ports are allowed (and autoport allocates one); None = libvirt's
    # test harness, which turns it on only for its tests whose domain sets a tlsPort
    spice_tls: bool | None = False
    spice_tls_x509_cert_dir: str = "/etc/pki/qemu"  # spice_tls_x509_cert_dir
    spice_sasl: bool = False                 # spice_sasl
    spice_sasl_dir: str | None = None        # spice_sasl_dir (SASL_CONF_PATH)
    chardev_tls_x509_cert_dir: str = "/etc/pki/qemu"  # chardev_tls_x509_cert_dir
    nbd_tls_x509_cert_dir: str = "/etc/pki/qemu"      # nbd_tls_x509_cert_dir
    nbd_tls_x509_secret_uuid: str | None = None       # nbd_tls_x509_secret_uuid
    remote_display_port_min: int = 5900      # remote_display_port_min
    remote_websocket_port_min: int = 5700    # remote_websocket_port_min
    # hugetlbfs_mount: (page size in KiB, mount point), the default size first; empty =
    # libvirt's own detection (the host's mounts)
    hugetlbfs_mount: tuple[tuple[int, str], ...] = ()

    def spice_tls_for(self, tls_port: int) -> bool:
        """spice_tls as seen by a SPICE display with this tlsPort attribute."""
        return tls_port > 0 if self.spice_tls is None else self.spice_tls


@dataclass(frozen=True)
class HostProfile:
    """The facts of one host (paths, descriptors, clock, qemu.conf, devices) that show in
    the command line."""

    name: str
    path_env: str
    user: str | None              # USER/LOGNAME, or None to omit them
    monitor_fd: int | None        # pre-opened monitor socket fd, or None for a path
    resolve_machine_alias: bool
    derive_missing_uuid: bool
    summary: str = ""             # what the profile models, for --explain and the page
    pretend_mode: bool = False    # libvirt's pretend mode (domxml-to-native): host untouched
    # libvirt's harness strips machine aliases only from the newest capability file of
    # each arch, so older QEMU versions show the versioned machine type there
    resolve_alias_unless_newest: bool = False
    lib_dir: str = "/var/lib/libvirt/qemu"
    cfg_dir: str = "/etc/libvirt/qemu"
    run_dir: str = "/run/libvirt/qemu"
    # virtio channel sockets: cfg->channelTargetDir and the per-domain directory under it
    channel_dir: str = "/run/libvirt/qemu/channel"
    channel_subdir: str = "{id}-{name}"
    # the domain id in per-domain runtime paths: -1 before a domain runs (pretend mode and
    # the harness); a real start gets the next id, 1 for the first domain since boot
    domain_id: int = -1
    nvram_dir: str = "/var/lib/libvirt/qemu/nvram"
    # firmware descriptor directories, highest priority first, under `firmware_root`
    firmware_subdirs: tuple[str, ...] = ("etc/qemu/firmware", "usr/share/qemu/firmware")
    firmware_root: str = "/"
    # environment variable that may relocate `firmware_root` (the test data lives elsewhere,
    # a user may point at a real host's tree); when set, it also replaces `firmware`
    firmware_root_env: str | None = None
    # the descriptor files the host has installed, (file name, JSON text), when the profile
    # names them (host_firmware.py); None: read them from the directories above
    firmware: tuple[tuple[str, str], ...] | None = None
    # the host clock for <clock offset='variable'>: None = the real time / local zone
    fixed_epoch: int | None = None
    utc_offset_s: int | None = None

    def now(self) -> int:
        return self.fixed_epoch if self.fixed_epoch is not None else int(time.time())

    def local_offset(self, epoch: int) -> int:
        """Seconds the host's local time is ahead of UTC at `epoch`."""
        if self.utc_offset_s is not None:
            return self.utc_offset_s
        off = time.localtime(epoch).tm_gmtoff
        return int(off or 0)
    # descriptors libvirt opens itself and passes to QEMU (fixed numbers in the harness)
    tap_fd: int = 3               # ethernet taps it creates: fds N, N+1, ... per queue
    bridge_tap_fd: int = 102      # taps plugged into a bridge or virtual network
    vhost_fd: int = 44            # vhost-net: fds N, N+1, ... per queue
    vdpa_fd: int = 1732           # the opened vhost-vdpa character device
    vhost_scsi_fd: int = 3        # the opened /dev/vhost-scsi
    # the opened device of a vhost-vdpa disk (None: the host's storage is not prepared,
    # as in the pretend builds, so only a descriptor the caller gives is passed)
    vdpa_disk_fd: int | None = None
    passt_dir: str = "/var/run/libvirt/qemu/passt"   # passt's vhost-user sockets
    # descriptors libvirt prepares on the host before building (None: nothing is prepared,
    # as in domxml-to-native's pretend mode, so QEMU is given the path itself)
    chardev_socket_fd: int | None = 1729   # a listening UNIX chardev socket libvirt binds
    chardev_file_fd: int | None = 1750     # a chardev's output file, opened by libvirt
    chardev_log_fd: int | None = 1751      # a chardev's log file
    vsock_fd: int = 6789          # the opened /dev/vhost-vsock (-1: not opened)
    vsock_auto_cid: int | None = 42   # the CID handed out for <cid auto='yes'> (None: none
                                      # acquired, so the given address or 0)
    vhost_user_gpu_fd: int = 1729     # the vhost-user-gpu helper's socket (-1: not started)
    # domxml-to-native rewrites every interface as a plain ethernet tap (prepare/pretend.py)
    nets_as_ethernet: bool = False
    # domxml-to-native parses the XML as a new definition (VIR_DOMAIN_DEF_PARSE_ABI_UPDATE)
    parses_as_new_definition: bool = False
    # descriptors libvirt opens and passes to QEMU are numbered consecutively from here, in
    # the order the command line is built (the real ones are the daemon's next free
    # descriptors, unknowable in advance); None = the fixed numbers above (the harness).
    # A fixed number of None still means "a path, nothing opened", -1 "not opened"
    daemon_fd_base: int | None = None
    scsi_sg_name: str = "sg0"     # the SCSI generic node of a host SCSI device
    # the random part of a MAC address libvirt generates (None: derived per NIC, since the
    # real one is random); the harness' random source always yields zero bits
    generated_mac_tail: str | None = None
    qemu_conf: QemuConf = field(default_factory=QemuConf)
    # hugetlbfs mounts libvirt finds when qemu.conf names none: (page KiB, mount point),
    # the host's default huge page size first (systemd mounts /dev/hugepages)
    hugetlbfs_detected: tuple[tuple[int, str], ...] = ((2048, "/dev/hugepages"),)
    # the host's NUMA nodes and CPUs per node (None: not known, nothing is checked) and the
    # nodes numad advises for <numatune placement='auto'>
    host_numa_nodes: int | None = None
    host_cpus_per_node: int = 4
    numad_nodes: tuple[int, ...] = (0,)
    # /dev/vhost-net can be opened: virtio NICs on a tap of a KVM domain get vhost-net
    # descriptors (qemuInterfaceOpenVhostNet); the harness opens them for TCG domains too.
    # The reference host libvirt 11.3 was measured on had none (so no vhost-net)
    vhost_net: bool = False
    vhost_net_without_kvm: bool = False
    # block devices the host reports as CD-ROM drives (QEMU's host_cdrom driver); libvirt
    # asks only on a real start (the harness mocks /dev/cdrom as one)
    cdrom_devices: frozenset[str] = frozenset()
    # libvirt probes each local image before a real start and ends its backing chain
    # (`"backing":null`); the images are assumed to have no backing file of their own
    probes_images: bool = False
    # the first free ports of the display port ranges: None = libvirt's pretend mode,
    # which does not allocate (VNC 5900, SPICE 5901, SPICE TLS 5902)
    allocates_display_ports: bool = True
    drm_render_node: str = "/dev/dri/renderD128"   # the first render node, for gl='on'
    # PIPEWIRE_RUNTIME_DIR/XDG_RUNTIME_DIR of the daemon's environment (systemd: none)
    pipewire_runtime_dir: str | None = None
    # an empty <genid/> gets a random GUID; None = one derived from the domain name
    fixed_genid: str | None = None
    # where the swtpm emulator listens (None: libvirt's run directory)
    swtpm_socket: str | None = None
    # libvirt starts swtpm for an emulated TPM before building; in pretend mode it does
    # not, and QEMU's TPM chardev has no backend (`-chardev null`)
    starts_swtpm: bool = True
    tpm_passthrough_fds: tuple[int, int] = (1730, 1731)   # host TPM and its cancel file
    # the qemu-rdp helper is installed: only then does libvirt offer RDP graphics
    # (qemuRdpAvailable; the harness mocks it present)
    qemu_rdp: bool = False
    # the IOMMU group of each host PCI device (DDDD:BB:SS.F) libvirt can look up; a device
    # missing here has none. None: the host's own groups, unknown in advance, taken as one
    # group per host PCI slot (the functions of a device share one, as VFIO hosts give)
    iommu_groups: tuple[tuple[str, int], ...] | None = None
    # an incoming migration is started with `-incoming defer` and its URI given over QMP
    # (a real start); pretend builds print the URI itself
    defers_incoming: bool = False
    # the storage pools and virtual networks the host's drivers answer for
    drivers: HostDrivers = field(default_factory=HostDrivers)
    # host CPUs the profile can stand for, by name, as libvirt's own probe reports them
    # (translate(host_cpu=NAME)); a name not listed means the CPU map's model of that name
    host_cpu_models: Mapping[str, ProbedHostCpu] = field(default_factory=dict)

    @property
    def hugepage_mounts(self) -> tuple[tuple[int, str], ...]:
        """qemu.conf's hugetlbfs_mount when set, else the host's detected mounts."""
        return self.qemu_conf.hugetlbfs_mount or self.hugetlbfs_detected

    @property
    def chardev_tls_dir(self) -> str:
        return self.qemu_conf.chardev_tls_x509_cert_dir

    def short_domain_name(self, name: str) -> str:
        """virDomainDefGetShortName: the domain id and the first 20 characters of the name."""
        return f"{self.domain_id}-{short_name(name)}"

    def domain_dir(self, name: str) -> str:
        return f"{self.lib_dir}/domain-{self.short_domain_name(name)}"

    def channel_target_dir(self, name: str) -> str:
        """Where libvirt puts the sockets of a domain's virtio channels."""
        sub = self.channel_subdir.format(id=self.domain_id, name=short_name(name))
        return f"{self.channel_dir}/{sub}"

    def uuid_for(self, name: str) -> str:
        import uuid

        return str(uuid.uuid5(uuid.UUID(_UUID_NAMESPACE), name))

    def iommu_group(self, host_address: str) -> int | None:
        """The IOMMU group of host PCI device `host_address` (DDDD:BB:SS.F), None if it
        has none (virPCIDeviceAddressGetIOMMUGroupNum failing)."""
        if self.iommu_groups is None:
            domain, bus, slot_fn = host_address.split(":")
            return (int(domain, 16) << 13) | (int(bus, 16) << 5) | int(slot_fn.split(".")[0], 16)
        return dict(self.iommu_groups).get(host_address)
    def probed_host_cpu(self, name: str) -> ProbedHostCpu:
        """The host CPU called `name`: one the profile describes, else the CPU map's model
        of that name with no extra feature (its vendor comes from the map)."""
        known = self.host_cpu_models.get(name)
        if known is not None:
            return known
        from capsdb.cpumap import x86_map

        model = x86_map().model(name)
        if model is None:
            from .errors import TranslationError

            names = "".join(f", {n}" for n in self.host_cpu_models)
            raise TranslationError(f"unknown host CPU model '{name}' (choose one of the CPU "
                                   f"map's x86 models{names})")
        return ProbedHostCpu(name, model.vendor)

    def firmware_dirs(self) -> list[str]:
        root = os.environ.get(self.firmware_root_env or "", "") or self.firmware_root
        return [os.path.join(root, sub) for sub in self.firmware_subdirs]

    def named_firmware(self) -> tuple[tuple[str, str], ...] | None:
        """The descriptor files the profile names, unless its environment variable points
        at a descriptor tree to read instead."""
        if self.firmware_root_env and os.environ.get(self.firmware_root_env):
            return None
        return self.firmware


_SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# `virsh start` on a standard qemu:///system host, default qemu.conf
HOST = HostProfile(
    name="host", summary="the command line `virsh start` makes libvirt 11.3 run on a "
    "standard qemu:///system host with the default qemu.conf",
    path_env=_SYSTEM_PATH, user=None, monitor_fd=SYSTEM_DAEMON_FD_BASE,
    resolve_machine_alias=True, derive_missing_uuid=True, domain_id=1,
    daemon_fd_base=SYSTEM_DAEMON_FD_BASE, vsock_auto_cid=3,
    probes_images=True, passt_dir="/run/libvirt/qemu/passt", defers_incoming=True,
    vdpa_disk_fd=SYSTEM_DAEMON_FD_BASE,
    firmware=REFERENCE_HOST_FIRMWARE, firmware_root_env="XML2ARGV_FIRMWARE_ROOT",
)

# `virsh domxml-to-native`: libvirt's pretend mode prepares the domain, not the host
NATIVE = replace(
    HOST, name="native", summary="what `virsh domxml-to-native qemu-argv` of libvirt 11.3 "
    "prints on that host (libvirt's pretend mode)",
    monitor_fd=None, domain_id=-1, pretend_mode=True,
    chardev_socket_fd=None, chardev_file_fd=None, chardev_log_fd=None,
    vsock_fd=-1, vsock_auto_cid=None, vhost_user_gpu_fd=-1, starts_swtpm=False,
    nets_as_ethernet=True, parses_as_new_definition=True, probes_images=False, allocates_display_ports=False,
    defers_incoming=False, vdpa_disk_fd=None,
)

# the host CPUs libvirt's harness mocks (tests/testutilshostcpus.h): its default host and
# the Haswell host its ARG_CAPS_HOST_CPU_MODEL cases ask for
_HARNESS_HOST_CPUS = {
    "core2duo": ProbedHostCpu("core2duo", "Intel", (
        "ds", "acpi", "ss", "ht", "tm", "pbe", "ds_cpl", "vmx", "est", "tm2", "cx16", "xtpr",
        "lahf_lm")),
    "Haswell": ProbedHostCpu("Haswell", "Intel", (
        "vme", "ds", "acpi", "ss", "ht", "tm", "pbe", "dtes64", "monitor", "ds_cpl", "vmx",
        "smx", "est", "tm2", "xtpr", "pdcm", "osxsave", "f16c", "rdrand", "cmt", "pdpe1gb",
        "abm", "invtsc", "lahf_lm")),
    "Broadwell": ProbedHostCpu("Broadwell"),
}
# the fake storage and network drivers of libvirt's harness (tests/qemufakedrivers.c) with
# the definitions they read (tests/storagepoolxml2xmlout, networkxmlconfdata,
# virnetworkportxml2xmldata)
_HARNESS_DRIVERS = HostDrivers(
    pools={
        "pool-iscsi": StoragePool("iscsi", hosts=(("iscsi.example.com", 0),),
                                  devices=("demo-target",)),
        "pool-iscsi-auth": StoragePool("iscsi", hosts=(("iscsi.example.com", 0),),
                                       devices=("demo-target",)),
        "pool-disk": StoragePool("disk", devices=("/dev/sda",)),
        "inactive": StoragePool("dir", active=False),
    },
    networks={
        "nat-network": VirtualNetwork("nat", "virbr0", (
            "192.168.122.1", "192.168.123.1", "2001:db8:ac10:fe01::1",
            "2001:db8:ac10:fd01::1", "10.24.10.1")),
        "hostdev": VirtualNetwork("hostdev"),
        "vepa-net": VirtualNetwork("vepa"),
    },
    ports={
        "plug-bridge-basic": NetworkPort("bridge", bridge="virbr0"),
        "plug-hostdev-pci": NetworkPort("hostdev-pci", pci_address=(1, 2, 3, 4), managed=True,
                                        driver="vfio"),
    },
    port_named_after_network=True, harness_volume_names=True,
)

# the host PCI devices libvirt's harness mocks (tests/virpcimock.c) and their IOMMU groups
_HARNESS_IOMMU_GROUPS: tuple[tuple[str, int], ...] = (
    ("0000:00:00.0", 0), ("0000:00:01.0", 1), ("0000:00:02.0", 2), ("0000:00:03.0", 3),
    ("0001:00:00.0", 4), ("0001:01:00.0", 5), ("0001:01:00.1", 5), ("0005:80:00.0", 6),
    ("0005:90:01.0", 7), ("0005:90:01.1", 7), ("0005:90:01.2", 7), ("0005:90:01.3", 7),
    ("0000:0a:01.0", 8), ("0000:0a:02.0", 8), ("0000:0a:03.0", 8), ("0000:06:12.0", 9),
    ("0000:06:12.1", 10), ("0000:06:12.2", 11), ("0021:de:1f.0", 12), ("0021:de:1f.1", 13),
    ("0000:01:00.0", 14), ("0000:02:00.0", 15), ("0000:03:00.0", 16),
)

# libvirt's qemuxmlconftest harness: its qemu.conf overrides and mocked host
LIBVIRT_TEST = HostProfile(
    name="libvirt-test", summary="libvirt 11.3's own test harness (qemuxmlconftest)",
    path_env="/bin", user="test", monitor_fd=1729,
    resolve_machine_alias=False, derive_missing_uuid=True, resolve_alias_unless_newest=True,
    firmware_subdirs=("home/user/.config/qemu/firmware", "etc/qemu/firmware",
                      "usr/share/qemu/firmware"),
    # the harness installs its descriptors under a fake root; point this variable at
    # such a tree (tools/conformance.py does) or the host's own directories are read
    firmware_root_env="XML2ARGV_TEST_FIRMWARE_ROOT",
    fixed_epoch=1234567890, utc_offset_s=-1800,   # the harness' mocked time, TZ=VIR00:30
    generated_mac_tail="00:00:00",
    qemu_conf=QemuConf(
        spice_password="123456", spice_tls=None,
        spice_tls_x509_cert_dir="/etc/pki/libvirt-spice",
        vnc_tls_x509_cert_dir="/etc/pki/libvirt-vnc",
        chardev_tls_x509_cert_dir="/etc/pki/libvirt-chardev",
        nbd_tls_x509_cert_dir="/etc/pki/libvirt-nbd",
        nbd_tls_x509_secret_uuid="6fd3f62d-9fe7-4a4e-a869-7acd6376d8ea",
        hugetlbfs_mount=((2048, "/dev/hugepages2M"), (1048576, "/dev/hugepages1G")),
    ),
    host_numa_nodes=4, host_cpus_per_node=4, numad_nodes=(0, 1, 2, 3),
    vhost_net=True, vhost_net_without_kvm=True,
    cdrom_devices=frozenset({"/dev/cdrom"}),
    allocates_display_ports=False,
    drm_render_node="/dev/dri/foo", pipewire_runtime_dir="/run/user/1000",
    fixed_genid="00010203-0405-4607-8809-0a0b0c0d0e0f",   # its fake random bytes 0, 1, ...
    swtpm_socket="/dev/test", run_dir="/var/run/libvirt/qemu",
    channel_dir="/var/lib/libvirt/qemu/channel/target", channel_subdir="domain-{id}-{name}",
    passt_dir="/var/run/libvirt/qemu/passt", qemu_rdp=True,
    host_cpu_models=_HARNESS_HOST_CPUS, drivers=_HARNESS_DRIVERS,
    iommu_groups=_HARNESS_IOMMU_GROUPS,
)

PROFILES: dict[str, HostProfile] = {"host": HOST, "native": NATIVE, "libvirt-test": LIBVIRT_TEST}
# profile names kept for compatibility: `system` was the pretend-mode profile
ALIASES: dict[str, str] = {"system": "native"}
DEFAULT_PROFILE = "host"


def get_host_profile(name: "str | HostProfile") -> HostProfile:
    """A profile by name (or alias); a HostProfile is taken as it is (e.g. one made with
    dataclasses.replace to describe another qemu.conf)."""
    if isinstance(name, HostProfile):
        return name
    try:
        return PROFILES[ALIASES.get(name, name)]
    except KeyError:
        from .errors import ErrorCode, TranslationError

        raise TranslationError(ErrorCode.OTHER, f"unknown profile '{name}' (choose from "
                               f"{', '.join([*PROFILES, *ALIASES])})") from None
