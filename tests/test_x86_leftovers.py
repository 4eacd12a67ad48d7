"""x86 rules spread over several builders: Hyper-V/KVM -cpu flags, keymaps, USB filter
versions, transitional virtio names, SCSI hostdev addresses, legacy NUMA memory, HMAT,
SGX EPC, SEV platform facts from the capabilities and the JSON monitor chardev."""

from __future__ import annotations

import capsdb
import translator

UUID = "c7a5fdbd-edaf-9455-926a-d65c16db1809"


def _args(devices: str = "", extra: str = "", machine: str = "pc", caps: str | None = None,
          caps_add: tuple[str, ...] = (),
          usb: str = "<controller type='usb' model='none'/>") -> list[str]:
    xml = f"""<domain type='qemu'><name>t</name><uuid>{UUID}</uuid>
      <memory unit='KiB'>219100</memory><vcpu>2</vcpu>
      <os><type arch='x86_64' machine='{machine}'>hvm</type></os>{extra}
      <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
      {usb}<memballoon model='none'/>{devices}</devices>
      </domain>"""
    inv = translator.translate(xml, capsdb.get(caps), profile="libvirt-test",
                               caps_add=list(caps_add))
    return [line.rstrip(" \\") for line in inv.render("args").splitlines()]


def _line(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


# -- -cpu: Hyper-V, KVM, timers ----------------------------------------------------------

def test_hyperv_enlightenments_in_libvirt_order() -> None:
    lines = _args(extra="""<features><hyperv>
        <vendor_id state='on' value='KVM Hv'/><relaxed state='on'/>
        <spinlocks state='on' retries='12287'/><vapic state='off'/>
        <stimer state='on'><direct state='on'/></stimer>
        <tlbflush state='on'><direct state='on'/><extended state='on'/></tlbflush>
        <emsr_bitmap state='on'/></hyperv></features>""")
    assert _line(lines, "-cpu ") == (
        "-cpu 'qemu64,hv-relaxed=on,hv-spinlocks=0x2fff,hv-stimer=on,hv-stimer-direct=on,"
        "hv-vendor-id=KVM Hv,hv-tlbflush=on,hv-tlbflush-direct=on,hv-tlbflush-ext=on,"
        "hv-emsr-bitmap=on'")


def test_hyperv_passthrough_panic_timer_and_kvm_hints() -> None:
    lines = _args(devices="<panic model='hyperv'/>", extra="""
        <features><hyperv mode='passthrough'/><kvm><hidden state='on'/>
        <hint-dedicated state='on'/><poll-control state='on'/><pv-ipi state='off'/></kvm>
        </features><clock offset='utc'><timer name='hypervclock' present='yes'/></clock>""")
    assert _line(lines, "-cpu ") == (
        "-cpu qemu64,hv-time=on,hv-passthrough=on,hv-crash,kvm=off,kvm-hint-dedicated=on,"
        "kvm-poll-control=on,kvm-pv-ipi=off")


def test_hyperv_all_off_adds_nothing() -> None:
    lines = _args(extra="<features><hyperv><relaxed state='off'/></hyperv></features>")
    assert _line(lines, "-cpu ") == "-cpu qemu64"


# -- graphics, usb-redir, virtio names ---------------------------------------------------

def test_vnc_keymap_is_a_separate_k_option() -> None:
    lines = _args("<graphics type='vnc' port='-1' autoport='yes' keymap='de'/>")
    vnc = lines.index(_line(lines, "-vnc "))
    assert lines[vnc + 1] == "-k de"


def test_usb_redir_filter_one_digit_minor_is_tens() -> None:
    lines = _args("""<graphics type='spice' autoport='yes'/><redirdev bus='usb' type='spicevmc'/>
        <redirfilter><usbdev class='0x08' vendor='0x15E1' product='0x2007' version='9.4'
        allow='yes'/></redirfilter>""",
                  usb="<controller type='usb' index='0' model='qemu-xhci'/>")
    assert '"filter":"0x08:0x15E1:0x2007:0x0940:1"' in _line(lines, '-device \'{"driver":"usb-redir"')


def test_non_transitional_disk_and_9p_names() -> None:
    lines = _args("""<disk type='file' device='disk' model='virtio-non-transitional'>
        <source file='/tmp/a.img'/><target dev='vda' bus='virtio'/></disk>
        <filesystem type='mount' model='virtio-transitional'>
        <source dir='/export'/><target dir='tag'/></filesystem>""")
    assert any('"driver":"virtio-blk-pci-non-transitional"' in line for line in lines)
    assert any('"driver":"virtio-9p-pci-transitional"' in line for line in lines)


# -- SCSI hostdevs -------------------------------------------------------------------------

def _scsi_hostdev(unit: int, address: str = "") -> str:
    return f"""<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host{unit}'/>
        <address bus='0' target='0' unit='{unit}'/></source>{address}</hostdev>"""


def test_scsi_hostdevs_fill_units_then_an_implicit_controller() -> None:
    devs = "<controller type='scsi' index='0' model='virtio-scsi'/>" + "".join(
        _scsi_hostdev(u) for u in range(8))
    devs += _scsi_hostdev(8, "<address type='drive' controller='1' bus='0' target='0' unit='0'/>")
    devs += _scsi_hostdev(9)
    lines = _args(devs)
    generic = [line for line in lines if '"scsi-generic"' in line]
    assert '"bus":"scsi0.0","channel":0,"scsi-id":0,"lun":6' in generic[6]
    # the 8th takes controller 1, skipping the unit the explicitly placed one holds
    assert '"bus":"scsi1.0","channel":0,"scsi-id":0,"lun":1' in generic[7]
    assert '"bus":"scsi1.0","channel":0,"scsi-id":0,"lun":0' in generic[8]
    assert '"bus":"scsi1.0","channel":0,"scsi-id":0,"lun":2' in generic[9]
    assert any('"driver":"virtio-scsi-pci","id":"scsi1"' in line for line in lines)


# -- NUMA: legacy mem=, HMAT ---------------------------------------------------------------

_TWO_CELLS = """<cpu><numa><cell id='0' cpus='0' memory='109550' unit='KiB'/>
    <cell id='1' cpus='1' memory='109550' unit='KiB'/></numa></cpu>"""


def test_old_machine_types_take_legacy_numa_mem() -> None:
    lines = _args(extra="<memoryBacking><allocation mode='immediate'/></memoryBacking>"
                  + _TWO_CELLS, machine="pc-i440fx-2.12")
    numa = [line for line in lines if line.startswith("-numa")]
    assert numa == ["-numa node,nodeid=0,cpus=0,mem=107", "-numa node,nodeid=1,cpus=1,mem=107"]
    assert lines.index("-mem-prealloc") == lines.index(numa[0]) - 1
    assert not any("ram-node" in line for line in lines)


def test_old_machine_with_host_binding_still_needs_backends() -> None:
    lines = _args(extra="<numatune><memory mode='strict' nodeset='0'/></numatune>" + _TWO_CELLS,
                  machine="pc-i440fx-2.12")
    assert "-numa node,nodeid=0,cpus=0,memdev=ram-node0" in lines


def test_hmat_initiators_latencies_and_caches() -> None:
    lines = _args(extra="""<cpu><numa>
        <cell id='0' cpus='0-1' memory='109550' unit='KiB'>
          <cache level='1' associativity='direct' policy='writeback'>
            <size value='10' unit='KiB'/><line value='8' unit='B'/></cache></cell>
        <cell id='1' memory='109550' unit='KiB'/>
        <interconnects>
          <latency initiator='0' target='1' cache='1' type='read' value='5'/>
          <bandwidth initiator='0' target='0' type='access' value='200' unit='MiB'/>
        </interconnects></numa></cpu>""")
    assert ",hmat=on" in _line(lines, "-machine ")
    numa = [line for line in lines if line.startswith("-numa")]
    assert numa == [
        "-numa node,nodeid=0,cpus=0-1,initiator=0,memdev=ram-node0",
        "-numa node,nodeid=1,initiator=0,memdev=ram-node1",
        "-numa hmat-lb,initiator=0,target=1,hierarchy=first-level,data-type=read-latency,"
        "latency=5",
        "-numa hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=access-bandwidth,"
        "bandwidth=204800K",
        "-numa hmat-cache,node-id=0,size=10K,level=1,associativity=direct,policy=writeback,"
        "line=8"]


# -- SGX EPC, SEV, monitor ---------------------------------------------------------------------

def test_sgx_epc_is_a_machine_property_with_an_epc_backend() -> None:
    lines = _args("""<memory model='sgx-epc'><source><nodemask>0</nodemask></source>
        <target><size unit='KiB'>16384</size><node>0</node></target></memory>""",
                  extra="<maxMemory slots='4' unit='KiB'>1048576</maxMemory>" + _TWO_CELLS,
                  machine="pc-q35-7.0", caps="7.0")
    assert "sgx-epc.0.memdev=memepc0,sgx-epc.0.node=0" in _line(lines, "-machine ")
    backend = next(line for line in lines if '"id":"memepc0"' in line)
    assert '"qom-type":"memory-backend-epc","id":"memepc0","prealloc":true' in backend
    assert not any("x86-sgx-epc" in line for line in lines)


def test_sev_platform_facts_come_from_the_capabilities() -> None:
    lines = _args(extra="<launchSecurity type='sev'><policy>0x0001</policy></launchSecurity>",
                  machine="pc-q35-10.0", caps="10.0.0+amdsev")
    obj = next(line for line in lines if '"sev-guest"' in line)
    assert '"cbitpos":51,"reduced-phys-bits":1,"policy":1' in obj


def test_monitor_chardev_is_json_with_chardev_json() -> None:
    lines = _args(caps_add=("chardev.json",))
    assert _line(lines, "-chardev ") == (
        """-chardev '{"id":"charmonitor","backend":{"type":"socket","data":{"addr":"""
        """{"type":"fd","data":{"str":"1729"}},"server":true,"wait":false}}}'""")
