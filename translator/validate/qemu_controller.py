"""Controllers (qemu_validate.c): qemuValidateDomainDeviceDefController with the SCSI model,
attribute, IDE, SATA, SCSI-iothread and PCI-controller option checks.

The PCI options libvirt fills in itself (modelName, chassis, port, busNr) are only checked
where the user gave them: this project fills them in later, while building.
"""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import Elem
from ..model.devices import Controller, Disk
from ..model.address import DriveAddress
from .. import machines as m
from .qemu_disk import iothread_ids, validate_iothread_mapping

CONFIG = ErrorCode.CONFIG_UNSUPPORTED

VIRTIO_SCSI = ("virtio-scsi", "virtio-transitional", "virtio-non-transitional")

_NO_VIRTIO_SCSI = "This QEMU doesn't support virtio scsi controller"
# SCSI controller model -> (capability, libvirt's refusal without it)
_SCSI_MODEL_CAPS = {
    "lsilogic": ("lsi", "This QEMU doesn't support the LSI 53C895A SCSI controller"),
    "virtio-scsi": ("virtio-scsi-pci", _NO_VIRTIO_SCSI),
    "virtio-transitional": ("virtio-scsi-pci", _NO_VIRTIO_SCSI),
    "virtio-non-transitional": ("virtio-scsi-pci", _NO_VIRTIO_SCSI),
    "lsisas1068": ("mptsas1068",
                   "This QEMU doesn't support the LSI SAS1068 (MPT Fusion) controller"),
    "lsisas1078": ("megasas", "This QEMU doesn't support the LSI SAS1078 (MegaRAID) controller"),
    "vmpvscsi": ("pvscsi",
                 "This QEMU doesn't support the pvscsi (VMware paravirtual SCSI) controller"),
}
# driver options of virtio-scsi alone, with libvirt's refusal elsewhere
_VIRTIO_SCSI_OPTIONS = (
    ("queues", "'queues' is only supported by virtio-scsi controller"),
    ("cmd_per_lun", "'cmd_per_lun' is only supported by virtio-scsi controller"),
    ("max_sectors", "'max_sectors' is only supported by virtio-scsi controller"),
    ("ioeventfd", "'ioeventfd' is only supported by virtio-scsi controller"),
    ("iothread", "'iothread' is only supported for virtio-scsi controller"),
)

# PCI controller model -> the modelNames it accepts (the first is the default)
_PCI_MODEL_NAMES = {
    "pci-bridge": ("pci-bridge",), "dmi-to-pci-bridge": ("i82801b11-bridge",),
    "pcie-root-port": ("pcie-root-port", "ioh3420"),
    "pcie-switch-upstream-port": ("x3130-upstream",),
    "pcie-switch-downstream-port": ("xio3130-downstream",),
    "pci-expander-bus": ("pxb",), "pcie-expander-bus": ("pxb-pcie",),
    "pcie-to-pci-bridge": ("pcie-pci-bridge",),
}
# modelName -> the capability its QEMU device needs
_MODEL_NAME_CAPS = {
    "pci-bridge": "pci-bridge", "i82801b11-bridge": "dmi-to-pci-bridge",
    "ioh3420": "ioh3420", "x3130-upstream": "x3130-upstream",
    "xio3130-downstream": "xio3130-downstream", "pxb": "pxb", "pxb-pcie": "pxb-pcie",
    "pcie-root-port": "pcie-root-port", "spapr-pci-host-bridge": "spapr-pci-host-bridge",
    "pcie-pci-bridge": "pcie-pci-bridge",
}
_ROOTS = ("pci-root", "pcie-root")


def _drv(c: Controller, attr: str) -> str | None:
    return c.driver.get(attr) if c.driver is not None else None


def _has_builtin_ide(ctx: BuildContext) -> bool:
    return m.is_i440fx(ctx) or m.machine(ctx) in ("malta", "sun4u", "g3beige")


def _scsi_model(ctx: BuildContext, c: Controller) -> None:
    """qemuValidateCheckSCSIControllerModel."""
    model = c.model or ""
    if model in _SCSI_MODEL_CAPS:
        cap, message = _SCSI_MODEL_CAPS[model]
        if not ctx.has(cap):
            refuse(CONFIG, message)
    elif model == "buslogic":
        refuse(CONFIG, f"Unsupported controller model: {model}")


def _attributes(c: Controller) -> None:
    """qemuValidateDomainDeviceDefControllerAttributes: virtio-scsi-only driver options."""
    if (c.type == "scsi" and c.model in VIRTIO_SCSI) or c.driver is None:
        return
    for attr, message in _VIRTIO_SCSI_OPTIONS:
        if _drv(c, attr) not in (None, "0"):
            refuse(CONFIG, message)


def _scsi(ctx: BuildContext, c: Controller) -> None:
    """qemuValidateDomainDeviceDefControllerSCSI and its iothread checks."""
    if c.model in VIRTIO_SCSI:
        iothread = _drv(c, "iothread")
        tid = int(iothread) if iothread and iothread.isdigit() else 0
        mapping = c.driver.find("iothreads") if c.driver is not None else None
        if tid == 0 and mapping is None:
            return
        addr = c.elem.find("address")
        if addr is not None and addr.get("type") not in ("pci", "ccw"):
            refuse(CONFIG, "virtio-scsi IOThreads only available for virtio pci and virtio ccw "
                           "controllers")
        if mapping is not None:
            if not ctx.has("virtio-scsi.iothread-mapping"):
                refuse(CONFIG, "IOThread mapping for virtio-scsi controllers is not available "
                               "with this QEMU binary")
            queues = _drv(c, "queues")
            validate_iothread_mapping(ctx, mapping, int(queues) if queues and queues.isdigit()
                                      else 0)
        if tid and tid not in iothread_ids(ctx.domain):
            refuse(CONFIG, f"controller iothread '{tid}' not defined in iothreadid")
    elif c.model == "ncr53c90":
        if c.index != 0:
            refuse(CONFIG, "ncr53c90 can only be used as first SCSI controller")
        if not (ctx.arch == "sparc" or (ctx.arch.startswith("mips64")
                                        and m.machine(ctx) in ("magnum", "pica61"))):
            refuse(CONFIG, "ncr53c90 SCSI controller is not a built-in for this machine")


def _ide(ctx: BuildContext, index: int) -> None:
    """qemuValidateDomainDeviceDefControllerIDE: only a machine's built-in IDE controller."""
    if index == 0 and _has_builtin_ide(ctx):
        return
    if _has_builtin_ide(ctx):
        refuse(CONFIG, "Only a single IDE controller is supported for this machine type")
    refuse(CONFIG, "IDE controllers are unsupported for this QEMU binary or machine type")


def _sata(ctx: BuildContext, c: Controller) -> None:
    if c.index == 0 and m.is_q35(ctx):
        return
    if not ctx.has("ich9-ahci"):
        refuse(CONFIG, "SATA is not supported with this QEMU binary")


def _pci_option(c: Controller, name: str, option: str) -> str:
    return (f"Option '{option}' is not valid for PCI controller with index '{c.index}', model "
            f"'{c.model}' and modelName '{name}'")


def _pci(ctx: BuildContext, c: Controller) -> None:
    """qemuValidateDomainDeviceDefControllerPCI, for the options the user wrote."""
    model = c.model or ""
    given = c.elem.attr_at("name", "model")
    allowed = _PCI_MODEL_NAMES.get(model, ())
    name = given or (allowed[0] if allowed else "none")
    if model == "pcie-root-port" and not given and not ctx.has("pcie-root-port"):
        name = "ioh3420"
    if model == "pci-root" and not given and m.is_pseries(ctx):
        name = "spapr-pci-host-bridge"  # every pSeries PCI root is a PHB
    target = c.target or Elem(tag="target")
    if model == "pci-root" and not m.is_pseries(ctx) and given:
        refuse(CONFIG, _pci_option(c, name, "modelName"))
    if model == "pcie-root" and given:
        refuse(CONFIG, _pci_option(c, name, "modelName"))
    valid = allowed or (("spapr-pci-host-bridge",) if model == "pci-root" else ())
    if given and given not in valid:
        refuse(CONFIG, f"Option 'modelName' has invalid value for PCI controller with index "
                       f"'{c.index}', model '{model}' and modelName '{given}'")
    phb = model == "pci-root" and name == "spapr-pci-host-bridge"
    if model in _PCI_MODEL_NAMES and c.index == 0:
        refuse(CONFIG, f"Index for '{model}' controllers must be > 0")
    if model in _ROOTS and not phb and c.index != 0:
        refuse(CONFIG, f"Index for '{model}' controllers must be 0")
    if target.get("index") is not None and not phb:
        refuse(CONFIG, _pci_option(c, name, "targetIndex"))
    hole = c.elem.find("pcihole64")
    if hole is not None:
        if (model == "pci-root" and not m.is_i440fx(ctx)) or \
                (model == "pcie-root" and not m.is_q35(ctx)):
            refuse(CONFIG, "Setting the 64-bit PCI hole size is not supported for machine "
                           f"'{m.machine(ctx)}'")
        if model not in _ROOTS:
            refuse(CONFIG, _pci_option(c, name, "pcihole64"))
    if target.get("busNr") is not None and model not in ("pci-expander-bus",
                                                         "pcie-expander-bus"):
        refuse(CONFIG, _pci_option(c, name, "busNr"))
    if target.find("node") is not None:
        if model in ("pci-expander-bus", "pcie-expander-bus"):
            pass
        elif not phb or target.get("index") == "0":
            refuse(CONFIG, _pci_option(c, name, "numaNode"))
    if target.get("chassisNr") is not None and model != "pci-bridge":
        refuse(CONFIG, _pci_option(c, name, "chassisNr"))
    if model not in ("pcie-root-port", "pcie-switch-downstream-port"):
        for option in ("chassis", "port"):
            if target.get(option) is not None:
                refuse(CONFIG, _pci_option(c, name, option))
    if target.get("hotplug") is not None:
        if model == "pci-root":
            if not ctx.has("piix4.acpi-root-pci-hotplug"):
                refuse(CONFIG, "setting the 'hotplug' property on a 'pci-root' device is not "
                               "supported by this QEMU binary")
        elif model in ("pcie-root-port", "pcie-switch-downstream-port"):
            if not ctx.has("pcie-root-port.hotplug"):
                refuse(CONFIG, f"setting the 'hotplug' property on a '{name}' device is not "
                               "supported by this QEMU binary")
        else:
            refuse(CONFIG, _pci_option(c, name, "hotplug"))
    if target.get("memReserve") is not None and model not in ("pcie-root-port", "pci-bridge"):
        refuse(CONFIG, _pci_option(c, name, "memReserve"))
    cap = _MODEL_NAME_CAPS.get(name)
    if cap is not None and not ctx.has(cap):
        refuse(CONFIG, f"The '{name}' device is not supported by this QEMU binary")
    if phb and target.find("node") is not None \
            and not ctx.has("spapr-pci-host-bridge.numa_node"):
        refuse(CONFIG, f"Option 'numaNode' is not supported by '{name}' device with this QEMU "
                       "binary")


def validate_controller(ctx: BuildContext, c: Controller) -> None:
    """qemuValidateDomainDeviceDefController."""
    if c.type == "scsi":
        _scsi_model(ctx, c)
    _attributes(c)
    if c.type == "ide":
        _ide(ctx, c.index)
    elif c.type == "scsi":
        _scsi(ctx, c)
    elif c.type == "pci":
        _pci(ctx, c)
    elif c.type == "sata":
        _sata(ctx, c)


def implicit_ide_indexes(ctx: BuildContext) -> list[int]:
    """The IDE controllers libvirt adds for IDE disks that name no existing controller
    (virDomainDefAddDiskControllersForType); they are validated like written ones."""
    have = {c.index for c in ctx.domain.devices.controllers if c.type == "ide"}
    wanted: list[int] = []
    for d in ctx.domain.devices.items:
        if isinstance(d, Disk) and d.bus == "ide" and isinstance(d.info.address, DriveAddress):
            idx = d.info.address.controller
            if idx not in have and idx not in wanted:
                wanted.append(idx)
    return wanted


def validate_implicit_ide(ctx: BuildContext) -> None:
    for index in implicit_ide_indexes(ctx):
        _ide(ctx, index)
