"""CPU, memory, NUMA, iothread and memory-device builders on small inline domains."""

from __future__ import annotations

import capsdb
import translator


def _args(body: str, machine: str = "pc", vcpus: str = "<vcpu>2</vcpu>",
          virt: str = "qemu") -> list[str]:
    xml = f"""<domain type='{virt}'><name>t</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
      <memory unit='KiB'>219100</memory>{vcpus}
      <os><type arch='x86_64' machine='{machine}'>hvm</type></os>{body}
      <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"""
    inv = translator.translate(xml, capsdb.get(), profile="libvirt-test")
    return inv.render("args").splitlines()


def _line(lines: list[str], start: str) -> str:
    return next(line.rstrip(" \\") for line in lines if line.startswith(start))


def test_memory_is_aligned_to_one_mib() -> None:
    assert _line(_args(""), "-m ") == "-m size=219136k"


def test_numa_cells_get_backends_and_sorted_nodes() -> None:
    lines = _args("""<cpu><numa>
        <cell id='1' cpus='1' memory='109550' unit='KiB' memAccess='shared'/>
        <cell id='0' cpus='0' memory='109550' unit='KiB'/></numa></cpu>""")
    numa = [line.rstrip(" \\") for line in lines if line.startswith("-numa")]
    assert numa == ["-numa node,nodeid=0,cpus=0,memdev=ram-node0",
                    "-numa node,nodeid=1,cpus=1,memdev=ram-node1"]
    assert '"share":true' in next(line for line in lines if '"ram-node1"' in line)
    assert not any("memory-backend=pc.ram" in line for line in lines)


def test_iothreads_listed_first_then_free_ids() -> None:
    lines = _args("<iothreads>3</iothreads><iothreadids><iothread id='5'/></iothreadids>")
    ids = [line for line in lines if '"iothread"' in line]
    assert [i.split('"id":"')[1].split('"')[0] for i in ids] == ["iothread5", "iothread1",
                                                               "iothread2"]


def test_cpu_features_and_host_passthrough_extras() -> None:
    lines = _args("""<cpu mode='host-passthrough'><feature policy='require' name='lahf_lm'/>
        <feature policy='disable' name='invtsc'/><maxphysaddr mode='emulate' bits='42'/></cpu>
        <clock offset='utc'><timer name='kvmclock' present='no'/></clock>""", virt="kvm")
    # (libvirt refuses host-passthrough for TCG domains, so this one is KVM)
    assert _line(lines, "-cpu ") == \
        "-cpu host,migratable=on,lahf-lm=on,invtsc=off,kvmclock=off,phys-bits=42"


def test_smp_counts_only_cold_plugged_vcpus() -> None:
    lines = _args("""<vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/>
        <vcpu id='1' enabled='yes' hotpluggable='yes'/></vcpus>""")
    assert _line(lines, "-smp ").startswith("-smp 1,maxcpus=2")


def test_vcpus_left_out_of_the_vcpus_list_are_offline() -> None:
    """virDomainVcpuParse: a <vcpus> list is the master; the vCPUs it omits stay offline."""
    lines = _args("<vcpus><vcpu id='0' enabled='yes' hotpluggable='no' order='1'/>"
                  "<vcpu id='1' enabled='no' hotpluggable='yes'/></vcpus>",
                  vcpus="<vcpu>4</vcpu>")
    assert _line(lines, "-smp ").startswith("-smp 1,maxcpus=4")


def test_dimm_gets_slot_alias_and_hugepage_backend() -> None:
    xml_devices = """<maxMemory slots='4' unit='KiB'>4194304</maxMemory>
      <memoryBacking><hugepages/></memoryBacking>
      <cpu><numa><cell id='0' cpus='0-1' memory='219136' unit='KiB'/></numa></cpu>"""
    xml = f"""<domain type='qemu'><name>t</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
      <memory unit='KiB'>743424</memory><vcpu>2</vcpu>{xml_devices}
      <os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
      <memory model='dimm'><target><size unit='KiB'>524287</size><node>0</node></target></memory>
      </devices></domain>"""
    lines = translator.translate(xml, capsdb.get(), profile="libvirt-test").render("args").splitlines()
    assert _line(lines, "-m ") == "-m size=219136k,slots=4,maxmem=4194304k"
    dev = next(line for line in lines if '"pc-dimm"' in line)
    assert '"memdev":"memdimm0","id":"dimm0","slot":0' in dev
    backend = next(line for line in lines if '"id":"memdimm0"' in line)
    assert '"mem-path":"/dev/hugepages2M/libvirt/qemu/-1-t","prealloc":true,"size":536870912' \
        in backend
