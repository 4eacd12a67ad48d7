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
