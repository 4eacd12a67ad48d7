"""The guest CPU model: libvirt's src/cpu drivers and qemuProcessUpdateGuestCPU.

- definition.py: the virCPUDef the update works on (ordered features, libvirt's list rules)
- x86.py: x86 decoding, update and translation on the map capsdb/cpumap.py loads
- s390.py: the s390 host model, QEMU's expansion as it is
- guest.py: the domain's `<cpu>` as libvirt has it when `-cpu` is built
"""
