"""Which typed attributes libvirt's domain parser reads where (domain_conf.c, device_conf.c).

Each entry is a place in the document (see `schema.Place`) and the reads libvirt's parse
function for it makes, in its order, with the number base, flags and enum names it uses.
"""

from __future__ import annotations

from . import enums as E
from .schema import Attr, Table, en, i, ll, req, sw, u, ull, uuid, yn

_PCI_ADDR = (u("domain", 0), u("bus", 0), u("slot", 0), u("function", 0), sw("multifunction"))
_DEV = ("devices", "*")

DEVICE_INFO: Table = {
    (*_DEV, "master"): (u("startport"),),
    (*_DEV, "boot"): (u("order", required=True, nonzero=True),),
    (*_DEV, "rom"): (yn("enabled"), sw("bar")),
    (*_DEV, "acpi"): (u("index", nonzero=True),),
    (*_DEV, "address"): (en("type", E.ADDRESS_TYPE, required=True, nonzero=True),),
    (*_DEV, "address[pci]"): _PCI_ADDR,
    (*_DEV, "address[pci]", "zpci"): (u("uid", 0), u("fid", 0)),
    (*_DEV, "address[drive]"): (u("controller"), u("bus"), u("target"), u("unit")),
    (*_DEV, "address[virtio-serial]"): (u("controller"), u("bus"), u("port")),
    (*_DEV, "address[ccid]"): (u("controller"), u("slot")),
    (*_DEV, "address[usb]"): (u("bus"),),
    (*_DEV, "address[spapr-vio]"): (ull("reg", 16),),
    (*_DEV, "address[ccw]"): (u("cssid", 0), u("ssid", 0), u("devno", 0)),
    (*_DEV, "address[isa]"): (u("iobase", 16), u("irq", 16)),
    (*_DEV, "address[dimm]"): (u("slot", required=True), ull("base", 16)),
}

_VIRTIO_DRIVER = (sw("iommu"), sw("ats"), sw("packed"), sw("page_per_vq"))
_SECLABEL = (yn("relabel"),)  # 'labelskip' is read only from a running domain's XML

DISK: Table = {
    ("devices", "disk"): (en("type", E.STORAGE_TYPE, nonzero=True),
                          en("device", E.DISK_DEVICE), en("model", E.DISK_MODEL),
                          en("snapshot", E.SNAPSHOT_LOCATION, nonzero=True), yn("rawio"),
                          en("sgio", E.SGIO, nonzero=True)),
    ("disk", "source"): (en("startupPolicy", E.STARTUP_POLICY, nonzero=True),),
    # ('tlsFromConfig' is read only from a running domain's XML)
    ("disk[network]", "source"): (en("protocol", E.NET_PROTOCOL, required=True), yn("tls")),
    ("disk[network]", "source", "reconnect"): (u("delay"),),
    ("disk[network]", "source", "ssl"): (yn("verify"),),
    ("disk[network]", "source", "host"): (en("transport", E.HOST_TRANSPORT),),
    ("disk[nvme]", "source", "address"): _PCI_ADDR,
    ("disk[volume]", "source"): (en("mode", E.POOL_MODE, nonzero=True),),
    ("disk[vhostvdpa]", "source"): (req("dev"),),
    ("disk", "source", "seclabel"): _SECLABEL,
    ("disk", "driver"): (en("cache", E.DISK_CACHE),
                         en("error_policy", E.ERROR_POLICY, nonzero=True),
                         en("rerror_policy", E.ERROR_POLICY, nonzero=True),
                         en("io", E.DISK_IO, nonzero=True), sw("ioeventfd"), sw("event_idx"),
                         sw("copy_on_read"), en("discard", E.DISK_DISCARD, nonzero=True),
                         u("iothread", nonzero=True),
                         en("detect_zeroes", E.DETECT_ZEROES, nonzero=True), u("queues"),
                         u("queue_size"), sw("discard_no_unref"), *_VIRTIO_DRIVER),
    ("disk", "driver", "iothreads", "iothread"): (u("id", required=True),),
    ("disk", "driver", "iothreads", "iothread", "queue"): (u("id", required=True),),
    ("disk", "target"): (en("bus", E.DISK_BUS, nonzero=True), en("tray", E.DISK_TRAY),
                         sw("removable"), u("rotation_rate")),
    ("disk", "geometry"): (u("cyls"), u("heads"), u("secs"),
                           en("trans", E.GEOMETRY_TRANS, nonzero=True)),
    ("disk", "blockio"): (u("logical_block_size"), u("physical_block_size"),
                          u("discard_granularity")),
    ("disk", "transient"): (yn("shareBacking"),),
    ("disk", "throttlefilters", "throttlefilter"): (req("group"),),
    ("disk", "source", "slices", "slice"): (),
}

CONTROLLER: Table = {
    ("devices", "controller"): (en("type", E.CONTROLLER_TYPE), i("index", nonnegative=True),
                                i("ports", nonnegative=True), i("vectors", nonnegative=True),
                                i("maxGrantFrames", nonnegative=True),
                                i("maxEventChannels", nonnegative=True)),
    ("controller", "driver"): (u("queues"), u("cmd_per_lun"), u("max_sectors"),
                               sw("ioeventfd"), u("iothread"), *_VIRTIO_DRIVER),
    ("controller", "driver", "iothreads", "iothread"): (u("id", required=True),),
    ("controller", "driver", "iothreads", "iothread", "queue"): (u("id", required=True),),
    ("controller", "model"): (en("name", E.PCI_MODEL_NAME),),
    ("controller", "target"): (i("chassisNr", 0, nonnegative=True),
                               i("chassis", 0, nonnegative=True),
                               i("port", 0, nonnegative=True), i("busNr", 0, nonnegative=True),
                               sw("hotplug"), i("index", 0, nonnegative=True),
                               ull("memReserve", 0, nonzero=True)),
}

FILESYSTEM: Table = {
    ("devices", "filesystem"): (en("type", E.FS_TYPE), en("accessmode", E.FS_ACCESS),
                                u("fmode", 8), u("dmode", 8),
                                en("model", E.VIRTIO_MODEL, nonzero=True),
                                en("multidevs", E.FS_MULTIDEVS)),
    ("filesystem", "driver"): (en("type", E.FS_DRIVER), en("wrpolicy", E.FS_WRPOLICY),
                               *_VIRTIO_DRIVER),
    ("filesystem", "binary"): (sw("xattr"),),
    ("filesystem", "binary", "lock"): (sw("posix"), sw("flock")),
    ("filesystem", "binary", "cache"): (en("mode", E.FS_CACHE, nonzero=True),),
    ("filesystem", "binary", "sandbox"): (en("mode", E.FS_SANDBOX, nonzero=True),),
}

_NET = "interface"
INTERFACE: Table = {
    ("devices", _NET): (en("type", E.NET_TYPE), yn("trustGuestRxFilters")),
    (_NET, "driver"): _VIRTIO_DRIVER,
    ("interface@virtio", "driver"): (en("name", E.NET_DRIVER, nonzero=True),
                       en("txmode", E.NET_TXMODE, nonzero=True), sw("ioeventfd"),
                       sw("event_idx"), u("queues"), u("rx_queue_size"), u("tx_queue_size"),
                       sw("rss"), sw("rss_hash_report")),
    ("interface@virtio", "driver", "host"): tuple(sw(n) for n in ("csum", "gso", "tso4", "tso6", "ecn",
                                                    "ufo", "mrg_rxbuf")),
    ("interface@virtio", "driver", "guest"): tuple(sw(n) for n in ("csum", "tso4", "tso6", "ecn", "ufo")),
    (_NET, "backend"): (en("type", E.NET_BACKEND),),
    (_NET, "portForward"): (en("proto", E.NET_PROTO, required=True, nonzero=True),),
    (_NET, "portForward", "range"): (u("start", nonzero=True), u("end", nonzero=True),
                                     u("to", nonzero=True), yn("exclude")),
    ("interface[network]", "source"): (req("network"),),
    ("interface[vds]", "source"): (uuid("switchid", required=True), ll("portid", 0),
                                   ll("connectionid", 0)),
    ("interface[internal]", "source"): (req("name"),),
    ("interface[bridge]", "source"): (req("bridge"),),
    ("interface[direct]", "source"): (req("dev"), en("mode", E.MACVLAN_MODE)),
    ("interface[vhostuser]", "source"): (en("mode", E.VHOSTUSER_MODE, nonzero=True),),
    ("interface[vdpa]", "source"): (req("dev"),),
    ("interface[client|mcast|udp]", "source"): (req("address"),),
    ("interface[server|client|mcast|udp]", "source"): (i("port", required=True),),
    ("interface[udp]", "source", "local"): (req("address"), i("port", required=True)),
    ("interface[hostdev]", "source", "address"): _PCI_ADDR,
    (_NET, "target"): (yn("managed"),),
    (_NET, "mac"): (en("type", E.MAC_TYPE, nonzero=True), yn("check")),
    (_NET, "mtu"): (u("size"),),
    (_NET, "teaming"): (),
}

_CHR_SOURCE = ("serial", "parallel", "channel", "console")
CHARDEV: Table = {
    # the reads of a <source>, <protocol> and <log> depend on the type: chardev_source.py
    **{(c, "source", "seclabel"): _SECLABEL for c in _CHR_SOURCE},
    **{(f"{c}[qemu-vdagent]", "source", "clipboard"): (yn("copypaste", required=True),)
       for c in _CHR_SOURCE},
    **{(f"{c}[qemu-vdagent]", "source", "mouse"): (en("mode", E.MOUSE_MODE, required=True,
                                                      nonzero=True),) for c in _CHR_SOURCE},
    ("smartcard",): (en("mode", E.SMARTCARD_MODE, required=True),),
}

MISC_DEVICES: Table = {
    ("devices", "lease", "target"): (ull("offset"),),
    ("devices", "tpm"): (en("model", E.TPM_MODEL, nonzero=True),),
    ("tpm", "backend"): (en("type", E.TPM_BACKEND, required=True),
                         en("version", E.TPM_VERSION, nonzero=True), u("debug")),
    ("tpm", "backend[emulator]", "source"): (en("type", E.TPM_SOURCE, nonzero=True),),
    ("tpm", "backend", "profile"): (en("removeDisabled", E.TPM_REMOVE_DISABLED,
                                       nonzero=True),),
    ("devices", "input[evdev]", "source"): (en("grab", E.INPUT_GRAB, nonzero=True),
                                            en("grabToggle", E.INPUT_GRAB_TOGGLE,
                                               nonzero=True),
                                            sw("repeat")),
    ("devices", "input", "driver"): _VIRTIO_DRIVER,
    ("devices", "sound"): (en("model", E.SOUND_MODEL, required=True), yn("multichannel"),
                           u("streams", nonzero=True)),
    ("devices", "sound", "audio"): (u("id", required=True, nonzero=True),),
    ("devices", "sound", "driver"): _VIRTIO_DRIVER,
    # virDomainAudioDefParseXML: the common reads, then those of the backend type
    ("devices", "audio"): (en("type", E.AUDIO_TYPE, required=True),
                           u("id", required=True, nonzero=True),
                           u("timerPeriod", nonzero=True)),
    ("devices", "audio[oss]"): (yn("tryMMap"), yn("exclusive"), i("dspPolicy")),
    ("devices", "audio[sdl]"): (en("driver", E.AUDIO_SDL_DRIVER, nonzero=True),),
    **{("audio", io): (yn("mixingEngine"), yn("fixedSettings"), u("voices", nonzero=True),
                       u("bufferLength", nonzero=True)) for io in ("input", "output")},
    **{("audio[coreaudio]", io): (u("bufferCount"),) for io in ("input", "output")},
    **{("audio[jack]", io): (yn("exactName"),) for io in ("input", "output")},
    **{("audio[oss]", io): (yn("tryPoll"), u("bufferCount")) for io in ("input", "output")},
    **{("audio[pulseaudio|pipewire]", io): (u("latency"),) for io in ("input", "output")},
    **{("audio[sdl]", io): (u("bufferCount"),) for io in ("input", "output")},
    **{("audio", io, "settings"): (u("frequency", nonzero=True), u("channels", nonzero=True),
                                   en("format", E.AUDIO_FORMAT, nonzero=True))
       for io in ("input", "output")},
    ("devices", "watchdog"): (en("model", E.WATCHDOG_MODEL, required=True),
                              en("action", E.WATCHDOG_ACTION)),
    ("devices", "rng"): (en("model", E.RNG_MODEL, required=True),),
    ("devices", "rng", "backend"): (en("model", E.RNG_BACKEND, required=True),),
    ("devices", "rng", "driver"): _VIRTIO_DRIVER,
    ("devices", "memballoon"): (en("model", E.MEMBALLOON_MODEL, required=True),
                                sw("autodeflate"), sw("freePageReporting")),
    ("devices", "memballoon", "stats"): (i("period", 0),),
    ("devices", "memballoon", "driver"): _VIRTIO_DRIVER,
    ("devices", "shmem"): (en("role", E.SHMEM_ROLE, nonzero=True),),
    ("shmem", "model"): (en("type", E.SHMEM_MODEL),),
    ("shmem", "msi"): (u("vectors", 0), sw("ioeventfd")),
    ("devices", "memory"): (en("model", E.MEMORY_MODEL, required=True, nonzero=True),
                            en("access", E.MEMORY_ACCESS, nonzero=True), yn("discard")),
    ("devices", "memory", "target"): (yn("dynamicMemslots"),),
    ("devices", "memory", "target", "address"): (ull("base", 16),),
    ("devices", "iommu"): (en("model", E.IOMMU_MODEL, required=True),),
    ("devices", "iommu", "driver"): (sw("intremap"), sw("caching_mode"), sw("iotlb"),
                                     sw("eim"), u("aw_bits"), sw("dma_translation")),
    ("devices", "vsock"): (en("model", E.VIRTIO_MODEL),),
    ("devices", "vsock", "cid"): (u("address", nonzero=True), yn("auto")),
    ("devices", "vsock", "driver"): _VIRTIO_DRIVER,
    ("devices", "crypto"): (en("model", E.CRYPTO_MODEL, required=True),
                            en("type", E.CRYPTO_TYPE, required=True)),
    ("devices", "crypto", "backend"): (en("model", E.CRYPTO_BACKEND, required=True),
                                       u("queues")),
    ("devices", "pstore"): (en("backend", E.PSTORE_BACKEND, required=True),),
    ("devices", "redirfilter", "usbdev"): (i("class", 0), i("vendor", 0), i("product", 0),
                                           yn("allow", required=True)),
}

GRAPHICS_VIDEO: Table = {
    ("devices", "graphics"): (en("type", E.GRAPHICS_TYPE, required=True),),
    # ('fromConfig' is read only from a running domain's status XML)
    ("graphics", "listen"): (en("type", E.LISTEN_TYPE, required=True),),
    ("graphics[vnc]",): (i("websocket"), en("sharePolicy", E.VNC_SHARE),
                         yn("powerControl")),
    ("graphics[vnc]", "audio"): (u("id", required=True, nonzero=True),),
    ("graphics[sdl|desktop]",): (yn("fullscreen"),),
    ("graphics[sdl]", "gl"): (yn("enable", required=True),),
    ("graphics[spice]",): (i("port"), i("tlsPort"), yn("autoport"),
                           en("defaultMode", E.SPICE_CHANNEL_MODE)),
    ("graphics[spice]", "channel"): (en("name", E.SPICE_CHANNEL, required=True),
                                     en("mode", E.SPICE_CHANNEL_MODE, required=True)),
    ("graphics[spice]", "image"): (en("compression", E.SPICE_IMAGE, required=True,
                                      nonzero=True),),
    ("graphics[spice]", "jpeg"): (en("compression", E.SPICE_JPEG, required=True,
                                     nonzero=True),),
    ("graphics[spice]", "zlib"): (en("compression", E.SPICE_ZLIB, required=True,
                                     nonzero=True),),
    ("graphics[spice]", "playback"): (sw("compression", required=True),),
    ("graphics[spice]", "streaming"): (en("mode", E.SPICE_STREAMING, required=True,
                                          nonzero=True),),
    ("graphics[spice]", "clipboard"): (yn("copypaste", required=True),),
    ("graphics[spice]", "filetransfer"): (yn("enable", required=True),),
    ("graphics[spice]", "gl"): (yn("enable", required=True),),
    ("graphics[spice]", "mouse"): (en("mode", E.MOUSE_MODE, required=True, nonzero=True),),
    ("graphics[dbus]",): (yn("p2p"),),
    ("graphics[dbus]", "gl"): (yn("enable", required=True),),
    ("graphics[dbus]", "audio"): (u("id", required=True, nonzero=True),),
    ("video", "model"): (yn("primary"), en("type", E.VIDEO_TYPE), u("ram"), u("vram"),
                         u("vram64"), u("vgamem"), u("heads"), sw("blob")),
    ("video", "model", "acceleration"): (yn("accel3d"), yn("accel2d")),
    ("video", "model", "resolution"): (u("x", required=True), u("y", required=True)),
    ("video", "driver"): (en("vgaconf", E.VIDEO_VGACONF),
                          en("name", E.VIDEO_BACKEND, nonzero=True), *_VIRTIO_DRIVER),
}

HOSTDEV: Table = {
    ("devices", "hostdev"): (en("mode", E.HOSTDEV_MODE),),
    # ('managed' is read with its error ignored: any value is taken)
    ("devices", "hostdev[pci]"): (sw("display"), sw("ramfb")),
    ("hostdev[usb]", "source"): (en("startupPolicy", E.STARTUP_POLICY, nonzero=True),
                                 yn("autoAddress"),
                                 en("guestReset", E.USB_GUEST_RESET, nonzero=True)),
    ("hostdev[usb]", "source", "vendor"): (u("id", 0, required=True, nonzero=True),),
    ("hostdev[usb]", "source", "product"): (u("id", 0, required=True),),
    ("hostdev[usb]", "source", "address"): (u("bus", 0, required=True),
                                            u("device", 0, required=True)),
    ("hostdev[pci]", "source"): (yn("writeFiltering"),),
    ("hostdev[pci]", "source", "address"): _PCI_ADDR,
    ("hostdev[pci]", "driver"): (en("name", E.PCI_DRIVER_NAME, nonzero=True),),
    ("interface[hostdev]", "driver"): (en("name", E.PCI_DRIVER_NAME, nonzero=True),),
    ("hostdev[scsi]", "source"): (en("protocol", E.SCSI_PROTOCOL),),
    ("hostdev[scsi]", "source", "address"): (u("bus", 0, required=True),
                                             u("target", 0, required=True),
                                             ull("unit", 0, required=True)),
    ("hostdev[scsi_host]", "source"): (en("protocol", E.SCSI_HOST_PROTOCOL, required=True,
                                          nonzero=True),),
    ("devices", "hostdev[scsi_host]"): (en("model", E.VIRTIO_MODEL),),
    ("devices", "hostdev[mdev]"): (en("model", E.MDEV_MODEL, required=True),
                                   sw("display"), sw("ramfb")),
}

DOMAIN: Table = {
    ("domain", "seclabel"): (en("type", E.SECLABEL_TYPE, nonzero=True), yn("relabel")),
    ("domain", "os", "boot"): (en("dev", E.BOOT_DEV, required=True),),
    ("domain", "os", "bootmenu"): (yn("enable"), u("timeout")),
    ("domain", "os", "bios"): (yn("useserial"), i("rebootTimeout")),
    ("domain", "os", "loader"): (yn("readonly"), en("type", E.LOADER_TYPE, nonzero=True),
                                 yn("secure"), yn("stateless"),
                                 en("format", E.STORAGE_FORMAT)),
    ("domain", "os", "nvram[network]", "source"): (en("protocol", E.NET_PROTOCOL,
                                                      required=True),),
    ("domain", "os", "nvram"): (en("templateFormat", E.STORAGE_FORMAT),
                                en("format", E.STORAGE_FORMAT), en("type", E.STORAGE_TYPE)),
    ("domain", "os", "firmware", "feature"): (en("name", E.FIRMWARE_FEATURE, required=True),
                                              yn("enabled", required=True)),
    ("domain", "os", "acpi", "table"): (en("type", E.ACPI_TABLE, required=True),),
    ("domain", "vcpu"): (u("current"), en("placement", E.PLACEMENT)),
    ("domain", "vcpus", "vcpu"): (u("id", required=True), yn("enabled", required=True),
                                  yn("hotpluggable"), u("order")),
    ("domain", "iothreadids", "iothread"): (u("id", required=True, nonzero=True),
                                            i("thread_pool_min", nonnegative=True),
                                            i("thread_pool_max", nonnegative=True)),
    ("domain", "iothreadids", "iothread", "poll"): (ull("max"), ull("grow"), ull("shrink")),
    ("domain", "defaultiothread"): (i("thread_pool_min", nonnegative=True),
                                    i("thread_pool_max", nonnegative=True)),
    ("cputune", "vcpupin"): (u("vcpu", required=True),),
    ("cputune", "iothreadpin"): (u("iothread", required=True, nonzero=True),),
    **{("cputune", s): (en("scheduler", E.SCHED_POLICY, required=True, nonzero=True),)
       for s in ("vcpusched", "iothreadsched", "emulatorsched")},
    ("cputune", "cachetune", "cache"): (u("id", required=True), u("level", required=True),
                                        en("type", E.CACHE_TYPE, required=True)),
    ("cputune", "cachetune", "monitor"): (u("level", required=True),),
    ("cputune", "memorytune", "node"): (u("id", required=True),
                                        u("bandwidth", required=True)),
    ("domain", "memory"): (sw("dumpCore"),),
    ("domain", "clock", "timer"): (en("name", E.TIMER_NAME, required=True), yn("present"),
                                   en("tickpolicy", E.TIMER_TICKPOLICY, nonzero=True),
                                   en("track", E.TIMER_TRACK, nonzero=True),
                                   ull("frequency"), en("mode", E.TIMER_MODE, nonzero=True)),
    ("domain", "clock", "timer", "catchup"): (ull("threshold"), ull("slew"), ull("limit")),
    ("domain", "pm", "suspend-to-mem"): (yn("enabled"),),
    ("domain", "pm", "suspend-to-disk"): (yn("enabled"),),
    ("domain", "perf", "event"): (en("name", E.PERF_EVENT, required=True),
                                  yn("enabled", required=True)),
    ("domain", "keywrap", "cipher"): (en("name", E.KEYWRAP_CIPHER, required=True),
                                      sw("state", required=True)),
    ("domain", "launchSecurity"): (en("type", E.LAUNCH_SECURITY, required=True,
                                      nonzero=True), yn("kernelHashes"), yn("authorKey"),
                                   yn("vcek")),
    ("domain", "sysinfo"): (en("type", E.SYSINFO_TYPE, required=True),),
}

FEATURES: Table = {
    ("features", "hyperv"): (en("mode", E.HYPERV_MODE, nonzero=True),),
    ("features", "hyperv", "*"): (sw("state", required=True),),
    ("features", "kvm", "*"): (sw("state", required=True),),
    ("features", "xen", "*"): (sw("state", required=True),),
    ("features", "xen", "passthrough"): (en("mode", E.XEN_PASSTHROUGH, nonzero=True),),
    ("features", "capabilities"): (en("policy", E.CAPS_POLICY),),
    ("features", "apic"): (sw("eoi"),),
    ("features", "msrs"): (en("unknown", E.MSRS_UNKNOWN, required=True),),
    ("features", "gic"): (en("version", E.GIC_VERSION, nonzero=True),),
    ("features", "ioapic"): (en("driver", E.IOAPIC, nonzero=True),),
    ("features", "hpt"): (en("resizing", E.HPT_RESIZING, nonzero=True),),
    ("features", "cfpc"): (en("value", E.CFPC, nonzero=True),),
    ("features", "sbbc"): (en("value", E.SBBC, nonzero=True),),
    ("features", "ibs"): (en("value", E.IBS, nonzero=True),),
    ("features", "aia"): (en("value", E.AIA, nonzero=True),),
    ("features", "async-teardown"): (yn("enabled"),),
    **{("features", f): (sw("state"),) for f in (
        "vmcoreinfo", "hap", "pmu", "pvspinlock", "vmport", "smm")},
    **{("features", f): (sw("state", required=True),) for f in (
        "htm", "nested-hv", "ccf-assist", "ras", "ps2")},
}

# numa_conf.c (virDomainNumaDefParseXML, virDomainNumatuneParseXML) and cpu_conf.c's topology
NUMA: Table = {
    ("domain", "cpu", "topology"): (u("sockets", required=True, nonzero=True),
                                    u("dies", nonzero=True), u("clusters", nonzero=True),
                                    u("cores", required=True, nonzero=True),
                                    u("threads", required=True, nonzero=True)),
    ("numatune", "memnode"): (u("cellid", required=True),
                              en("mode", E.NUMATUNE_MODE)),
    ("numatune", "memory"): (en("mode", E.NUMATUNE_MODE),),
    ("cpu", "numa", "cell"): (u("id"), en("memAccess", E.MEMORY_ACCESS, nonzero=True),
                              yn("discard")),
    ("numa", "cell", "distances", "sibling"): (u("id", required=True),
                                               u("value", required=True)),
    ("numa", "cell", "cache"): (u("level", required=True, nonzero=True),
                                en("associativity", E.CACHE_ASSOCIATIVITY, required=True),
                                en("policy", E.CACHE_POLICY, required=True)),
    # (a latency's value is read first; a bandwidth's is a size: sizes.py)
    **{("numa", "interconnects", t): (*first, u("initiator", required=True),
                                      u("target", required=True), u("cache"),
                                      en("type", E.MEMORY_LATENCY, required=True, nonzero=True))
       for t, first in (("latency", (ull("value", required=True),)), ("bandwidth", ()))},
}

ALL_TABLES: tuple[Table, ...] = (DEVICE_INFO, DISK, CONTROLLER, FILESYSTEM, INTERFACE, CHARDEV,
                                 MISC_DEVICES, GRAPHICS_VIDEO, HOSTDEV, DOMAIN, FEATURES, NUMA)


def merged() -> dict[tuple[str, ...], tuple[Attr, ...]]:
    """All tables as one (a place named twice gets both lists of reads)."""
    out: dict[tuple[str, ...], tuple[Attr, ...]] = {}
    for table in ALL_TABLES:
        for place, attrs in table.items():
            out[place] = out.get(place, ()) + attrs
    return out
