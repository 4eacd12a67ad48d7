"""What every builder may read: the prepared domain, the effective caps, the host."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from capsdb import Caps

from capsdb.records import dataclass
from .arches import X86_ARCHES
from .cmdline import CommandLine
from .machine_names import i440fx_named, q35_named
from .model import Controller, Domain
from .profiles import HostProfile

if TYPE_CHECKING:
    from .policy.base import MachinePolicy


@dataclass
class BuildContext:
    domain: Domain
    caps: Caps
    host: HostProfile
    cmd: CommandLine = field(default_factory=CommandLine)
    # libvirt's VIR_DOMAIN_DEF_PARSE_ABI_UPDATE: the domain is being defined anew, so
    # defaults that would change an existing guest's ABI may be updated
    abi_update: bool = False
    # the URI QEMU receives the guest's state from (libvirt's migrateURI, `-incoming`):
    # the start is then one of an existing guest, not a new one (VIR_QEMU_PROCESS_START_NEW)
    incoming: str | None = None
    # descriptors opened for vhost-vdpa disk devices before building, by device path
    vdpa_fds: dict[str, int] = field(default_factory=dict)
    # counters shared by builders (libvirt numbers some objects per domain)
    counters: dict[str, int] = field(default_factory=dict)
    # id(device) -> boot index, computed once on first use (command/disks.py:boot_index)
    boot_indexes: dict[int, int] | None = None
    # PCI bus index -> the first PCI controller with that index, made once on first use
    # while the command line is built (command/device.py:bus_alias_for_pci)
    pci_buses: dict[int, Controller] | None = None
    # the architecture/machine policy, chosen once the machine type is known (prepare)
    _policy: MachinePolicy | None = field(default=None, repr=False)
    # the machine facts (canonical name, q35, i440fx) for (machine, virt type, caps):
    # builders ask dozens of times per domain, the answers change only when the machine is
    # defaulted (prepare)
    _machine_facts: tuple[str, str, Caps, str, bool, bool] | None = field(default=None,
                                                                          repr=False)

    @property
    def policy(self) -> MachinePolicy:
        """The domain's architecture/machine policy (translator/policy)."""
        if self._policy is None:
            raise RuntimeError("the machine policy is chosen after the machine default")
        return self._policy

    @policy.setter
    def policy(self, value: MachinePolicy) -> None:
        self._policy = value

    @property
    def start_new(self) -> bool:
        """VIR_QEMU_PROCESS_START_NEW: a fresh guest, not one restored or migrated in."""
        return self.incoming is None

    # -- machine facts --------------------------------------------------------------------
    @property
    def machine(self) -> str:
        return self.domain.os.machine or ""

    def _facts(self) -> tuple[str, str, Caps, str, bool, bool]:
        machine, virt_type, caps = self.domain.os.machine or "", self.domain.virt_type, self.caps
        memo = self._machine_facts
        if memo is None or memo[0] != machine or memo[1] != virt_type or memo[2] is not caps:
            canonical = caps.canonical_machine(machine, virt_type)
            memo = self._machine_facts = (machine, virt_type, caps, canonical,
                                          q35_named(canonical), i440fx_named(canonical))
        return memo

    @property
    def canonical_machine(self) -> str:
        """The versioned machine type the domain's machine (maybe an alias) stands for."""
        return self._facts()[3]

    @property
    def is_q35(self) -> bool:
        return self._facts()[4]

    @property
    def is_i440fx(self) -> bool:
        return self._facts()[5]

    @property
    def is_x86(self) -> bool:
        return self.arch in X86_ARCHES

    @property
    def arch(self) -> str:
        return self.domain.os.arch or self.caps.arch

    @property
    def is_kvm(self) -> bool:
        return self.domain.virt_type == "kvm"

    def has(self, flag: str) -> bool:
        return self.caps.has(flag)

    def next(self, counter: str) -> int:
        n = self.counters.get(counter, 0)
        self.counters[counter] = n + 1
        return n

    def next_daemon_fd(self) -> int:
        """The next descriptor the daemon opens while building the command line.

        A real daemon hands out its lowest free descriptors, which nobody can know in
        advance; the profile numbers them consecutively from `daemon_fd_base` instead, in
        the order libvirt opens them (each interface's taps, then its vhost-net devices).
        """
        base = self.host.daemon_fd_base
        if base is None:
            raise ValueError("the host profile passes fixed descriptors")
        return base + self.next("daemon-fd")

    def passed_fd(self, fixed: int | None) -> int | None:
        """A descriptor libvirt opens and passes to QEMU: None (a path instead) and
        negative values ("not opened") as they are; else the daemon's next descriptor when
        the profile numbers them, or the profile's fixed number (the harness's mocks)."""
        if fixed is None or fixed < 0 or self.host.daemon_fd_base is None:
            return fixed
        return self.next_daemon_fd()

    @property
    def domain_dir(self) -> str:
        return self.host.domain_dir(self.domain.name)
