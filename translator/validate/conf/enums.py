"""The names libvirt's domain parser accepts for its enum attributes (its VIR_ENUM_IMPL tables).

The first name of a table is libvirt's value 0; reads that refuse 0 (VIR_XML_PROP_NONZERO)
refuse it, so the order matters.
"""

from __future__ import annotations

ADDRESS_TYPE = ("none", "pci", "drive", "virtio-serial", "ccid", "usb", "spapr-vio",
                "virtio-s390", "ccw", "virtio-mmio", "isa", "dimm", "unassigned")
STARTUP_POLICY = ("default", "mandatory", "requisite", "optional")
SGIO = ("default", "filtered", "unfiltered")
STORAGE_TYPE = ("none", "file", "block", "dir", "network", "volume", "nvme", "vhostuser",
                "vhostvdpa")
STORAGE_FORMAT = ("none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat",
                  "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk")
NET_PROTOCOL = ("none", "nbd", "rbd", "sheepdog", "gluster", "iscsi", "http", "https", "ftp",
                "ftps", "tftp", "ssh", "vxhs", "nfs")
HOST_TRANSPORT = ("tcp", "unix", "rdma", "fd")
POOL_MODE = ("default", "host", "direct")
DISK_DEVICE = ("disk", "cdrom", "floppy", "lun")
DISK_BUS = ("none", "ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd")
DISK_MODEL = ("default", "virtio", "virtio-transitional", "virtio-non-transitional")
VIRTIO_MODEL = DISK_MODEL
SNAPSHOT_LOCATION = ("default", "no", "internal", "external", "manual")
DISK_TRAY = ("closed", "open")
DISK_CACHE = ("default", "none", "writethrough", "writeback", "directsync", "unsafe")
ERROR_POLICY = ("default", "stop", "report", "ignore", "enospace")
DISK_IO = ("default", "native", "threads", "io_uring")
DISK_DISCARD = ("default", "unmap", "ignore")
DETECT_ZEROES = ("default", "off", "on", "unmap")
GEOMETRY_TRANS = ("default", "none", "auto", "lba")
CONTROLLER_TYPE = ("ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci",
                   "xenbus", "isa")
PCI_MODEL_NAME = ("none", "pci-bridge", "i82801b11-bridge", "ioh3420", "x3130-upstream",
                  "xio3130-downstream", "pxb", "pxb-pcie", "pcie-root-port",
                  "spapr-pci-host-bridge", "pcie-pci-bridge")
FS_TYPE = ("mount", "block", "file", "template", "ram", "bind", "volume")
FS_ACCESS = ("", "passthrough", "mapped", "squash")
FS_DRIVER = ("default", "path", "handle", "loop", "nbd", "ploop", "virtiofs", "mtp")
FS_WRPOLICY = ("default", "immediate")
FS_MULTIDEVS = ("default", "remap", "forbid", "warn")
FS_CACHE = ("default", "none", "always")
FS_SANDBOX = ("default", "namespace", "chroot")
NET_TYPE = ("user", "ethernet", "vhostuser", "server", "client", "mcast", "network", "bridge",
            "internal", "direct", "hostdev", "udp", "vdpa", "null", "vds")
NET_DRIVER = ("default", "qemu", "vhost")
NET_TXMODE = ("default", "iothread", "timer")
NET_BACKEND = ("default", "passt")
NET_PROTO = ("none", "tcp", "udp")
MACVLAN_MODE = ("vepa", "private", "bridge", "passthrough")
VHOSTUSER_MODE = ("", "client", "server")
MAC_TYPE = ("", "generated", "static")
CHR_STATE = ("default", "connected", "disconnected")
CHR_SOURCE_MODE = ("connect", "bind")
CHR_PROTOCOL = ("raw", "telnet", "telnets", "tls")
MOUSE_MODE = ("default", "server", "client")
SMARTCARD_MODE = ("host", "host-certificates", "passthrough")
TPM_MODEL = ("default", "tpm-tis", "tpm-crb", "tpm-spapr", "spapr-tpm-proxy")
TPM_BACKEND = ("passthrough", "emulator", "external")
TPM_VERSION = ("default", "1.2", "2.0")
TPM_SOURCE = ("default", "file", "dir")
TPM_REMOVE_DISABLED = ("none", "check", "fips-host")
INPUT_GRAB = ("default", "all")
INPUT_GRAB_TOGGLE = ("default", "ctrl-ctrl", "alt-alt", "shift-shift", "meta-meta",
                     "scrolllock", "ctrl-scrolllock")
TIMER_NAME = ("platform", "pit", "rtc", "hpet", "tsc", "kvmclock", "hypervclock", "armvtimer")
TIMER_TICKPOLICY = ("none", "delay", "catchup", "merge", "discard")
TIMER_TRACK = ("none", "boot", "guest", "wall", "realtime")
TIMER_MODE = ("none", "auto", "native", "emulate", "paravirt", "smpsafe")
GRAPHICS_TYPE = ("sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus")
LISTEN_TYPE = ("none", "address", "network", "socket")
VNC_SHARE = ("default", "allow-exclusive", "force-shared", "ignore")
SPICE_CHANNEL_MODE = ("any", "secure", "insecure")
SPICE_CHANNEL = ("main", "display", "inputs", "cursor", "playback", "record", "smartcard",
                 "usbredir")
SPICE_IMAGE = ("default", "auto_glz", "auto_lz", "quic", "glz", "lz", "off")
SPICE_JPEG = ("default", "auto", "never", "always")
SPICE_ZLIB = SPICE_JPEG
SPICE_STREAMING = ("default", "filter", "all", "off")
SOUND_MODEL = ("sb16", "es1370", "pcspk", "ac97", "ich6", "ich9", "usb", "ich7", "virtio")
AUDIO_TYPE = ("none", "alsa", "coreaudio", "jack", "oss", "pulseaudio", "sdl", "spice", "file",
              "dbus", "pipewire")
AUDIO_FORMAT = ("", "u8", "s8", "u16", "s16", "u32", "s32", "f32")
AUDIO_SDL_DRIVER = ("", "esd", "alsa", "arts", "pulseaudio")
WATCHDOG_MODEL = ("i6300esb", "ib700", "diag288", "itco")
WATCHDOG_ACTION = ("reset", "shutdown", "poweroff", "pause", "dump", "none", "inject-nmi")
RNG_MODEL = ("virtio", "virtio-transitional", "virtio-non-transitional")
RNG_BACKEND = ("random", "egd", "builtin")
MEMBALLOON_MODEL = ("virtio", "xen", "none", "virtio-transitional", "virtio-non-transitional")
SHMEM_MODEL = ("ivshmem", "ivshmem-plain", "ivshmem-doorbell")
SHMEM_ROLE = ("default", "master", "peer")
SYSINFO_TYPE = ("smbios", "fwcfg")
VIDEO_TYPE = ("default", "vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "parallels", "virtio",
              "gop", "none", "bochs", "ramfb")
VIDEO_VGACONF = ("io", "on", "off")
VIDEO_BACKEND = ("default", "qemu", "vhostuser")
HOSTDEV_MODE = ("subsystem", "capabilities")
HOSTDEV_SUBSYS = ("usb", "pci", "scsi", "scsi_host", "mdev")
HOSTDEV_CAPS = ("storage", "misc", "net")
USB_GUEST_RESET = ("default", "off", "uninitialized", "on")
SCSI_PROTOCOL = ("adapter", "iscsi")
SCSI_HOST_PROTOCOL = ("none", "vhost")
MDEV_MODEL = ("vfio-pci", "vfio-ccw", "vfio-ap")
PCI_DRIVER_NAME = ("default", "kvm", "vfio", "xen")
SECLABEL_TYPE = ("default", "none", "dynamic", "static")
MEMORY_MODEL = ("", "dimm", "nvdimm", "virtio-pmem", "virtio-mem", "sgx-epc")
MEMORY_ACCESS = ("default", "shared", "private")
IOMMU_MODEL = ("intel", "smmuv3", "virtio")
CRYPTO_MODEL = ("virtio",)
CRYPTO_TYPE = ("qemu",)
CRYPTO_BACKEND = ("builtin", "lkcf")
PSTORE_BACKEND = ("acpi-erst",)
BOOT_DEV = ("fd", "cdrom", "hd", "network")
PLACEMENT = ("static", "auto")
FIRMWARE_FEATURE = ("enrolled-keys", "secure-boot")
ACPI_TABLE = ("raw", "rawset", "slic", "msdm")
LOADER_TYPE = ("none", "rom", "pflash")
SCHED_POLICY = ("none", "batch", "idle", "fifo", "rr")
CACHE_TYPE = ("both", "code", "data")
KEYWRAP_CIPHER = ("aes", "dea")
LAUNCH_SECURITY = ("", "sev", "sev-snp", "s390-pv")
HYPERV_MODE = ("none", "custom", "passthrough")
XEN_PASSTHROUGH = ("default", "sync_pt", "share_pt")
CAPS_POLICY = ("default", "allow", "deny")
PROCESS_CAPS = ("audit_control", "audit_write", "block_suspend", "chown", "dac_override",
                "dac_read_search", "fowner", "fsetid", "ipc_lock", "ipc_owner", "kill",
                "lease", "linux_immutable", "mac_admin", "mac_override", "mknod", "net_admin",
                "net_bind_service", "net_broadcast", "net_raw", "setgid", "setfcap",
                "setpcap", "setuid", "sys_admin", "sys_boot", "sys_chroot", "sys_module",
                "sys_nice", "sys_pacct", "sys_ptrace", "sys_rawio", "sys_resource",
                "sys_time", "sys_tty_config", "syslog", "wake_alarm")
CPU_MATCH = ("exact", "minimum", "strict")
CPU_CHECK = ("default", "none", "partial", "full")
MSRS_UNKNOWN = ("ignore", "fault")
GIC_VERSION = ("none", "host", "2", "3")
IOAPIC = ("none", "qemu", "kvm")
HPT_RESIZING = ("none", "enabled", "disabled", "required")
CFPC = ("none", "broken", "workaround", "fixed")
SBBC = ("none", "broken", "workaround", "fixed")
IBS = ("none", "broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na")
AIA = ("default", "none", "aplic", "aplic-imsic")
PERF_EVENT = ("cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references",
              "cache_misses", "branch_instructions", "branch_misses", "bus_cycles",
              "stalled_cycles_frontend", "stalled_cycles_backend", "ref_cpu_cycles",
              "cpu_clock", "task_clock", "page_faults", "context_switches",
              "cpu_migrations", "page_faults_min", "page_faults_maj", "alignment_faults",
              "emulation_faults")
NUMATUNE_MODE = ("strict", "preferred", "interleave", "restrictive")
CACHE_ASSOCIATIVITY = ("none", "direct", "full")
CACHE_POLICY = ("none", "writeback", "writethrough")
MEMORY_LATENCY = ("none", "access", "read", "write")
