"""Every refusal of libvirt, in libvirt's order, with libvirt's error code and message.

libvirt refuses a domain at these moments, and each has its home here (the docstring of a
rule names the libvirt function it comes from):

* parse-time checks of `domain_conf.c` (`virDomainDefParseXML` and the device parsers) that
  `parse.py` does not already make while building the model: `validate_parsed`;
* post-parse (`domain_postparse.c`, `qemu_postparse.c`) and address assignment
  (`domain_addr.c`, `qemu_domain_address.c`);
* generic validation (`domain_validate.c`: `virDomainDefValidate`, then every device through
  `virDomainDeviceDefValidate`) and the QEMU driver's (`qemu_validate.c`:
  `qemuValidateDomainDef`, `qemuValidateDomainDeviceDef`): `validate`;
* what the QEMU driver refuses while preparing to start and building the command line
  (`qemuProcessPrepareDomain`, `qemu_command.c`).

The command builders never refuse: whatever they would refuse is checked here first.
The entry points are `checks.validate_parsed` and `checks.validate`; this package module
stays light so that the address allocators can import `allocation` (the refusals only
address assignment finds) without loading every validator.
"""

from __future__ import annotations

from ..disk_names import disk_name_index, libvirt_disk_order
from .conf.bitmap import parse_bitmap

__all__ = ["parse_bitmap", "disk_name_index", "libvirt_disk_order"]
