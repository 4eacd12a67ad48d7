"""Host profiles: the facts of the host libvirt runs on that show up in the command line.

`libvirt-test` reproduces libvirt's own test harness (see the corpus' HARNESS.md);
`system` is what `virsh domxml-to-native qemu-argv` prints on a standard
qemu:///system host.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

# A project-specific namespace so that derived UUIDs are stable across runs and releases.
# (A string: the uuid module, which imports platform, loads only when a UUID is derived.)
_UUID_NAMESPACE = "6b1d5f3e-1c1a-4e4e-9a3c-786d6c326172"


# The first descriptor the `system` profile shows for a tap, vhost-net or vhost-scsi
# device the daemon opens: a documented stand-in for the daemon's next free descriptor.
SYSTEM_DAEMON_FD_BASE = 30


def short_name(name: str) -> str:
    """libvirt's per-domain directories use the first 20 characters of the name."""
    return name[:20]


@dataclass(frozen=True)
class HostProfile:
    """The facts of one host (paths, descriptors, clock) that show in the command line."""

    name: str
    path_env: str
    user: str | None              # USER/LOGNAME, or None to omit them
    monitor_fd: int | None        # pre-opened monitor socket fd, or None for a path
    resolve_machine_alias: bool
    derive_missing_uuid: bool
    # libvirt's harness strips machine aliases only from the newest capability file of
    # each arch, so older QEMU versions show the versioned machine type there
    resolve_alias_unless_newest: bool = False
    lib_dir: str = "/var/lib/libvirt/qemu"
    cfg_dir: str = "/etc/libvirt/qemu"
    run_dir: str = "/run/libvirt/qemu"
    channel_dir: str = "/var/lib/libvirt/qemu/channel/target"
    nvram_dir: str = "/var/lib/libvirt/qemu/nvram"
    # firmware descriptor directories, highest priority first, under `firmware_root`
    firmware_subdirs: tuple[str, ...] = ("etc/qemu/firmware", "usr/share/qemu/firmware")
    firmware_root: str = "/"
    # environment variable that may relocate `firmware_root` (the test data lives elsewhere)
    firmware_root_env: str | None = None
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
    # taps, vhost-net and vhost-scsi descriptors the daemon opens while building: None =
    # the fixed numbers above; else consecutive numbers from here (the real ones are the
    # daemon's next free descriptors, unknowable in advance)
    daemon_fd_base: int | None = None
    chardev_tls_dir: str = "/etc/pki/libvirt-chardev"
    scsi_sg_name: str = "sg0"     # the SCSI generic node of a host SCSI device
    # qemu.conf's spice_tls: a SPICE tlsPort is refused without it (libvirt's harness
    # enables it for its SPICE cases; a default qemu.conf does not)
    spice_tls: bool = True
    # the qemu-rdp helper is installed (RDP graphics are offered only then)
    qemu_rdp: bool = True

    def domain_dir(self, name: str) -> str:
        return f"{self.lib_dir}/domain--1-{short_name(name)}"

    def uuid_for(self, name: str) -> str:
        import uuid

        return str(uuid.uuid5(uuid.UUID(_UUID_NAMESPACE), name))

    def firmware_dirs(self) -> list[str]:
        root = os.environ.get(self.firmware_root_env or "", "") or self.firmware_root
        return [os.path.join(root, sub) for sub in self.firmware_subdirs]


PROFILES: dict[str, HostProfile] = {
    "libvirt-test": HostProfile(
        name="libvirt-test", path_env="/bin", user="test", monitor_fd=1729,
        resolve_machine_alias=False, derive_missing_uuid=True, resolve_alias_unless_newest=True,
        firmware_subdirs=("home/user/.config/qemu/firmware", "etc/qemu/firmware",
                          "usr/share/qemu/firmware"),
        # the harness installs its descriptors under a fake root; point this variable at
        # such a tree (tools/conformance.py does) or the host's own directories are read
        firmware_root_env="XML2ARGV_TEST_FIRMWARE_ROOT",
        fixed_epoch=1234567890, utc_offset_s=-1800,   # the harness' mocked time, TZ=VIR00:30
    ),
    "system": HostProfile(
        name="system", path_env="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        user=None, monitor_fd=None, resolve_machine_alias=True,
        derive_missing_uuid=True,
        # `virsh domxml-to-native` runs libvirt's pretend mode: the host is not prepared
        chardev_socket_fd=None, chardev_file_fd=None, chardev_log_fd=None,
        vsock_fd=-1, vsock_auto_cid=None, vhost_user_gpu_fd=-1,
        nets_as_ethernet=True, daemon_fd_base=SYSTEM_DAEMON_FD_BASE,
        spice_tls=False, qemu_rdp=False,
    ),
}


def get_host_profile(name: str) -> HostProfile:
    try:
        return PROFILES[name]
    except KeyError:
        from .errors import TranslationError

        raise TranslationError(
            f"unknown profile '{name}' (choose from {', '.join(PROFILES)})") from None
