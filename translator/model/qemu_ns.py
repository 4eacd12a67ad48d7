"""The libvirt qemu XML namespace (http://libvirt.org/schemas/domain/qemu/1.0)."""

from __future__ import annotations

from capsdb.records import dataclass


QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"


@dataclass(frozen=True)
class NsArg:
    """A <qemu:arg>, appended to the command line."""

    value: str
    line: int | None = None


@dataclass(frozen=True)
class NsEnv:
    """A <qemu:env> variable."""

    name: str
    value: str | None
    line: int | None = None


@dataclass(frozen=True)
class NsProperty:
    """A <qemu:property> of a <qemu:override> frontend."""

    name: str
    type: str            # string | signed | unsigned | bool | remove
    value: str | None
    line: int | None = None


@dataclass(frozen=True)
class NsDeviceOverride:
    """A <qemu:device> override: properties for the device with that alias."""

    alias: str
    frontend: tuple[NsProperty, ...]
    line: int | None = None


@dataclass(frozen=True)
class NsCapToggle:
    """A <qemu:add> or <qemu:del> capability toggle."""

    name: str
    line: int | None = None


@dataclass(frozen=True)
class QemuNamespace:
    """Everything the domain's qemu: namespace elements ask for."""

    args: tuple[NsArg, ...] = ()
    env: tuple[NsEnv, ...] = ()
    caps_add: tuple[NsCapToggle, ...] = ()
    caps_del: tuple[NsCapToggle, ...] = ()
    overrides: tuple[NsDeviceOverride, ...] = ()
    deprecation: str | None = None
    deprecation_line: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.args or self.env or self.caps_add or self.caps_del
                    or self.overrides or self.deprecation)
