"""Parse-time refusals of libvirt's domain parser (domain_conf.c, cpu_conf.c) that
validate/conf makes: each refusal with libvirt's message, next to its accepted neighbour."""

from __future__ import annotations

import pytest

from tests.test_validate import _refusal, _translate, _xml

DISK = "<disk type='file' device='disk'>{}<target dev='vda' bus='virtio'/></disk>"
NIC = "<interface type='network'><source network='default'/>{}</interface>"
CPU = "<cpu mode='custom'{}><model>qemu64</model></cpu>"
FEATURES = "<features>{}</features>"

TUNE = "<vcpu>8</vcpu><cputune>{}</cputune>"
CACHE = "<cachetune vcpus='{}'><cache id='0' level='3' type='both' size='1' unit='MiB'/></cachetune>"
DOC_TUNES = ("<cachetune vcpus='0-3'><cache id='0' level='3' type='both' size='3' unit='MiB'/>"
             "<cache id='1' level='3' type='both' size='3' unit='MiB'/><monitor level='3' "
             "vcpus='1'/><monitor level='3' vcpus='0-3'/></cachetune><cachetune vcpus='4-5'>"
             "<monitor level='3' vcpus='4'/><monitor level='3' vcpus='5'/></cachetune>"
             "<memorytune vcpus='0-3'><node id='0' bandwidth='60'/></memorytune>")
PCI_SOURCE = "<source><address domain='0' bus='0' slot='1' function='0'/></source>"
SECRET = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f"
BRIDGE = "<interface type='bridge'><source bridge='br0'/>{}</interface>"
BW = "<bandwidth>{}</bandwidth>"

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
    # virNetDevBandwidthParse
    (dict(devices=NIC.format("<bandwidth classID='5'><inbound average='1'/></bandwidth>")),
     "classID attribute not supported on <bandwidth> in this usage context",
     dict(devices=NIC.format(BW.format("<inbound average='1000' peak='5000' burst='1024'/>"
                                       "<outbound average='128'/>")))),
    (dict(devices=NIC.format(BW.format("<outbound peak='5'/>"))),
     "Missing mandatory average or floor attributes",
     dict(devices=NIC.format(BW.format("<outbound average='5'/>")))),
    (dict(devices=NIC.format(BW.format("<inbound floor='1' burst='5'/>"))),
     "unsupported configuration: 'peak' and 'burst' require 'average' attribute",
     dict(devices=NIC.format(BW.format("<inbound floor='1'/>")))),
    (dict(devices=BRIDGE.format(BW.format("<inbound average='1' floor='1'/>"))),
     "unsupported configuration: floor attribute is not supported for this config",
     dict(devices=BRIDGE.format(BW.format("<inbound average='1'/>")))),
    # virNetDevVlanParse
    (dict(devices=BRIDGE.format("<vlan/>")),
     "XML error: missing tag id - each <vlan> must have at least one <tag id='n'/> subelement",
     dict(devices=BRIDGE.format("<vlan><tag id='42'/></vlan>"))),
    (dict(devices=BRIDGE.format("<vlan><tag id='4096'/></vlan>")),
     "XML error: vlan tag id 4096 too large (maximum 4095)",
     dict(devices=BRIDGE.format("<vlan><tag id='4095'/></vlan>"))),
    (dict(devices=BRIDGE.format("<vlan trunk='yes'><tag id='1' nativeMode='tagged'/>"
                                "<tag id='2' nativeMode='untagged'/></vlan>")),
     "XML error: duplicate native vlan setting",
     dict(devices=BRIDGE.format("<vlan trunk='yes'><tag id='1' nativeMode='tagged'/>"
                                "<tag id='2'/></vlan><virtualport type='openvswitch'/>"))),
    (dict(devices=BRIDGE.format("<vlan trunk='no'><tag id='1'/><tag id='2'/></vlan>")),
     "XML error: invalid \"trunk='no'\" in <vlan> - trunk='yes' is required for more than "
     "one vlan tag",
     dict(devices=BRIDGE.format("<vlan trunk='no'><tag id='1'/></vlan>"))),
    (dict(devices=BRIDGE.format("<vlan trunk='no'><tag id='1' nativeMode='tagged'/></vlan>")),
     "XML error: invalid configuration in <vlan> - \"trunk='no'\" is not allowed with a "
     "native vlan id",
     dict(devices=BRIDGE.format("<vlan trunk='No'><tag id='1'/></vlan>"))),
    (dict(devices=BRIDGE.format("<vlan trunk='maybe'><tag id='1'/></vlan>")),
     "XML error: invalid \"trunk='maybe'\" in <vlan> - must be yes or no",
     dict(devices=BRIDGE.format("<vlan trunk='YES'><tag id='1'/></vlan>"))),
    # virNetDevVPortProfileParse
    (dict(devices=BRIDGE.format("<virtualport type='ovs'/>")),
     "unsupported configuration: unknown virtualport type ovs",
     dict(devices=BRIDGE.format("<virtualport type='openvswitch'/>"))),
    (dict(devices=BRIDGE.format("<virtualport/>")),
     "XML error: missing required virtualport type",
     dict(devices=NIC.format("<virtualport/>"))),
    (dict(devices="<interface type='direct'><source dev='eth0' mode='vepa'/><virtualport "
                  "type='802.1Qbg'><parameters managerid='0x100' typeid='1' "
                  "typeidversion='1'/></virtualport></interface>"),
     "XML error: value of managerid out of range",
     dict(devices="<interface type='direct'><source dev='eth0' mode='vepa'/><virtualport "
                  "type='802.1Qbg'><parameters managerid='0xff' typeid='0x123456' "
                  "typeidversion='2' instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>"
                  "</virtualport></interface>")),
    (dict(devices=BRIDGE.format("<virtualport type='openvswitch'><parameters "
                                "interfaceid='x'/></virtualport>")),
     "XML error: cannot parse interfaceid parameter as a uuid",
     dict(devices=BRIDGE.format("<virtualport type='openvswitch'><parameters interfaceid="
                                "'09b11c53-8b5c-4eeb-8f00-d84eaa0aaa3f'/></virtualport>"))),
    # virDomainDeviceAddressParseXML
    (dict(devices=DISK.format("<source file='/a'/><address type='virtio-s390'/>")),
     "XML error: virtio-s390 bus doesn't have an address",
     dict(devices=DISK.format("<source file='/a'/><address type='pci' domain='0' bus='0' "
                              "slot='5' function='0'/>"))),
    # virDomainChrSourceDefParseXML: what a source says depends on the device's type
    (dict(devices="<serial type='tcp'><source mode='connect' host='a' service='1'>"
                  "<reconnect enabled='yes'/></source></serial>"),
     "XML error: Missing required attribute 'timeout' in element 'reconnect'",
     dict(devices="<serial type='tcp'><source mode='connect' host='a' service='1'>"
                  "<reconnect enabled='yes' timeout='10'/></source></serial>")),
    (dict(devices="<serial type='tcp'><source mode='connect' host='a' service='1' tls='x'/>"
                  "</serial>"),
     "XML error: Invalid value for attribute 'tls' in element 'source': 'x'.",
     dict(devices="<serial type='file'><source path='/a' tls='x'/><protocol type='x'/>"
                  "</serial>")),  # neither read for a file
    (dict(devices="<smartcard mode='passthrough' type='tcp'><source mode='listen' host='a' "
                  "service='1'/></smartcard>"),
     "XML error: Invalid value for attribute 'mode' in element 'source': 'listen'.",
     dict(devices="<smartcard mode='passthrough' type='tcp'><source mode='bind' host='a' "
                  "service='1'/><protocol type='raw'/></smartcard>")),
    (dict(devices="<rng model='virtio'><backend model='egd' type='tcp'><source "
                  "mode='connect' host='a' service='1'/><protocol type='ssh'/></backend></rng>"),
     "XML error: Invalid value for attribute 'type' in element 'protocol': 'ssh'.",
     dict(devices="<rng model='virtio'><backend model='egd' type='tcp'><source "
                  "mode='connect' host='a' service='1'/><protocol type='raw'/></backend></rng>")),
    (dict(devices="<redirdev bus='usb' type='unix'><source mode='connect' path='/a'>"
                  "<reconnect enabled='on'/></source></redirdev>"),
     "XML error: Invalid value for attribute 'enabled' in element 'reconnect': 'on'.",
     dict(devices="<redirdev bus='usb' type='unix'><source mode='connect' path='/a'>"
                  "<reconnect enabled='no'/></source></redirdev>")),
    (dict(devices="<tpm model='tpm-crb'><backend type='external'><source type='unix' "
                  "mode='listen' path='/a'/></backend></tpm>"),
     "XML error: Invalid value for attribute 'mode' in element 'source': 'listen'.",
     dict(devices="<tpm model='tpm-crb'><backend type='external'><source type='unix' "
                  "mode='connect' path='/a'/></backend></tpm>")),
    (dict(devices="<disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/>"
                  "<source type='unix' path='/a'><reconnect enabled='x'/></source>"
                  "<target dev='vda' bus='virtio'/></disk>"),
     "XML error: Invalid value for attribute 'enabled' in element 'reconnect': 'x'.",
     dict(devices=DISK.format("<source file='/a'/>"))),
    # virCPUDefParseXMLCache and <maxphysaddr>
    (dict(cpu="<cpu mode='host-model'><cache level='3'/></cpu>"),
     "XML error: Missing required attribute 'mode' in element 'cache'",
     dict(cpu="<cpu mode='host-model'><cache level='3' mode='emulate'/></cpu>")),
    (dict(cpu="<cpu mode='host-model'><cache level='x' mode='emulate'/></cpu>"),
     "XML error: Invalid value for attribute 'level' in element 'cache': 'x'. Expected "
     "integer value",
     dict(cpu="<cpu mode='host-model'><cache mode='disable'/></cpu>")),
    (dict(cpu="<cpu mode='host-model'><maxphysaddr mode='host'/></cpu>"),
     "XML error: Invalid value for attribute 'mode' in element 'maxphysaddr': 'host'.",
     dict(cpu="<cpu mode='host-model'><maxphysaddr mode='emulate' bits='42'/></cpu>")),
    (dict(cpu="<cpu mode='host-model'><maxphysaddr mode='emulate' bits='-1'/></cpu>"),
     "XML error: Invalid value for attribute 'bits' in element 'maxphysaddr': '-1'. Expected "
     "non-negative value",
     dict(cpu="<cpu mode='host-model'><maxphysaddr mode='emulate' bits='0'/></cpu>")),
    # virDomainNetIPInfoParseXML of the host side
    (dict(devices="<interface type='ethernet'><source><ip address='192.168.122.1' "
                  "prefix='33'/></source></interface>"),
     "XML error: Invalid prefix value '33' in <ip>",
     dict(devices="<interface type='ethernet'><source><ip address='192.168.122.1' "
                  "prefix='24'/></source></interface>")),
    # virNetworkPortOptionsParseXML
    (dict(devices=NIC.format("<port isolated='x'/>")),
     "XML error: Invalid value for attribute 'isolated' in element 'port': 'x'.",
     dict(devices=NIC.format("<port isolated='yes'/>"))),
    # virDomainIdmapDefParseXML
    (dict(head="<idmap><uid start='0' count='10'/><gid start='0' target='1000' count='10'/>"
               "</idmap>"),
     "XML error: invalid idmap start/target/count settings",
     dict(head="<idmap><uid start='0' target='1000' count='10'/><gid start='0' "
               "target='1000' count='10'/></idmap>")),
    (dict(devices="<filesystem type='mount'><driver type='virtiofs'/><source dir='/a'/>"
                  "<target dir='t'/><idmap><uid start='0' target='1000' count='x'/></idmap>"
                  "</filesystem>"),
     "XML error: invalid idmap start/target/count settings",
     dict(devices="<filesystem type='mount'><source dir='/a'/><target dir='t'/><idmap>"
                  "<uid start='0' target='1000' count='x'/></idmap></filesystem>")),
    # virStorageEncryptionParseNode
    (dict(devices=DISK.format("<source file='/a'/><encryption><secret type='passphrase' "
                              f"uuid='{SECRET}'/></encryption>")),
     "XML error: unknown volume encryption format",
     dict(devices=DISK.format("<source file='/a'/><encryption format='luks'><secret "
                              f"type='passphrase' uuid='{SECRET}'/></encryption>"))),
    (dict(devices=DISK.format("<source file='/a'><encryption format='luks3'/></source>")),
     "unsupported configuration: unknown volume encryption format type luks3",
     dict(devices=DISK.format("<source file='/a'><encryption format='luks' engine='qemu'>"
                              f"<secret type='passphrase' uuid='{SECRET}'/></encryption>"
                              "</source>"))),
    (dict(devices=DISK.format("<source file='/a'><encryption format='luks' engine='x'/>"
                              "</source>")),
     "XML error: Invalid value for attribute 'engine' in element 'encryption': 'x'.",
     dict(devices=DISK.format("<source file='/a'/>"))),
    (dict(devices=DISK.format("<source file='/a'><encryption format='luks'><secret "
                              f"type='volume' uuid='{SECRET}'/></encryption></source>")),
     "unsupported configuration: unknown volume encryption secret type volume",
     dict(devices=DISK.format("<source file='/a'/>"))),
    (dict(devices=DISK.format("<source file='/a'><encryption format='luks'><secret "
                              f"type='passphrase' uuid='{SECRET}'/><ivgen name='plain64'/>"
                              "</encryption></source>")),
     "XML error: ivgen element found, but cipher is missing",
     dict(devices=DISK.format("<source file='/a'/>"))),
    # virDomainHostdevDefParseXML: the type the mode knows; 'managed' is read leniently
    (dict(devices="<hostdev mode='subsystem' type='pcie'>" + PCI_SOURCE + "</hostdev>"),
     "XML error: Invalid value for attribute 'type' in element 'hostdev': 'pcie'.",
     dict(devices="<hostdev mode='subsystem' type='pci' managed='x'>" + PCI_SOURCE
                  + "</hostdev>")),
    (dict(devices="<hostdev mode='capabilities' type='pci'>" + PCI_SOURCE + "</hostdev>"),
     "XML error: Invalid value for attribute 'type' in element 'hostdev': 'pci'.",
     dict(devices="<hostdev mode='subsystem' type='pci' managed='yes'>" + PCI_SOURCE
                  + "</hostdev>")),
    (dict(devices="<hostdev mode='subsystem' type='pci' ramfb='yes'>" + PCI_SOURCE
                  + "</hostdev>"),
     "XML error: Invalid value for attribute 'ramfb' in element 'hostdev': 'yes'.",
     dict(devices="<hostdev mode='subsystem' type='pci' ramfb='off'>" + PCI_SOURCE
                  + "</hostdev>")),
    # virDomainNumaDefParseXML: a latency's value
    (dict(cpu="<cpu><numa><cell id='0' cpus='0' memory='262144'/><interconnects><latency "
              "initiator='0' target='0' type='access' value='-5'/></interconnects></numa>"
              "</cpu>"),
     "XML error: Invalid value for attribute 'value' in element 'latency': '-5'. Expected "
     "non-negative integer value",
     dict(cpu="<cpu><numa><cell id='0' cpus='0' memory='262144'/></numa></cpu>")),
    # virDomainAudioDefParseXML
    (dict(devices="<audio id='1' type='oss' dspPolicy='-5'><input dev='/dev/dsp0'/>"
                  "<output dev='/dev/dsp0'/></audio>"),
     "XML error: cannot parse 'dspPolicy' value '-5'",
     dict(devices="<audio id='1' type='oss' dspPolicy='5'><input dev='/dev/dsp0'/>"
                  "<output dev='/dev/dsp0'/></audio>")),
    # required scaled sizes (virParseScaledValue, virDomainParseMemory)
    (dict(cpu="<cpu><numa><cell id='0' cpus='0'/></numa></cpu>"),
     "XML error: missing element or attribute './@memory'",
     dict(cpu="<cpu><numa><cell id='0' cpus='0' memory='262144'/></numa></cpu>")),
    (dict(cpu="<cpu><numa><cell id='0' cpus='0' memory='262144'><cache level='1' "
              "associativity='direct' policy='writeback'><size value='10' unit='KiB'/>"
              "<line unit='B'/></cache></cell></numa></cpu>"),
     "XML error: missing element or attribute './line/@value'",
     dict(cpu="<cpu><numa><cell id='0' cpus='0' memory='262144'><cache level='1' "
              "associativity='direct' policy='writeback'><size value='10' unit='KiB'/>"
              "<line value='8' unit='B'/></cache></cell></numa></cpu>")),
    (dict(head="<memoryBacking><hugepages><page unit='KiB'/></hugepages></memoryBacking>"),
     "XML error: missing element or attribute './@size'",
     dict(head="<memoryBacking><hugepages/></memoryBacking>")),
    (dict(devices="<pstore backend='acpi-erst'><path>/a</path></pstore>"),
     "XML error: missing element or attribute './size'",
     dict(devices="<pstore backend='acpi-erst'><path>/a</path><size unit='KiB'>8</size>"
                  "</pstore>")),
    # virDomainGraphicsListenDefParseXML: 'fromConfig' is a running domain's
    (dict(devices="<graphics type='vnc'><listen type='adress'/></graphics>"),
     "XML error: Invalid value for attribute 'type' in element 'listen': 'adress'.",
     dict(devices="<graphics type='vnc'><listen type='address' address='127.0.0.1' "
                  "fromConfig='x'/></graphics>")),
    # virDomainCachetuneDefParse, virDomainMemorytuneDefParse, virDomainResctrlMonDefParse
    (dict(virt="kvm", head=TUNE.format("<cachetune><cache id='0' level='3' type='both' "
                                       "size='1' unit='MiB'/></cachetune>")),
     "XML error: Missing cachetune attribute 'vcpus'",
     dict(virt="kvm", head=TUNE.format(DOC_TUNES))),
    (dict(virt="kvm", head=TUNE.format("<memorytune vcpus='0-x'><node id='0' bandwidth='20'/>"
                                       "</memorytune>")),
     "XML error: Invalid memorytune attribute 'vcpus' value '0-x'",
     dict(virt="kvm", head=TUNE.format("<memorytune vcpus='8-9'><node id='0' "
                                       "bandwidth='20'/></memorytune>"))),  # none left
    (dict(virt="kvm", head=TUNE.format(CACHE.format("0") + CACHE.format("0"))),
     "XML error: Identical vcpus in cachetunes found",
     dict(virt="kvm", head=TUNE.format(CACHE.format("0") + CACHE.format("1")))),
    (dict(virt="kvm", head=TUNE.format(CACHE.format("0-1") + CACHE.format("1-2"))),
     "XML error: Overlapping vcpus in resctrls",
     dict(virt="kvm", head=TUNE.format(CACHE.format("0-1") + "<memorytune vcpus='0-1'>"
                                       "<node id='0' bandwidth='20'/></memorytune>"))),
    (dict(virt="kvm", head=TUNE.format("<cachetune vcpus='4-5'><monitor level='2' "
                                       "vcpus='4'/></cachetune>")),
     "XML error: Invalid monitor cache level '2'",
     dict(virt="kvm", head=TUNE.format("<cachetune vcpus='4-5'><monitor level='3' "
                                       "vcpus='4'/></cachetune>"))),
    (dict(virt="kvm", head=TUNE.format("<cachetune vcpus='4-5'><monitor level='3' "
                                       "vcpus='6'/></cachetune>")),
     "invalid argument: Monitor vcpus conflicts with allocation",
     dict(virt="kvm", head=TUNE.format("<cachetune vcpus='4-5'><monitor level='3' "
                                       "vcpus='5'/></cachetune>"))),
    (dict(virt="kvm", head=TUNE.format("<cachetune vcpus='4-5'><monitor level='3' "
                                       "vcpus='4'/><monitor level='3' vcpus='4'/>"
                                       "</cachetune>")),
     "invalid argument: Identical vcpus found in same type monitors",
     dict(virt="kvm", head=TUNE.format("<cachetune vcpus='4-5'><monitor level='3' "
                                       "vcpus='4'/><monitor level='3' vcpus='5'/>"
                                       "</cachetune>"))),
    (dict(virt="kvm", head=TUNE.format("<cachetune vcpus='4-5'><monitor level='3' "
                                       "vcpus='4'/><monitor level='3' vcpus='4-5'/>"
                                       "</cachetune>")),
     "invalid argument: vcpus overlaps in resctrl groups",
     dict(virt="kvm", head=TUNE.format("<cachetune vcpus='4-5'><cache id='0' level='3' "
                                       "type='both' size='1' unit='MiB'/><monitor level='3' "
                                       "vcpus='4'/><monitor level='3' vcpus='4-5'/>"
                                       "</cachetune>"))),
    # virDomainNetDefParseXML: the link state (not the host interface's states)
    (dict(devices=NIC.format("<link state='dormant'/>")),
     "unsupported configuration: unknown interface link state 'dormant'",
     dict(devices=NIC.format("<link state='down'/>"))),
    # virDomainAudioDefParseXML: a backend's own settings are read only for that backend
    (dict(devices="<audio id='1' type='oss' tryMMap='x'/>"),
     "XML error: Invalid value for attribute 'tryMMap' in element 'audio': 'x'.",
     dict(devices="<audio id='1' type='none' tryMMap='x'><input tryPoll='x'/></audio>")),
    (dict(devices="<audio id='1' type='pulseaudio'><input latency='x'/></audio>"),
     "XML error: Invalid value for attribute 'latency' in element 'input': 'x'. Expected "
     "non-negative integer value",
     dict(devices="<audio id='1' type='pulseaudio'><input latency='20'/></audio>")),
    # virDomainInputDefParseXML: only an evdev input's source grabs
    (dict(devices="<input type='evdev'><source dev='/dev/input/event1' grab='x'/></input>"),
     "XML error: Invalid value for attribute 'grab' in element 'source': 'x'.",
     dict(devices="<input type='tablet' bus='usb'><source grab='x'/></input>")),
    # virDomainHostdevDefParseXMLSubsys: sgio and rawio are read, then kept to SCSI
    (dict(devices="<hostdev mode='subsystem' type='pci' rawio='x'>" + PCI_SOURCE
                  + "</hostdev>"),
     "XML error: Invalid value for attribute 'rawio' in element 'hostdev': 'x'.",
     dict(devices="<hostdev mode='subsystem' type='pci'>" + PCI_SOURCE + "</hostdev>")),
    (dict(devices="<hostdev mode='subsystem' type='pci' sgio='filtered'>" + PCI_SOURCE
                  + "</hostdev>"),
     "XML error: sgio is only supported for scsi host device",
     dict(devices="<hostdev mode='subsystem' type='scsi' sgio='filtered' rawio='yes'>"
                  "<source><adapter name='scsi_host0'/><address bus='0' target='0' "
                  "unit='0'/></source></hostdev>")),
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


def test_a_mirror_is_not_read() -> None:
    """libvirt reads a disk's <mirror> only from a running domain's XML."""
    mirror = ("<source file='/a'/><mirror type='file'><source file='/m'>"
              "<encryption format='x'/></source></mirror>")
    _translate(_xml(devices=DISK.format(mirror)))
    assert _refusal(_xml(devices=DISK.format("<source file='/m'><encryption format='x'/>"
                                             "</source>"))) == (
        "unsupported configuration: unknown volume encryption format type x")
