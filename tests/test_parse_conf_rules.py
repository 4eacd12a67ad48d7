"""Parse-time refusals of libvirt's domain parser (domain_conf.c, cpu_conf.c) that
validate/conf makes: each refusal with libvirt's message, next to its accepted neighbour."""

from __future__ import annotations

import pytest

from tests.test_validate import _refusal, _translate, _xml

DISK = "<disk type='file' device='disk'>{}<target dev='vda' bus='virtio'/></disk>"
NIC = "<interface type='network'><source network='default'/>{}</interface>"
CPU = "<cpu mode='custom'{}><model>qemu64</model></cpu>"
FEATURES = "<features>{}</features>"

# (xml keyword arguments refused, libvirt's message, the accepted neighbour's arguments)
CASES = [
    # virCPUDefParseXML: the <cpu> element's own attributes
    (dict(cpu=CPU.format(" match='foo'")),
     "XML error: Invalid value for attribute 'match' in element 'cpu': 'foo'.",
     dict(cpu=CPU.format(" match='exact'"))),
    (dict(cpu=CPU.format(" check='foo'")),
     "XML error: Invalid value for attribute 'check' in element 'cpu': 'foo'.",
     dict(cpu=CPU.format(" check='default'"))),
    (dict(cpu=CPU.format(" deprecated_features='yes'")),
     "XML error: Invalid value for attribute 'deprecated_features' in element 'cpu': 'yes'.",
     dict(cpu=CPU.format(""))),
    (dict(cpu=CPU.format(" migratable='x'")),
     "XML error: Invalid value for attribute 'migratable' in element 'cpu': 'x'.",
     dict(cpu=CPU.format(""))),
    (dict(cpu="<cpu mode='foo' match='foo'/>"),  # the mode is read first
     "unsupported configuration: Invalid mode attribute 'foo'",
     dict(cpu="<cpu mode='custom' match='minimum'><model>qemu64</model></cpu>")),
    # virDomainVcpuParse -> virDomainDefSetVcpus
    (dict(head="<vcpu current='4'>2</vcpu>"),
     "unsupported configuration: maximum vCPU count must not be less than current vCPU count",
     dict(head="<vcpu current='2'>2</vcpu>")),
    # virSecurityLabelDefParseXML
    (dict(head="<seclabel type='none' model='none' relabel='yes'/>"),
     "unsupported configuration: resource relabeling is not compatible with 'none' label type",
     dict(head="<seclabel type='none' model='none'/>")),
    # virSecurityDeviceLabelDefParseXML
    (dict(devices=DISK.format("<source file='/a'><seclabel model='dac' relabel='no'>"
                              "<label>x</label></seclabel></source>")),
     "XML error: Cannot specify a label if relabelling is turned off. model=dac",
     dict(devices=DISK.format("<source file='/a'><seclabel model='dac' relabel='no'/>"
                              "</source>"))),
    # virDomainFeaturesDefParse
    (dict(head=FEATURES.format("<pmu state='x'/>")),
     "XML error: Invalid value for attribute 'state' in element 'pmu': 'x'.",
     dict(head=FEATURES.format("<pmu state='off'/><vmcoreinfo/>"))),
    (dict(head=FEATURES.format("<ps2/>")),
     "XML error: Missing required attribute 'state' in element 'ps2'",
     dict(head=FEATURES.format("<ps2 state='off'/>"))),
    (dict(head=FEATURES.format("<capabilities policy='default'><foo/></capabilities>")),
     "unsupported configuration: unexpected capability feature 'foo'",
     dict(head=FEATURES.format("<capabilities policy='default'><mknod state='on'/>"
                               "</capabilities>"))),
    (dict(head=FEATURES.format("<capabilities><mknod state='x'/></capabilities>")),
     "XML error: Invalid value for attribute 'state' in element 'mknod': 'x'.",
     dict(head=FEATURES.format("<capabilities><mknod/></capabilities>"))),
    # virDomainDiskBackingStoreParse -> virDomainStorageSourceParseBase
    (dict(devices=DISK.format("<source file='/a'/><backingStore type='file'>"
                              "<source file='/b'/></backingStore>")),
     "XML error: missing disk backing store format",
     dict(devices=DISK.format("<source file='/a'/><backingStore type='file'>"
                              "<format type='qcow2'/><source file='/b'/><backingStore/>"
                              "</backingStore>"))),
    (dict(devices=DISK.format("<source file='/a'/><backingStore type='file'>"
                              "<format type='qcow2'/></backingStore>")),
     "XML error: missing disk backing store source",
     dict(devices=DISK.format("<source file='/a'/><backingStore/>"))),
    (dict(devices=DISK.format("<source file='/a'/><backingStore type='nfs'>"
                              "<format type='raw'/><source file='/b'/></backingStore>")),
     "XML error: unknown storage source type 'nfs'",
     dict(devices=DISK.format("<source file='/a'/><backingStore type='block'>"
                              "<format type='raw'/><source dev='/b'/></backingStore>"))),
    (dict(devices=DISK.format("<source file='/a'/><backingStore type='file'>"
                              "<format type='qcow3'/><source file='/b'/></backingStore>")),
     "XML error: unknown storage source format 'qcow3'",
     dict(devices=DISK.format("<source file='/a'/><backingStore type='file'>"
                              "<format type='qcow'/><source file='/b'/></backingStore>"))),
    (dict(devices=DISK.format("<source file='/a'/><backingStore type='file'>"  # deeper
                              "<format type='raw'/><source file='/b'/><backingStore "
                              "type='file'><source file='/c'/></backingStore>"
                              "</backingStore>")),
     "XML error: missing disk backing store format",
     dict(devices=DISK.format("<source file='/a'/><mirror type='file'><source file='/m'/>"
                              "<backingStore type='file'/></mirror>"))),  # never read
    # virDomainDiskDataStoreParse
    (dict(devices=DISK.format("<source file='/a'><dataStore type='file'>"
                              "<source file='/d'/></dataStore></source>")),
     "XML error: missing data file store format",
     dict(devices=DISK.format("<source file='/a'/>"))),
    (dict(devices=DISK.format("<source file='/a'><dataStore type='file'><format type='raw'/>"
                              "</dataStore></source>")),
     "XML error: missing disk data file store source",
     dict(devices=DISK.format("<source file='/a'/>"))),
    # virDomainStorageSourceParseSlice
    (dict(devices=DISK.format("<source file='/a'><slices><slice type='storage' "
                              "offset='512'/></slices></source>")),
     "XML error: missing offset or size attribute of slice",
     dict(devices=DISK.format("<source file='/a'><slices><slice type='storage' "
                              "offset='512' size='1024'/></slices></source>"))),
    # virDomainDiskSourcePoolDefParse
    (dict(devices="<disk type='volume' device='disk'><source pool='p'/>"
                  "<target dev='vda' bus='virtio'/></disk>"),
     "XML error: 'pool' and 'volume' must be specified together for 'pool' type source",
     dict(devices="<disk type='volume' device='cdrom'><target dev='hdc' bus='ide'/>"
                  "</disk>")),
    # virDomainNetDefCoalesceParseXML
    (dict(devices=NIC.format("<coalesce><rx><frames max='x'/></rx></coalesce>")),
     "cannot parse value 'x' for coalesce parameter",
     dict(devices=NIC.format("<model type='virtio'/><coalesce><rx><frames max='7'/></rx>"
                             "</coalesce>"))),
    (dict(devices=NIC.format("<coalesce><rx><frames max='4294967296'/></rx></coalesce>")),
     "numerical overflow: value '4294967296' is too big for coalesce parameter, maximum is "
     "'4294967295'",
     dict(devices=NIC.format("<model type='virtio'/><coalesce><rx><frames "
                             "max='4294967295'/></rx></coalesce>"))),
    # virDomainNetPortForwardDefParseXML
    (dict(devices="<interface type='user'><backend type='passt'/><portForward proto='tcp' "
                  "address='::g'><range start='22'/></portForward></interface>"),
     "XML error: Invalid address '::g' in <portForward>",
     dict(devices="<interface type='user'><backend type='passt'/><portForward proto='tcp' "
                  "address='1.2.3.4'><range start='22'/></portForward></interface>")),
    # virSecurityDeviceLabelDefParseXML: 'labelskip' is a running domain's
    (dict(devices=DISK.format("<source file='/a'><seclabel model='dac' relabel='x'/>"
                              "</source>")),
     "XML error: Invalid value for attribute 'relabel' in element 'seclabel': 'x'.",
     dict(devices=DISK.format("<source file='/a'><seclabel model='dac' relabel='no' "
                              "labelskip='x'/></source>"))),
    # virDomainLeaseDefParseXML
    (dict(devices="<lease><lockspace>a</lockspace><key>b</key><target path='/a' "
                  "offset='x'/></lease>"),
     "XML error: Invalid value for attribute 'offset' in element 'target': 'x'. Expected "
     "non-negative integer value",
     dict(devices="<lease><lockspace>a</lockspace><key>b</key><target path='/a' "
                  "offset='1024'/></lease>")),
    # virDomainDefParseIDs
    (dict(head="<genid>not-a-uuid</genid>"),
     "internal error: malformed genid element",
     dict(head="<genid>43dc0cf8-809b-4adb-9bea-a9abb5f3d90d</genid>")),
    # virDomainSchedulerParseCommonAttrs: real-time policies need a priority
    (dict(head="<cputune><vcpusched vcpus='0' scheduler='fifo'/></cputune>"),
     "XML error: Missing required attribute 'priority' in element 'vcpusched'",
     dict(head="<cputune><vcpusched vcpus='0' scheduler='fifo' priority='1'/></cputune>")),
    (dict(head="<cputune><emulatorsched scheduler='rr' priority='x'/></cputune>"),
     "XML error: Invalid value for attribute 'priority' in element 'emulatorsched': 'x'. "
     "Expected integer value",
     dict(head="<cputune><emulatorsched scheduler='batch'/></cputune>")),
    # virDomainHugepagesParseXML
    (dict(head="<memoryBacking><hugepages><page size='2048' nodeset='0,^0'/></hugepages>"
               "</memoryBacking>"),
     "unsupported configuration: Invalid value of 'nodeset': 0,^0",
     dict(head="<memoryBacking><hugepages><page size='2048'/></hugepages></memoryBacking>")),
    # virDomainNetSetModelString
    (dict(devices=NIC.format("<model type='e1000 x'/>")),
     "invalid argument: Model name contains invalid characters",
     dict(devices=NIC.format("<model type='e1000'/>"))),
]


@pytest.mark.parametrize("refused,message,accepted", CASES,
                         ids=[c[1][:60] for c in CASES])
def test_parse_refusal_and_neighbour(refused: dict[str, str], message: str,
                                     accepted: dict[str, str]) -> None:
    assert _refusal(_xml(**refused)) == message
    _translate(_xml(**accepted))
