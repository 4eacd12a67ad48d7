"""xml2argv's own table of QEMU system-emulator command-line options.

What effect analysis needs to know about each option: whether it takes an argument, what
QEMU does when the option appears more than once, which property names the object it
creates (for duplicate-id checks), and in which QEMU versions it exists.

Repetition semantics (`repeat`)
-------------------------------
* ``last``     - a later occurrence replaces the earlier one entirely (``-cpu``, ``-uuid``,
                 ``-kernel``, ``-display``, ...).
* ``merge``    - occurrences are merged key by key, a later key wins and the other keys of
                 the earlier occurrence stay (``-machine``, ``-m``, ``-smp``, ``-name``,
                 ``-boot``, ``-rtc``, ...).  A bare leading value sets ``implied_key``.
* ``fallback`` - ``-accel``: each occurrence is one more accelerator, tried in order; the
                 first one that initialises is used.
* ``repeat``   - every occurrence adds something (``-device``, ``-object``, ``-chardev``,
                 ``-netdev``, ...); when ``id_key`` is set, ids must be unique.
* ``keyed``    - ``-global``: repeatable, but a later value for the same driver.property wins.
* ``flag``     - no argument; repeating it changes nothing.

Provenance
----------
Option names and argument-ness follow QEMU's ``qemu-options.hx`` (the ``DEF(...)`` entries).
Removal and deprecation versions come from QEMU's ``docs/about/removed-features.rst`` and
``docs/about/deprecated.rst``; ``introduced`` is only given for options newer than the
oldest QEMU libvirt 11.3 supports (or where it matters), otherwise None ("always there").
Repetition semantics follow how QEMU's ``system/vl.c`` stores each option (a plain
variable, a QemuOpts list with ``merge_lists``, or the machine option dict).
"""

from __future__ import annotations

from typing import Any

from capsdb.records import dataclass

__all__ = ["QemuOption", "OPTIONS", "RemovedValue", "REMOVED_VALUES", "lookup", "Version"]

Version = tuple[int, int]


@dataclass(frozen=True)
class QemuOption:
    """One QEMU command-line option: argument, repetition semantics, versions."""

    name: str                       # without the leading dash
    takes_arg: bool
    repeat: str                     # last | merge | fallback | repeat | keyed | flag
    implied_key: str | None = None  # key a bare leading value sets (merge options)
    id_key: str | None = None       # property naming what the option creates
    introduced: Version | None = None
    deprecated: Version | None = None
    removed: Version | None = None
    replacement: str | None = None  # what to use instead (removed/deprecated options)

    def exists_in(self, version: Version) -> bool:
        if self.introduced is not None and version < self.introduced:
            return False
        return self.removed is None or version < self.removed

    def deprecated_in(self, version: Version) -> bool:
        return (self.deprecated is not None and version >= self.deprecated
                and (self.removed is None or version < self.removed))


@dataclass(frozen=True)
class RemovedValue:
    """A value or property of an option that QEMU removed while the option stayed."""
    option: str
    kind: str          # 'backend' (the leading word / driver) | 'property'
    name: str
    removed: Version
    replacement: str


def _o(name: str, arg: bool, repeat: str, **kw: Any) -> QemuOption:
    return QemuOption(name, arg, repeat, **kw)


_TABLE: tuple[QemuOption, ...] = (
    # --- standard options -------------------------------------------------------------
    _o("h", False, "flag"), _o("help", False, "flag"), _o("version", False, "flag"),
    _o("machine", True, "merge", implied_key="type"),
    _o("cpu", True, "last"),
    _o("accel", True, "fallback", implied_key="accel"),
    _o("smp", True, "merge", implied_key="cpus"),
    _o("numa", True, "repeat"),
    _o("add-fd", True, "repeat"),
    _o("set", True, "repeat"),
    _o("global", True, "keyed"),
    _o("boot", True, "merge", implied_key="order"),
    _o("m", True, "merge", implied_key="size"),
    _o("mem-path", True, "last"),
    _o("mem-prealloc", False, "flag"),
    _o("k", True, "last"),
    _o("audio", True, "repeat", introduced=(7, 1)),
    _o("audiodev", True, "repeat", id_key="id"),
    _o("device", True, "repeat", id_key="id"),
    _o("name", True, "merge", implied_key="guest"),
    _o("uuid", True, "last"),
    # --- block devices ------------------------------------------------------------------
    _o("fda", True, "last"), _o("fdb", True, "last"),
    _o("hda", True, "last"), _o("hdb", True, "last"),
    _o("hdc", True, "last"), _o("hdd", True, "last"),
    _o("cdrom", True, "last"),
    _o("blockdev", True, "repeat", id_key="node-name"),
    _o("drive", True, "repeat", id_key="id"),
    _o("mtdblock", True, "repeat"), _o("sd", True, "repeat"), _o("pflash", True, "repeat"),
    _o("snapshot", False, "flag"),
    _o("fsdev", True, "repeat", id_key="id"),
    _o("virtfs", True, "repeat"),
    _o("iscsi", True, "repeat"),
    # --- USB, display -------------------------------------------------------------------
    _o("usb", False, "flag"),
    _o("usbdevice", True, "repeat"),
    _o("display", True, "last", implied_key="type"),
    _o("nographic", False, "flag"),
    _o("spice", True, "merge"),
    _o("vga", True, "last"),
    _o("full-screen", False, "flag"),
    _o("g", True, "last"),
    _o("vnc", True, "repeat"),
    _o("win2k-hack", False, "flag"),
    _o("no-fd-bootchk", False, "flag"),
    # --- i386 / firmware tables -----------------------------------------------------------
    _o("acpitable", True, "repeat"),
    _o("smbios", True, "repeat"),
    # --- network, character devices, TPM ----------------------------------------------------
    _o("netdev", True, "repeat", id_key="id"),
    _o("nic", True, "repeat"),
    _o("net", True, "repeat"),
    _o("chardev", True, "repeat", id_key="id"),
    _o("tpmdev", True, "repeat", id_key="id"),
    # --- boot images --------------------------------------------------------------------
    _o("bios", True, "last"),
    _o("kernel", True, "last"),
    _o("shim", True, "last", introduced=(10, 0)),
    _o("append", True, "last"),
    _o("initrd", True, "last"),
    _o("dtb", True, "last"),
    # --- debug/expert -------------------------------------------------------------------
    _o("compat", True, "last", introduced=(6, 0)),
    _o("fw_cfg", True, "repeat"),
    _o("serial", True, "repeat"),
    _o("parallel", True, "repeat"),
    _o("monitor", True, "repeat"),
    _o("qmp", True, "repeat"),
    _o("qmp-pretty", True, "repeat"),
    _o("mon", True, "repeat", id_key="id"),
    _o("debugcon", True, "repeat"),
    _o("pidfile", True, "last"),
    _o("preconfig", False, "flag"),
    _o("S", False, "flag"),
    _o("overcommit", True, "merge"),
    _o("gdb", True, "last"), _o("s", False, "flag"),
    _o("d", True, "last"), _o("D", True, "last"), _o("dfilter", True, "last"),
    _o("seed", True, "last"),
    _o("L", True, "repeat"),
    _o("enable-kvm", False, "flag"),
    _o("xen-domid", True, "last"), _o("xen-attach", False, "flag"),
    _o("xen-domid-restrict", False, "flag"),
    _o("no-reboot", False, "flag"),
    _o("no-shutdown", False, "flag"),
    _o("action", True, "merge", introduced=(6, 0)),
    _o("loadvm", True, "last"),
    _o("daemonize", False, "flag"),
    _o("option-rom", True, "repeat"),
    _o("rtc", True, "merge"),
    _o("icount", True, "last"),
    _o("watchdog-action", True, "last"),
    _o("echr", True, "last"),
    _o("incoming", True, "last"),
    _o("only-migratable", False, "flag"),
    _o("nodefaults", False, "flag"),
    _o("prom-env", True, "repeat"),
    _o("semihosting", False, "flag"),
    _o("semihosting-config", True, "merge"),
    _o("sandbox", True, "merge"),
    _o("readconfig", True, "repeat"),
    _o("no-user-config", False, "flag"),
    _o("trace", True, "repeat"),
    _o("plugin", True, "repeat"),
    _o("run-with", True, "merge", introduced=(8, 1)),
    _o("msg", True, "merge"),
    _o("dump-vmstate", True, "last"),
    _o("enable-sync-profile", False, "flag"),
    _o("perfmap", False, "flag"), _o("jitdump", False, "flag"),
    _o("object", True, "repeat", id_key="id"),
    _o("qtest", True, "last"), _o("qtest-log", True, "last"),
    # --- deprecated or removed (docs/about/removed-features.rst) ----------------------------
    _o("old-param", False, "flag", removed=(10, 2), replacement="a kernel using ATAGS or DTB"),
    _o("runas", True, "last", deprecated=(9, 1), removed=(10, 0),
       replacement="-run-with user=..."),
    _o("portrait", False, "flag", removed=(9, 2), replacement="nothing"),
    _o("rotate", True, "last", removed=(9, 2), replacement="nothing"),
    _o("no-hpet", False, "flag", deprecated=(8, 0), removed=(9, 0),
       replacement="-machine hpet=off"),
    _o("no-acpi", False, "flag", deprecated=(8, 0), removed=(9, 0),
       replacement="-machine acpi=off"),
    _o("async-teardown", False, "flag", deprecated=(8, 1), removed=(9, 0),
       replacement="-run-with async-teardown=on"),
    _o("chroot", True, "last", deprecated=(8, 1), removed=(9, 0),
       replacement="-run-with chroot=DIR"),
    _o("singlestep", False, "flag", deprecated=(8, 1), removed=(9, 0),
       replacement="-accel tcg,one-insn-per-tb=on"),
    _o("audio-help", False, "flag", removed=(8, 2), replacement="-audiodev help"),
    _o("enable-hax", False, "flag", removed=(8, 2), replacement="another accelerator"),
    _o("watchdog", True, "last", removed=(7, 2), replacement="-device (a watchdog device)"),
    _o("soundhw", True, "repeat", deprecated=(5, 1), removed=(7, 1),
       replacement="-device (a sound card) or -audio"),
    _o("sdl", False, "flag", deprecated=(6, 2), removed=(7, 1), replacement="-display sdl"),
    _o("curses", False, "flag", deprecated=(6, 2), removed=(7, 1),
       replacement="-display curses"),
    _o("alt-grab", False, "flag", deprecated=(6, 2), removed=(7, 1),
       replacement="-display sdl,grab-mod=lshift-lctrl-lalt"),
    _o("ctrl-grab", False, "flag", deprecated=(6, 2), removed=(7, 1),
       replacement="-display sdl,grab-mod=rctrl"),
    _o("enable-fips", False, "flag", removed=(7, 1),
       replacement="a QEMU built with gnutls or libgcrypt"),
    _o("writeconfig", True, "last", removed=(7, 1), replacement="nothing"),
    _o("no-quit", False, "flag", removed=(7, 0),
       replacement="-display ...,window-close=off"),
    _o("realtime", True, "last", removed=(6, 0), replacement="-overcommit mem-lock=on|off"),
    _o("show-cursor", False, "flag", removed=(6, 0),
       replacement="-display sdl,show-cursor=on"),
    _o("tb-size", True, "last", removed=(6, 0), replacement="-accel tcg,tb-size=N"),
    _o("no-kvm", False, "flag", removed=(5, 2), replacement="-accel tcg"),
    _o("balloon", True, "last", removed=(3, 1), replacement="-device virtio-balloon"),
    _o("bootp", True, "last", removed=(3, 1), replacement="-netdev user,bootp=..."),
    _o("redir", True, "repeat", removed=(3, 1), replacement="-netdev user,hostfwd=..."),
    _o("smb", True, "last", removed=(3, 1), replacement="-netdev user,smb=..."),
    _o("tftp", True, "last", removed=(3, 1), replacement="-netdev user,tftp=..."),
    _o("localtime", False, "flag", removed=(3, 1), replacement="-rtc base=localtime"),
    _o("nodefconfig", False, "flag", removed=(3, 1), replacement="-no-user-config"),
    _o("rtc-td-hack", False, "flag", removed=(3, 1), replacement="-rtc driftfix=slew"),
    _o("startdate", True, "last", removed=(3, 1), replacement="-rtc base=DATE"),
    _o("no-kvm-irqchip", False, "flag", removed=(3, 0),
       replacement="-machine kernel_irqchip=off"),
    _o("no-kvm-pit-reinjection", False, "flag", removed=(3, 0),
       replacement="-global kvm-pit.lost_tick_policy=discard"),
    _o("hdachs", True, "last", removed=(2, 12), replacement="-device ide-hd,cyls=,heads=,secs="),
    _o("no-kvm-pit", False, "flag", removed=(2, 12), replacement="nothing"),
    _o("tdf", False, "flag", removed=(2, 12), replacement="nothing"),
)

# spellings QEMU accepts for the same option
_ALIASES = {"M": "machine"}

OPTIONS: dict[str, QemuOption] = {o.name: o for o in _TABLE}

REMOVED_VALUES: tuple[RemovedValue, ...] = (
    RemovedValue("chardev", "backend", "tty", (8, 0), "serial"),
    RemovedValue("chardev", "backend", "parport", (8, 0), "parallel"),
    RemovedValue("spice", "property", "password", (8, 0), "password-secret=SECRET_ID"),
    RemovedValue("display", "property", "window_close", (7, 1), "window-close"),
    RemovedValue("display", "property", "alt_grab", (7, 1), "grab-mod=lshift-lctrl-lalt"),
    RemovedValue("display", "property", "ctrl_grab", (7, 1), "grab-mod=rctrl"),
    RemovedValue("vnc", "property", "acl", (6, 0), "tls-authz / sasl-authz"),
)


def option_name(token: str) -> str | None:
    """The option a command-line token names ('-cpu' and '--cpu' -> 'cpu'), or None."""
    if not token.startswith("-") or token in ("-", "--"):
        return None
    name = token[2:] if token.startswith("--") else token[1:]
    return _ALIASES.get(name, name)


def lookup(token: str) -> QemuOption | None:
    """The table entry for an option token, or None for an unknown option."""
    name = option_name(token)
    return OPTIONS.get(name) if name else None


def format_version(v: Version) -> str:
    return f"{v[0]}.{v[1]}"
