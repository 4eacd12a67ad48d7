"""Parse-time refusals of validate/conf (net_route.py, ...): each with libvirt's message,
next to the accepted neighbour."""

from __future__ import annotations

from tests.test_validate import _refusal, _translate, _xml

NIC = "<interface type='ethernet'><model type='virtio'/>{}</interface>"


def test_route_must_name_a_network() -> None:
    host_route = "<route family='ipv4' address='192.168.122.8' gateway='192.168.122.1'/>"
    assert _refusal(_xml(NIC.format(host_route))) == (
        "XML error: guest interface: Address '192.168.122.8' in route definition is not a "
        "network address")
    net = "<route family='ipv4' address='192.168.122.0' prefix='24' gateway='192.168.122.1'/>"
    assert _refusal(_xml(NIC.format(net))) == (  # parsed; QEMU has no guest-side routes
        "unsupported configuration: Invalid attempt to set network interface guest-side IP "
        "route, not supported by QEMU")
    _translate(_xml(NIC.format(f"<source>{net}</source>")))
    assert _refusal(_xml(NIC.format("<source><route address='10.0.0.0' prefix='8' "
                                    "gateway='fe80::1'/></source>"))) == (
        "XML error: interface host IP: No family specified for non-IPv4 gateway '10.0.0.0' "
        "in route definition")


def test_route_family_and_prefix() -> None:
    bad_prefix = "<route family='ipv6' address='2001:db8::' prefix='129' gateway='2001:db8::1'/>"
    assert _refusal(_xml(NIC.format(bad_prefix))) == (
        "XML error: guest interface: Invalid prefix 129 specified in route definition, must "
        "be 0 - 128")
    both = ("<route address='10.0.0.0' prefix='8' netmask='255.0.0.0' gateway='10.0.0.1'/>")
    assert _refusal(_xml(NIC.format(both))) == (
        "XML error: guest interface: Route definition cannot have both a prefix and a netmask")
    odd = "<route family='ipx' address='10.0.0.0' gateway='10.0.0.1'/>"
    assert _refusal(_xml(NIC.format(odd))) == (
        "XML error: guest interface: Unrecognized family 'ipx' in route definition")
    _translate(_xml(NIC.format("")))


HYPERV = "<features><hyperv>{}</hyperv></features>"


def _kvm(head: str) -> str:
    return _xml(head=head, virt="kvm")


def test_hyperv_values_read_when_on() -> None:
    assert _refusal(_kvm(HYPERV.format("<spinlocks state='on' retries='4094'/>"))) == (
        "XML error: HyperV spinlock retry count must be at least 4095")
    _translate(_kvm(HYPERV.format("<spinlocks state='on' retries='4095'/>")))
    _translate(_kvm(HYPERV.format("<spinlocks state='off' retries='12'/>")))
    assert _refusal(_kvm(HYPERV.format("<vendor_id state='on'/>"))) == (
        "XML error: missing 'value' attribute for HyperV feature 'vendor_id'")
    assert _refusal(_kvm(HYPERV.format("<vendor_id state='on' value='1234567890123'/>"))) == (
        "XML error: HyperV vendor_id value must not be more than 12 characters.")
    assert _refusal(_kvm(HYPERV.format("<vendor_id state='on' value='a,b'/>"))) == (
        "XML error: HyperV vendor_id value is invalid")
    _translate(_kvm(HYPERV.format("<vendor_id state='on' value='123456789012'/>")))


def test_hyperv_sub_features() -> None:
    assert _refusal(_kvm(HYPERV.format("<tlbflush state='on'><foo state='on'/></tlbflush>"))) == (
        "unsupported configuration: unsupported Hyper-V tlbflush feature: foo")
    assert _refusal(_kvm(HYPERV.format("<stimer state='on'><extended state='on'/></stimer>"))) == (
        "unsupported configuration: unsupported Hyper-V stimer feature: extended")
    _translate(_kvm(HYPERV.format("<stimer state='off'><extended state='on'/></stimer>")))
    assert _refusal(_kvm(HYPERV.format("<relaxed state='bogus'/>"))).startswith(
        "XML error: Invalid value for attribute 'state' in element 'relaxed': 'bogus'")


def test_kvm_dirty_ring_size() -> None:
    ring = "<features><kvm><dirty-ring state='on' size='{}'/></kvm></features>"
    assert _refusal(_kvm(ring.format(1000))) == (
        "XML error: dirty ring must be power of 2 and ranges [1024, 65536]")
    _translate(_kvm(ring.format(4096)))


def test_memory_backing_names_and_page_size() -> None:
    assert _refusal(_xml(head="<memoryBacking><source type='none'/></memoryBacking>")) == (
        "unsupported configuration: unknown memoryBacking/source/type 'none'")
    assert _refusal(_xml(head="<memoryBacking><allocation mode='x'/></memoryBacking>")) == (
        "unsupported configuration: unknown memoryBacking/allocation/mode 'x'")
    _translate(_xml(head="<memoryBacking><source type='memfd'/><access mode='shared'/>"
                         "</memoryBacking>"))
    assert _refusal(_xml(head="<memoryBacking><hugepages><page size='0'/></hugepages>"
                              "</memoryBacking>")) == "hugepage size can't be zero"


def test_domain_elements() -> None:
    assert _refusal(_xml(head="<title>a\nb</title>")) == (
        "XML error: Domain title can't contain newlines")
    _translate(_xml(head="<title>a b</title>"))
    two = "<resource><partition>/machine</partition></resource>"
    assert _refusal(_xml(head=two * 2)) == "XML error: only one resource element is supported"
    _translate(_xml(head=two))
    assert _refusal(_xml().replace("<os>", "<os firmware='uefi'>")) == (
        "XML error: unknown firmware value uefi")
    assert _refusal(_xml(os_extra="<smbios mode='bogus'/>")) == (
        "unsupported configuration: unknown smbios mode 'bogus'")


def test_firmware_images_and_acpi_tables() -> None:
    assert _refusal(_xml(os_extra="<loader format='vmdk'>/x.fd</loader>")) == (
        "XML error: Unsupported loader format 'vmdk'")
    assert _refusal(_xml(os_extra="<nvram templateFormat='vmdk'>/x.fd</nvram>")) == (
        "XML error: Unsupported nvram template format 'vmdk'")
    assert _refusal(_xml(os_extra="<nvram format='vmdk'>/x.fd</nvram>")) == (
        "XML error: Unsupported nvram format 'vmdk'")
    slic = "<table type='slic'>/a</table>"
    assert _refusal(_xml(os_extra=f"<acpi>{slic * 2}</acpi>")) == (
        "XML error: ACPI table type 'slic' may only appear once")
    _translate(_xml(os_extra=f"<acpi>{slic}</acpi>"))


DISK = ("<disk type='file' device='disk'><driver name='qemu' {}/><source file='/a.img'/>"
        "<target dev='vda' bus='virtio'/></disk>")


def test_disk_driver_format_and_read_policy() -> None:
    assert _refusal(_xml(DISK.format("type='qcow3'"))) == (
        "unsupported configuration: unknown driver format value 'qcow3'")
    assert _refusal(_xml(DISK.format("type='none'"))) == (
        "unsupported configuration: unknown driver format value 'none'")
    _translate(_xml(DISK.format("type='qcow2'")))
    assert _refusal(_xml(DISK.format("type='raw' rerror_policy='enospace'"))) == (
        "unsupported configuration: Invalid disk read error policy: 'enospace'")
    _translate(_xml(DISK.format("type='raw' error_policy='enospace'")))


FS = ("<filesystem type='mount' {attrs}><driver type='virtiofs' {driver}/>{extra}"
      "<source dir='/s'/><target dir='t'/></filesystem>")


def _fs(attrs: str = "", driver: str = "", extra: str = "") -> str:
    return _xml(FS.format(attrs=attrs, driver=driver, extra=extra),
                head="<memoryBacking><access mode='shared'/></memoryBacking>")


def test_filesystem_parse() -> None:
    assert _refusal(_fs(attrs="fmode='1000'")) == "XML error: invalid fmode: '01000'"
    assert _refusal(_fs(driver="queue='x'")) == (
        "XML error: cannot parse queue size 'x' for virtiofs")
    assert _refusal(_fs(extra="<binary><thread_pool size='many'/></binary>")) == (
        "XML error: cannot parse thread pool size 'many' for virtiofs")
    assert _refusal(_fs(driver="format='qcow3'")) == (
        "unsupported configuration: unknown driver format value 'qcow3'")
    ram = "<filesystem type='ram'><source/><target dir='t'/></filesystem>"
    assert _refusal(_xml(ram)) == "XML error: missing 'usage' attribute for RAM filesystem"
    _translate(_fs(attrs="", driver="queue='1024'"))


def test_graphics_listen_attributes() -> None:
    vnc = "<graphics type='vnc' {}><listen {}/></graphics>"
    assert _refusal(_xml(vnc.format("", "type='address' network='default'"))) == (
        "XML error: 'network' attribute is valid only for listen type 'network'")
    assert _refusal(_xml(vnc.format("", "type='address' socket='/s'"))) == (
        "XML error: 'socket' attribute is valid only for listen type 'socket'")
    assert _refusal(_xml(vnc.format("socket='/a'", "type='socket' socket='/b'"))) == (
        "unsupported configuration: graphics 'socket' attribute '/a' must match 'socket' "
        "attribute of first listen element (found '/b')")
    _translate(_xml(vnc.format("socket='/a'", "type='socket' socket='/a'")))


def test_graphics_password_policy() -> None:
    vnc = "<graphics type='vnc' passwd='pw' {}/>"
    assert _refusal(_xml(vnc.format("connected='disconnect'"))) == (
        "unsupported configuration: VNC supports connected='keep' only")
    assert _refusal(_xml(vnc.format("connected='later'"))) == (
        "unsupported configuration: unknown connected value later")
    assert _refusal(_xml(vnc.format("passwdValidTo='2010-11-28 14:29:01'"))) == (
        "internal error: cannot parse password validity time '2010-11-28 14:29:01', expect "
        "YYYY-MM-DDTHH:MM:SS")
    _translate(_xml(vnc.format("connected='keep' passwdValidTo='2010-11-28T14:29:01'")))
    _translate(_xml("<graphics type='vnc' connected='disconnect'/>"))  # no password: unread


def test_sound_audio_video_crypto() -> None:
    sound = "<sound model='ich6'><codec type='{}'/></sound>"
    assert _refusal(_xml(sound.format("stereo"))) == (
        "unsupported configuration: unknown codec type 'stereo'")
    _translate(_xml(sound.format("duplex")))
    audio = ("<audio id='1' type='none'><input mixingEngine='yes' {}>"
             "<settings frequency='44100' channels='2'/></input></audio>")
    assert _refusal(_xml(audio.format(""))) == (
        "unsupported configuration: audio settings specified without fixed settings flag")
    _translate(_xml(audio.format("fixedSettings='yes'")))
    video = "<video><model type='virtio'><acceleration {}/></model></video>"
    assert _refusal(_xml(video.format(""))) == (
        "unsupported configuration: missing values for acceleration")
    crypto = ("<crypto model='virtio' type='qemu'><backend model='builtin' queues='1'/>"
              "<backend model='builtin' queues='1'/></crypto>")
    assert _refusal(_xml(crypto)) == "XML error: only one crypto backend is supported"


def test_memory_devices() -> None:
    head = "<maxMemory slots='4'>1048576</maxMemory>"
    cpu = "<cpu><numa><cell id='0' cpus='0' memory='262144'/></numa></cpu>"
    nvdimm = ("<memory model='nvdimm'><source><path>/tmp/nv</path></source><target>"
              "<size unit='KiB'>524288</size><label><size unit='KiB'>{}</size></label>"
              "<node>0</node></target></memory>")
    assert _refusal(_xml(nvdimm.format(64), head=head, cpu=cpu)) == (
        "XML error: nvdimm label must be at least 128KiB")
    assert _refusal(_xml(nvdimm.format(524288), head=head, cpu=cpu)) == (
        "XML error: label size must be smaller than NVDIMM size")
    dimm = "<memory model='dimm'>{}</memory>"
    assert _refusal(_xml(dimm.format(""), head=head, cpu=cpu)) == (
        "XML error: missing <target> element for <memory> device")
    assert _refusal(_xml(dimm.format("<source><nodemask>0,^0</nodemask></source><target>"
                                     "<size unit='KiB'>131072</size><node>0</node></target>"),
                         head=head, cpu=cpu)) == (
        "unsupported configuration: Invalid value of 'nodemask': 0,^0")


def test_fw_cfg_entries() -> None:
    sysinfo = "<sysinfo type='fwcfg'><entry {}</entry></sysinfo>"
    assert _refusal(_xml(head=sysinfo.format(">x"))) == (
        "XML error: Firmware entry is missing 'name' attribute")
    assert _refusal(_xml(head=sysinfo.format("name='opt/a'>"))) == (
        "XML error: Firmware entry must have either value or 'file' attribute")
    _translate(_xml(head=sysinfo.format("name='opt/a'>value")))


NET_DISK = ("<disk type='network' device='disk'><source protocol='{proto}' {name}>{host}"
            "</source><target dev='vda' bus='virtio'/></disk>")


def test_network_disk_source_and_hosts() -> None:
    host = "<host name='example.org' port='3260'/>"
    assert _refusal(_xml(NET_DISK.format(proto="iscsi", name="", host=host))) == (
        "XML error: missing name for disk source")
    assert _refusal(_xml(NET_DISK.format(proto="nbd", name="", host="<host port='1'/>"))) == (
        "XML error: missing name for host")
    assert _refusal(_xml(NET_DISK.format(proto="nbd", name="",
                                         host="<host transport='unix'/>"))) == (
        "XML error: missing socket for unix transport")
    assert _refusal(_xml(NET_DISK.format(proto="nbd", name="",
                                         host="<host name='a' socket='/s'/>"))) == (
        "XML error: transport 'tcp' does not support socket attribute")
    _translate(_xml(NET_DISK.format(proto="nbd", name="",
                                    host="<host transport='unix' socket='/s'/>")))


def test_identity_and_known_hosts_are_read_for_ssh_only() -> None:
    """virDomainDiskSourceNetworkParse reads <knownHosts>/<identity> (with their required
    attributes) for SSH; NFS's identity names a user and group instead."""
    host = "<host name='example.org'/>"
    ssh = NET_DISK.format(proto="ssh", name="name='p'", host=host + "{}")
    assert _refusal(_xml(ssh.format("<identity user='u'/>"))) == (
        "XML error: Missing required attribute 'username' in element 'identity'")
    assert _refusal(_xml(ssh.format("<identity username='u'/>"))) == (
        "XML error: element 'identity' requires either 'keyfile' or 'agentsock' attribute")
    assert _refusal(_xml(ssh.format("<knownHosts/>"))) == (
        "XML error: Missing required attribute 'path' in element 'knownHosts'")
    _translate(_xml(ssh.format("<identity username='u' keyfile='/k'/><knownHosts path='/h'/>")))
    _translate(_xml(NET_DISK.format(proto="nfs", name="name='p'",
                                    host=host + "<identity user='+0' group='+0'/>")))


def test_vcpu_ids_and_schedulers() -> None:
    vcpus = ("<vcpu current='1'>2</vcpu><vcpus><vcpu id='0' enabled='yes'/>"
             "<vcpu id='{}' enabled='no'/></vcpus>")
    assert _refusal(_xml(head=vcpus.format(2))) == (
        "XML error: vcpu id '2' is out of range of maximum vcpu count")
    _translate(_xml(head=vcpus.format(1)))
    sched = "<vcpu>2</vcpu><cputune><vcpusched {} scheduler='fifo' priority='1'/></cputune>"
    assert _refusal(_xml(head=sched.format(""))) == (
        "XML error: Missing attribute 'vcpus' in element 'vcpusched'")
    assert _refusal(_xml(head=sched.format("vcpus='0,^0'"))) == (
        "unsupported configuration: 'vcpus' scheduler bitmap '0,^0' is empty")
    assert _refusal(_xml(head=sched.format("vcpus='3'"))) == (
        "unsupported configuration: vCPU '3' is not present in domain definition")
    _translate(_xml(head=sched.format("vcpus='1'")))


def test_throttle_groups_and_filters() -> None:
    group = "<throttlegroup><total_iops_sec>{}</total_iops_sec>{}</throttlegroup>"
    named = "<group_name>g</group_name>"
    assert _refusal(_xml(head=f"<throttlegroups>{group.format('x', named)}</throttlegroups>")) \
        == "XML error: throttle group field 'total_iops_sec' must be an integer"
    assert _refusal(_xml(head=f"<throttlegroups>{group.format(1, '')}</throttlegroups>")) == (
        "XML error: missing group name")
    twice = group.format(1, named) * 2
    assert _refusal(_xml(head=f"<throttlegroups>{twice}</throttlegroups>")) == (
        "XML error: duplicate group name 'g' found")
    filters = "<throttlefilters>{}</throttlefilters>".format(
        "<throttlefilter group='g'/>" * 2)
    disk = ("<disk type='file' device='disk'><source file='/a.img'/>"
            f"<target dev='vda' bus='virtio'/>{filters}</disk>")
    assert _refusal(_xml(disk, head=f"<throttlegroups>{group.format(1, named)}"
                                    "</throttlegroups>")) == (
        "XML error: duplicate filter name 'g' found")


def test_unique_iothread_ids_and_ciphers() -> None:
    ids = "<iothreads>2</iothreads><iothreadids><iothread id='1'/><iothread id='{}'/></iothreadids>"
    assert _refusal(_xml(head=ids.format(1))) == "XML error: duplicate iothread id '1' found"
    _translate(_xml(head=ids.format(2)))
    wrap = "<keywrap><cipher name='aes' state='on'/><cipher name='{}' state='off'/></keywrap>"
    assert _refusal(_xml(head=wrap.format("aes"))) == (
        "internal error: A domain definition can have no more than one cipher node with name "
        "aes")


def test_virtualport_and_tpm_sources() -> None:
    nic = "<interface type='user'><virtualport type='openvswitch'/></interface>"
    assert _refusal(_xml(nic)) == (
        "unsupported configuration: <virtualport> element unsupported for "
        "<interface type='user'>")
    tpm = "<tpm model='tpm-crb'><backend type='emulator' version='2.0'>{}</backend></tpm>"
    assert _refusal(_xml(tpm.format("<encryption secret='nope'/>"))) == (
        "internal error: Unable to parse secret uuid 'nope'")
    assert _refusal(_xml(tpm.format("<source type='file'/>"))) == (
        "XML error: missing TPM source path")
    external = ("<tpm model='tpm-crb'><backend type='external'><source type='serial' "
                "mode='connect' path='/s'/></backend></tpm>")
    assert _refusal(_xml(external)) == (
        "unsupported configuration: unknown backend source type 'serial' for external TPM")


def test_rng_egd_backend_and_redirection_filters() -> None:
    egd = ("<rng model='virtio'><backend model='egd' type='{}'><source mode='connect' "
           "host='1.2.3.4' service='1234'/></backend></rng>")
    assert _refusal(_xml(egd.format("socket"))) == (
        "unsupported configuration: unknown backend type 'socket' for egd")
    _translate(_xml(egd.format("tcp")))
    rule = ("<redirdev bus='usb' type='spicevmc'/><redirfilter><usbdev {} allow='yes'/>"
            "</redirfilter><graphics type='spice' autoport='yes'/>")
    assert _refusal(_xml(rule.format("class='0x100'"))) == (
        "internal error: Invalid USB Class code 0x100")
    assert _refusal(_xml(rule.format("version='100.0'"))) == (
        "XML error: Cannot parse USB device version 100.0")
    _translate(_xml(rule.format("class='0x08' version='2.0'")))


ISCSI = ("<hostdev mode='subsystem' type='scsi'><source protocol='iscsi' {name}>{hosts}"
         "{auth}</source></hostdev>")


def test_iscsi_hostdev_source() -> None:
    host = "<host name='example.org' port='3260'/>"
    name = "name='iqn.1992-01.com.example:storage/1'"
    assert _refusal(_xml(ISCSI.format(name="", hosts=host, auth=""))) == (
        "XML error: missing iSCSI hostdev source path name")
    assert _refusal(_xml(ISCSI.format(name=name, hosts="", auth=""))) == (
        "XML error: missing the host address for the iSCSI hostdev")
    assert _refusal(_xml(ISCSI.format(name=name, hosts=host * 2, auth=""))) == (
        "XML error: only one source host address may be specified for the iSCSI hostdev")
    auth = "<auth username='u'><secret type='{}' usage='x'/></auth>"
    assert _refusal(_xml(ISCSI.format(name=name, hosts=host, auth=auth.format("ceph")))) == (
        "internal error: hostdev invalid secret type 'ceph'")
    assert _refusal(_xml(ISCSI.format(name=name, hosts=host, auth=auth.format("x")))) == (
        "unsupported configuration: invalid secret type x")


def test_vhost_scsi_and_mdev_sources() -> None:
    vhost = "<hostdev mode='subsystem' type='scsi_host'><source protocol='vhost' {}/></hostdev>"
    assert _refusal(_xml(vhost.format(""))) == (
        "XML error: missing vhost-scsi hostdev source wwpn")
    assert _refusal(_xml(vhost.format("wwpn='naa.123'"))) == (
        "XML error: malformed 'wwpn' value")
    mdev = ("<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address {}/>"
            "</source></hostdev>")
    assert _refusal(_xml(mdev.format(""))) == (
        "unsupported configuration: Missing 'uuid' attribute for element <address>")
    assert _refusal(_xml(mdev.format("uuid='nope'"))) == (
        "internal error: Cannot parse uuid attribute of element <address>")


def test_capabilities_hostdev_names_its_resource() -> None:
    caps = "<hostdev mode='capabilities' type='storage'><source>{}</source></hostdev>"
    assert _refusal(_xml(caps.format(""))) == (
        "XML error: Missing <block> element in hostdev storage device")
    assert _refusal(_xml(caps.format("<block>/dev/sdf1</block>"))) == (
        "unsupported configuration: hostdev mode 'capabilities' is not supported in qemu")


def test_blkiotune_devices() -> None:
    tune = "<blkiotune><device>{}<weight>{}</weight></device></blkiotune>"
    assert _refusal(_xml(head=tune.format("", 100))) == (
        "unsupported configuration: missing per-device path")
    assert _refusal(_xml(head=tune.format("<path>/dev/sda</path>", "heavy"))) == (
        "unsupported configuration: could not parse weight heavy")
    _translate(_xml(head=tune.format("<path>/dev/sda</path>", 100)))


def test_character_device_and_smartcard_source_types() -> None:
    assert _refusal(_xml("<serial type='bogus'><target port='0'/></serial>")) == (
        "unsupported configuration: unknown type presented to host for character device: "
        "bogus")
    passthrough = "<smartcard mode='passthrough' {}><address type='ccid' controller='0' slot='0'/></smartcard>"
    assert _refusal(_xml(passthrough.format(""))) == (
        "XML error: passthrough mode requires a character device type attribute")
    assert _refusal(_xml(passthrough.format("type='bogus'"))) == (
        "unsupported configuration: unknown type presented to host for character device: "
        "bogus")
    certs = ("<smartcard mode='host-certificates'><certificate>a</certificate>"
             "<certificate>b</certificate><certificate>c</certificate>"
             "<database>{}</database></smartcard>")
    assert _refusal(_xml(certs.format("etc/pki/nssdb"))) == (
        "XML error: expecting absolute path: etc/pki/nssdb")


def test_index_less_pci_root_takes_the_lowest_free_index() -> None:
    """virDomainAssignControllerIndexes has no exception for root buses."""
    roots = "<controller type='pci' index='0' model='pci-root'/><controller type='pci' model='pci-root'/>"
    assert _refusal(_xml(roots)) == (
        "XML error: pci-root and pcie-root controllers should have index 0")
    _translate(_xml("<controller type='pci' model='pci-root'/>"))
