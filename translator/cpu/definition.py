"""A CPU definition as libvirt's virCPUDef holds it while the guest CPU is updated.

Only what the command line needs: mode, match, fallback, model, vendor, vendor_id and the
ordered (name, policy) features.  The helpers keep libvirt's list semantics
(virCPUDefUpdateFeature replaces a policy in place or appends; AddFeatureIfMissing appends
only a new name), because the order of `-cpu` features is the order of this list.
"""

from __future__ import annotations

from dataclasses import field

from capsdb.records import dataclass

REQUIRE, FORCE, OPTIONAL, DISABLE, FORBID = "require", "force", "optional", "disable", "forbid"
POLICIES = (FORCE, REQUIRE, OPTIONAL, DISABLE, FORBID)


@dataclass
class CpuDef:
    mode: str = "custom"
    match: str = "exact"
    fallback: str = "allow"
    check: str | None = None
    model: str | None = None
    vendor: str | None = None      # libvirt's vendor name ('Intel', 'AMD'): never printed
    vendor_id: str | None = None   # <model vendor_id=...>: printed as vendor=
    features: list[list[str]] = field(default_factory=list)  # [name, policy]

    def policy_of(self, name: str) -> str | None:
        for fname, policy in self.features:
            if fname == name:
                return policy
        return None

    def update_feature(self, name: str, policy: str) -> None:
        """virCPUDefUpdateFeature: change the policy of a listed feature, else append it."""
        for f in self.features:
            if f[0] == name:
                f[1] = policy
                return
        self.features.append([name, policy])

    def add_feature_if_missing(self, name: str, policy: str) -> None:
        """virCPUDefAddFeatureIfMissing."""
        if self.policy_of(name) is None:
            self.features.append([name, policy])

    def copy(self) -> "CpuDef":
        return CpuDef(self.mode, self.match, self.fallback, self.check, self.model, self.vendor,
                      self.vendor_id, [list(f) for f in self.features])
