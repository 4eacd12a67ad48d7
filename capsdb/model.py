"""The capability profile of one QEMU binary, as the translator consumes it.

A `Caps` is immutable: toggles (profile -> `<qemu:add>` -> `<qemu:del>`) produce a new
object, so a builder can never observe capabilities changing half-way through a build.
"""

from __future__ import annotations

from dataclasses import field, replace
from typing import Iterable, Mapping

from .records import dataclass


class CapsFileError(ValueError):
    """A capability file that cannot be read as libvirt's `<qemuCaps>` format."""


@dataclass(frozen=True)
class Machine:
    """One machine type as QEMU reported it for one accelerator."""

    name: str
    alias: str | None = None
    max_cpus: int = 0
    default: bool = False
    default_cpu: str | None = None  # QOM type name, e.g. 'qemu64-x86_64-cpu'
    default_ram_id: str | None = None
    deprecated: bool = False
    acpi: bool | None = None
    hotplug_cpus: bool = False
    numa_mem_supported: bool = False


@dataclass(frozen=True)
class CpuModel:
    """One CPU model as QEMU reported it for one accelerator."""

    name: str
    typename: str | None = None
    usable: bool | None = None
    deprecated: bool = False
    # the features QEMU said keep the model from running on this host (usable='no')
    blockers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CpuProp:
    """One property of QEMU's expansion of the host CPU model (`<hostCPU><property>`)."""

    name: str
    type: str                  # 'boolean', 'string' or 'number'
    value: str                 # 'true'/'false' for booleans
    migratable: bool | None = None  # None: QEMU did not say

    @property
    def enabled(self) -> bool:
        return self.type == "boolean" and self.value == "true"


@dataclass(frozen=True)
class HostCpu:
    """QEMU's expansion of the host CPU for one accelerator (`<hostCPU>`): what libvirt
    decodes into the host-model CPU."""

    model: str
    migratability: bool
    props: tuple[CpuProp, ...] = ()
    deprecated: tuple[str, ...] = ()  # <deprecatedFeatures>: what deprecated_features='off' disables


@dataclass(frozen=True)
class ProbedHostCpu:
    """The host CPU as libvirt's own probe describes it (virQEMUCapsProbeHostCPU): a
    model, its vendor and the extra features in the probe's order.  libvirt builds the
    host-model CPU from it when QEMU reported no expansion of its own."""

    model: str
    vendor: str | None = None
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class Caps:
    """Everything the translator needs to know about one QEMU version and arch."""

    version: int  # libvirt encoding: major*1_000_000 + minor*1_000 + micro
    arch: str
    flags: frozenset[str]
    machines: dict[str, tuple[Machine, ...]] = field(default_factory=dict)  # by 'kvm'/'tcg'
    cpus: dict[str, tuple[CpuModel, ...]] = field(default_factory=dict)
    host_cpu_model: str | None = None
    # the boolean properties QEMU reported for the host CPU model (KVM), in file order;
    # libvirt expands a host-model CPU into the model plus these features on some arches
    host_cpu_props: tuple[tuple[str, bool], ...] = ()
    # every <hostCPU> of the file by accelerator ('kvm', 'tcg', 'hvf')
    host_cpus: dict[str, HostCpu] = field(default_factory=dict)
    # the ARM GIC versions QEMU offers (<gic version kernel emulated>): (version, in the
    # host kernel (KVM), emulated (TCG)), in file order
    gic: tuple[tuple[str, bool, bool], ...] = ()
    variant: str | None = None
    package: str | None = None
    emulator: str | None = None
    # the host's AMD SEV platform facts (<sev>): libvirt fills them into a launchSecurity
    # that leaves them out
    sev_cbitpos: int | None = None
    sev_reduced_phys_bits: int | None = None
    # the host CPU libvirt probed itself, which the host-model CPU comes from when
    # `host_cpus` holds no expansion from QEMU (see with_probed_host_cpu)
    probed_host_cpu: ProbedHostCpu | None = None

    # --- capability flags -------------------------------------------------------------
    def has(self, flag: str) -> bool:
        return flag in self.flags

    def with_changes(self, add: Iterable[str] = (), remove: Iterable[str] = ()) -> "Caps":
        """Return a copy with `add` applied first and `remove` second (libvirt's order)."""
        flags = set(self.flags)
        flags.update(add)
        flags.difference_update(remove)
        return replace(self, flags=frozenset(flags))

    def supports_gic(self, version: str, virt_type: str) -> bool:
        """virQEMUCapsSupportsGICVersion: KVM needs the host kernel's GIC, TCG QEMU's
        emulation; no other accelerator uses either."""
        return any(v == version and ((virt_type == "kvm" and kernel) or
                                     (virt_type == "qemu" and emulated))
                   for v, kernel, emulated in self.gic)

    def with_probed_host_cpu(self, cpu: ProbedHostCpu) -> "Caps":
        """virQEMUCapsUpdateHostCPUModel after the host CPU changed: QEMU's expansions are
        dropped and the host-model CPU of every accelerator is made from `cpu` instead."""
        return replace(self, host_cpus={}, probed_host_cpu=cpu)

    # --- versions -----------------------------------------------------------------------
    @property
    def version_tuple(self) -> tuple[int, int, int]:
        v = self.version
        return (v // 1_000_000, (v // 1_000) % 1_000, v % 1_000)

    @property
    def version_string(self) -> str:
        major, minor, micro = self.version_tuple
        return f"{major}.{minor}.{micro}"

    # --- machine types ------------------------------------------------------------------
    def _accel(self, virt_type: str, table: Mapping[str, object]) -> str:
        """libvirt's virQEMUCapsGetAccel: KVM and HVF have their own data, the rest is TCG's."""
        if virt_type in ("kvm", "hvf") and virt_type in table:
            return virt_type
        return "tcg"

    def machine_list(self, virt_type: str = "kvm") -> tuple[Machine, ...]:
        accel = self._accel(virt_type, self.machines)
        return self.machines.get(accel) or self.machines.get("kvm") or ()

    def find_machine(self, name: str, virt_type: str = "kvm") -> Machine | None:
        """Look a machine up by name or alias."""
        for m in self.machine_list(virt_type):
            if m.name == name or m.alias == name:
                return m
        return None

    def default_machine(self, virt_type: str = "kvm") -> Machine | None:
        for m in self.machine_list(virt_type):
            if m.default:
                return m
        machines = self.machine_list(virt_type)
        return machines[0] if machines else None

    def canonical_machine(self, name: str, virt_type: str = "kvm") -> str:
        """Resolve an alias such as 'pc' or 'q35' to the versioned machine type."""
        for m in self.machine_list(virt_type):
            if m.alias == name:
                return m.name
        return name

    # --- CPU models ---------------------------------------------------------------------
    def cpu_models(self, virt_type: str = "kvm") -> tuple[CpuModel, ...]:
        accel = self._accel(virt_type, self.cpus)
        return self.cpus.get(accel) or self.cpus.get("kvm") or ()

    def host_cpu(self, virt_type: str = "kvm") -> HostCpu | None:
        """QEMU's host CPU expansion for the accelerator of `virt_type` (libvirt's
        virQEMUCapsGetAccel: kvm and hvf have their own, everything else is tcg)."""
        return self.host_cpus.get(self._accel(virt_type, self.host_cpus))

    def find_cpu(self, name: str, virt_type: str = "kvm") -> CpuModel | None:
        for c in self.cpu_models(virt_type):
            if c.name == name:
                return c
        return None

    def cpu_name_for_type(self, typename: str, virt_type: str = "kvm") -> str | None:
        """Map a QOM CPU type name ('qemu64-x86_64-cpu') back to the model name."""
        for c in self.cpu_models(virt_type):
            if c.typename == typename:
                return c.name
        suffix = f"-{self.arch}-cpu"
        if typename.endswith(suffix):
            return typename[: -len(suffix)]
        return None
