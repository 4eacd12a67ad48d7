"""Host profiles: every host fact changes the command line as libvirt's setting would.

`host` (virsh start, the default), `native` (virsh domxml-to-native, alias `system`) and
`libvirt-test` (the harness) differ only through HostProfile's facts; a fact is changed
here with dataclasses.replace, as a user describing another host would.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import capsdb
import translator
from translator.profiles import HOST, LIBVIRT_TEST, NATIVE, HostProfile, QemuConf

DOMAIN = """<domain type='{virt}' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>demo</name>
  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <memory unit='KiB'>1048576</memory>
  <vcpu placement='{placement}'>2</vcpu>
  {extra}
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    {devices}
  </devices>
  {ns}
</domain>"""


def _inv(devices: str = "", profile: "str | HostProfile" = "host", *, virt: str = "qemu",
         extra: str = "", ns: str = "", placement: str = "static") -> translator.Invocation:
    xml = DOMAIN.format(devices=devices, virt=virt, extra=extra, ns=ns, placement=placement)
    return translator.translate(xml, capsdb.get(), profile=profile)


def _args(*a: object, **kw: object) -> list[str]:
    return list(_inv(*a, **kw).args)  # type: ignore[arg-type]


def _values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == option]


def _json(args: list[str], option: str) -> list[dict[str, object]]:
    return [json.loads(v) for v in _values(args, option) if v.startswith("{")]


def _conf(**kw: object) -> HostProfile:
    return replace(HOST, qemu_conf=replace(HOST.qemu_conf, **kw))  # type: ignore[arg-type]


def test_host_is_the_default_and_system_is_native() -> None:
    xml = DOMAIN.format(devices="", virt="qemu", extra="", ns="", placement="static")
    assert translator.translate(xml, capsdb.get()).profile == "host"
    assert translator.translate(xml, capsdb.get(), profile="system").profile == "native"


def test_host_passes_descriptors_and_uses_a_running_domain_id() -> None:
    args = _args()
    assert any(v.startswith("socket,id=charmonitor,fd=") for v in _values(args, "-chardev"))
    assert "guest=demo,debug-threads=on" in args
    env = dict(_inv().env)
    assert env["HOME"] == "/var/lib/libvirt/qemu/domain-1-demo" and "USER" not in env


# -- qemu.conf ---------------------------------------------------------------------------
SPICE = "<graphics type='spice'/>"
SPICE_AUTO = "<graphics type='spice' autoport='yes'/>"
SPICE_TLS = "<graphics type='spice' port='5903' tlsPort='5904'/>"
VNC = "<graphics type='vnc' autoport='yes'/>"


@pytest.mark.parametrize("profile", ["host", "native", "system"])
def test_spice_without_password_disables_ticketing(profile: str) -> None:
    assert _values(_args(SPICE, profile), "-spice") == \
        ["port=0,disable-ticketing=on,seamless-migration=on"]


def test_spice_password_keeps_ticketing() -> None:
    assert _values(_args(SPICE, _conf(spice_password="s3cret")), "-spice") == \
        ["port=0,seamless-migration=on"]
    assert "disable-ticketing" not in _values(_args(SPICE, "libvirt-test"), "-spice")[0]


def test_spice_autoport_and_listen() -> None:
    assert _values(_args(SPICE_AUTO), "-spice")[0].startswith("port=5900,addr=127.0.0.1,")
    assert _values(_args(SPICE_AUTO, "native"), "-spice")[0].startswith("port=5901,")
    moved = _conf(spice_listen="0.0.0.0", remote_display_port_min=6000)
    assert _values(_args(SPICE_AUTO, moved), "-spice")[0].startswith("port=6000,addr=0.0.0.0,")
    # with spice_tls an autoport display also gets the next port for TLS
    tls = _values(_args(SPICE_AUTO, _conf(spice_tls=True)), "-spice")[0]
    assert tls.startswith("port=5900,tls-port=5901,addr=127.0.0.1,")
    assert "x509-dir=/etc/pki/qemu" in tls


def test_spice_tls_port_needs_spice_tls() -> None:
    with pytest.raises(translator.TranslationError,
                       match="spice TLS port set in XML configuration, but TLS is disabled"):
        _args(SPICE_TLS)
    ok = _values(_args(SPICE_TLS, _conf(spice_tls=True, spice_tls_x509_cert_dir="/x")), "-spice")
    assert ok == ["port=5903,tls-port=5904,addr=127.0.0.1,disable-ticketing=on,x509-dir=/x,"
                  "seamless-migration=on"]


def test_spice_sasl() -> None:
    inv = _inv(SPICE, _conf(spice_sasl=True, spice_sasl_dir="/etc/sasl2"))
    assert _values(list(inv.args), "-spice")[0].startswith("port=0,sasl=on,")
    assert dict(inv.env)["SASL_CONF_PATH"] == "/etc/sasl2"


def test_spice_auto_unix_socket() -> None:
    assert _values(_args(SPICE_AUTO, _conf(spice_auto_unix_socket=True)), "-spice")[0] \
        .startswith("unix=on,addr=/var/lib/libvirt/qemu/domain-1-demo/spice.sock,")


def test_vnc_settings() -> None:
    assert _values(_args(VNC), "-vnc") == ["127.0.0.1:0,audiodev=audio1"]
    assert _values(_args(VNC, _conf(vnc_listen="::")), "-vnc")[0].startswith("[::]:0")
    assert "password=on" in _values(_args(VNC, _conf(vnc_password="pw")), "-vnc")[0]
    assert _values(_args(VNC, _conf(vnc_auto_unix_socket=True)), "-vnc")[0].startswith(
        "vnc=unix:/var/lib/libvirt/qemu/domain-1-demo/vnc.sock")
    args = _args(VNC, _conf(vnc_tls=True, vnc_tls_x509_cert_dir="/pki", vnc_sasl=True))
    assert {"qom-type": "tls-creds-x509", "id": "vnc-tls-creds0", "dir": "/pki",
            "endpoint": "server", "verify-peer": False} in _json(args, "-object")
    assert _values(args, "-vnc") == ["127.0.0.1:0,tls-creds=vnc-tls-creds0,sasl=on,"
                                     "audiodev=audio1"]
    ws = "<graphics type='vnc' autoport='yes' websocket='-1'/>"
    assert "websocket=5800" in _values(_args(ws, _conf(remote_websocket_port_min=5800)),
                                       "-vnc")[0]
    assert "websocket=-1" in _values(_args(ws, "native"), "-vnc")[0]  # not allocated


CHARDEV_TLS = """<serial type='tcp'><source mode='connect' host='h' service='9' tls='yes'/>
  <protocol type='raw'/><target port='0'/></serial>"""


def test_chardev_tls_dir() -> None:
    def tls_dir(profile: "str | HostProfile") -> object:
        objs = _json(_args(CHARDEV_TLS, profile), "-object")
        return next(o["dir"] for o in objs if o["qom-type"] == "tls-creds-x509")
    assert tls_dir("host") == "/etc/pki/qemu"
    assert tls_dir(_conf(chardev_tls_x509_cert_dir="/pki/chr")) == "/pki/chr"
    assert tls_dir("libvirt-test") == "/etc/pki/libvirt-chardev"


NBD_TLS = """<disk type='network' device='disk'><driver name='qemu' type='raw'/>
  <source protocol='nbd' name='x' tls='yes'><host name='h' port='10809'/></source>
  <target dev='vda' bus='virtio'/></disk>"""


def test_nbd_tls_dir_and_key_secret() -> None:
    def creds(profile: "str | HostProfile") -> dict[str, object]:
        return next(o for o in _json(_args(NBD_TLS, profile), "-object")
                    if o["qom-type"] == "tls-creds-x509")
    assert creds("host") == {"qom-type": "tls-creds-x509", "id": "objlibvirt-1-storage_tls0",
                             "dir": "/etc/pki/qemu", "endpoint": "client", "verify-peer": True}
    secret = creds(_conf(nbd_tls_x509_secret_uuid="6fd3f62d-9fe7-4a4e-a869-7acd6376d8ea"))
    assert secret["passwordid"] == "objlibvirt-1-storage_tls0-secret0"


# -- memory and NUMA ---------------------------------------------------------------------
HUGE = "<memoryBacking><hugepages/></memoryBacking>"
HUGE_1G = "<memoryBacking><hugepages><page size='1' unit='G'/></hugepages></memoryBacking>"


def _mem_path(profile: "str | HostProfile", extra: str = HUGE) -> object:
    objs = _json(_args("", profile, extra=extra), "-object")
    return next(o.get("mem-path") for o in objs if o["id"] == "pc.ram")


def test_hugetlbfs_mounts() -> None:
    assert _mem_path("host") == "/dev/hugepages/libvirt/qemu/1-demo"
    assert _mem_path("native") == "/dev/hugepages/libvirt/qemu/-1-demo"
    mounted = _conf(hugetlbfs_mount=((1048576, "/mnt/huge1G"),))
    assert _mem_path(mounted, HUGE_1G) == "/mnt/huge1G/libvirt/qemu/1-demo"
    with pytest.raises(translator.TranslationError, match="hugetlbfs mount for 1048576 KiB"):
        _mem_path("host", HUGE_1G)
    # the harness' mounts stay in the harness
    assert _mem_path("libvirt-test") == "/dev/hugepages2M/libvirt/qemu/-1-demo"


NUMATUNE = "<numatune><memory mode='strict' nodeset='{}'/></numatune>"
AUTO = "<numatune><memory mode='strict' placement='auto'/></numatune>"


def test_host_numa_nodes() -> None:
    # nothing is known about the host's nodes: libvirt's answer depends on the machine
    assert _args("", "host", extra=NUMATUNE.format("5"))
    with pytest.raises(translator.TranslationError, match="NUMA node 5 is unavailable"):
        _args("", "libvirt-test", extra=NUMATUNE.format("5"))
    with pytest.raises(translator.TranslationError, match="NUMA node 2 is unavailable"):
        _args("", replace(HOST, host_numa_nodes=2), extra=NUMATUNE.format("2"))


def test_numad_advice() -> None:
    def nodes(profile: "str | HostProfile") -> object:
        objs = _json(_args("", profile, extra=AUTO, placement="auto"), "-object")
        return next(o.get("host-nodes") for o in objs if o["id"] == "pc.ram")
    assert nodes("host") == [0]
    assert nodes("libvirt-test") == [0, 1, 2, 3]
    assert nodes(replace(HOST, numad_nodes=(1, 3))) == [1, 3]


# -- devices and images ------------------------------------------------------------------
TAP = """<interface type='ethernet'><mac address='52:54:00:11:22:33'/>
  <model type='virtio'/></interface>"""


def test_vhost_net_availability_and_kvm() -> None:
    def netdev(profile: "str | HostProfile", virt: str) -> dict[str, object]:
        return _json(_args(TAP, profile, virt=virt), "-netdev")[0]
    assert "vhost" not in netdev("host", "kvm")          # the reference host had none
    with_vhost = replace(HOST, vhost_net=True)
    assert netdev(with_vhost, "kvm")["vhost"] is True
    assert "vhost" not in netdev(with_vhost, "qemu")     # libvirt: only for KVM domains
    assert netdev("libvirt-test", "qemu")["vhost"] is True   # the harness opens it anyway


CDROM = """<disk type='block' device='cdrom'><driver name='qemu' type='raw'/>
  <source dev='/dev/cdrom'/><target dev='hdc' bus='ide'/></disk>"""
QCOW2 = """<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
  <source file='/var/lib/libvirt/images/a.qcow2'/><target dev='vda' bus='virtio'/></disk>"""


def test_host_cdrom_drives() -> None:
    def driver(profile: "str | HostProfile") -> object:
        return _json(_args(CDROM, profile), "-blockdev")[0]["driver"]
    assert driver("host") == driver("native") == "host_device"
    assert driver(replace(HOST, cdrom_devices=frozenset({"/dev/cdrom"}))) == "host_cdrom"
    assert driver("libvirt-test") == "host_cdrom"


def test_probed_images_end_their_backing_chain() -> None:
    def fmt(profile: "str | HostProfile") -> dict[str, object]:
        return next(b for b in _json(_args(QCOW2, profile), "-blockdev")
                    if b.get("driver") == "qcow2")
    assert fmt("host")["backing"] is None
    assert "backing" not in fmt("native")


def test_render_node_and_pipewire_runtime() -> None:
    gl = "<graphics type='egl-headless'/><graphics type='vnc'/>"
    assert "egl-headless,rendernode=/dev/dri/renderD128" in _values(_args(gl), "-display")
    pw = "<audio id='1' type='pipewire'/>"
    assert "PIPEWIRE_RUNTIME_DIR" not in dict(_inv(pw).env)
    daemon_env = replace(HOST, pipewire_runtime_env=("XDG_RUNTIME_DIR", "/run/user/107"))
    assert dict(_inv(pw, daemon_env).env)["XDG_RUNTIME_DIR"] == "/run/user/107"
    # the domain's runtimeDir wins over the daemon's environment
    own = "<audio id='1' type='pipewire' runtimeDir='/run/pw'/>"
    env = dict(_inv(own, daemon_env).env)
    assert env["PIPEWIRE_RUNTIME_DIR"] == "/run/pw" and "XDG_RUNTIME_DIR" not in env


def test_channel_directory() -> None:
    ga = "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
    assert "socket,id=charchannel0,path=/run/libvirt/qemu/channel/-1-demo/" \
           "org.qemu.guest_agent.0,server=on,wait=off" in _values(_args(ga, "native"),
                                                                   "-chardev")


def test_no_harness_value_outside_the_harness() -> None:
    devices = SPICE + CDROM + TAP
    for profile in (HOST, NATIVE):
        text = " ".join(_args(devices, profile, extra=HUGE, virt="kvm"))
        for harness_value in ("hugepages2M", "hugepages1G", "/dev/dri/foo", "libvirt-spice",
                              "host_cdrom", "/dev/test", "fd=1729"):
            assert harness_value not in text, (profile.name, harness_value)
    assert LIBVIRT_TEST.qemu_conf != QemuConf()


# -- the real start path -----------------------------------------------------------------
USER_NIC = """<interface type='user'><mac address='52:54:00:11:22:33'/>
  <model type='virtio'/><alias name='ua-net'/></interface>"""
OVERRIDE = """<qemu:override><qemu:device alias='ua-net'><qemu:frontend>
  <qemu:property name='romfile' type='string' value='/x.rom'/>
  </qemu:frontend></qemu:device></qemu:override>"""


def test_user_interface_keeps_its_backend_under_host() -> None:
    assert _json(_args(USER_NIC), "-netdev") == [{"type": "user", "id": "hostua-net"}]
    # domxml-to-native rewrites it as a tap
    assert _json(_args(USER_NIC, "native"), "-netdev")[0]["type"] == "tap"


def test_override_on_a_user_alias_nic_applies_under_host() -> None:
    nic = next(d for d in _json(_args(USER_NIC, ns=OVERRIDE), "-device")
               if d.get("id") == "ua-net")
    assert nic["romfile"] == "/x.rom"


# -- what the profile says about itself ----------------------------------------------------
def test_explain_names_the_profile_and_pretend_changes() -> None:
    from translator.explain import render_explain

    host = render_explain(_inv(USER_NIC))
    assert "profile host: the command line `virsh start`" in host
    assert "pretend mode" not in host
    native = render_explain(_inv(USER_NIC, "native"))
    assert "pretend mode: interface 52:54:00:11:22:33 (type 'user') is rewritten" in native
    doc = json.loads(render_explain(_inv(USER_NIC, "native"), fmt="json"))
    assert doc["profile"] == "native" and doc["profile_notes"][0].startswith("profile native")


def test_html_page_names_the_profile() -> None:
    from translator.html import render_html

    page = render_html(_inv(USER_NIC, "native"), [])
    assert "profile native: what `virsh domxml-to-native qemu-argv`" in page
    assert "rewritten as a plain ethernet tap" in page


# -- interface rules that bite when an interface keeps its type ---------------------------
def _on_a_bridge(body: str) -> str:
    """The neighbour's setting: a persistent teaming names no peer (virDomainNetDefValidate)."""
    if "<teaming" in body:
        return "<teaming type='persistent'/>"
    return body


@pytest.mark.parametrize("body, message", [
    ("<bandwidth><inbound average='1000' floor='200'/></bandwidth>",
     "floor attribute is not supported for this config"),
    ("<mtu size='9000'/>", "setting MTU on interface type user is not supported yet"),
    ("<teaming type='transient' persistent='ua-x'/>",
     "virtio-net teaming transient interface must be type='hostdev', not 'user'"),
    ("<coalesce><rx><frames max='7'/></rx></coalesce>",
     "coalesce settings on interface type user are not supported"),
    ("<port isolated='yes'/>", "interface 52:54:00:11:22:33 - <port isolated='yes'/> is not "
     "supported for network interfaces with type='user'"),
    ("<driver queues='2'/>", "interface 52:54:00:11:22:33 - multiqueue is not supported for "
     "network interfaces of type user"),
    ("<backend tap='/dev/net/tun'/>", "interface 52:54:00:11:22:33 - custom tap device path "
     "is not supported for network interfaces of type user"),
])
def test_user_interface_rules(body: str, message: str) -> None:
    user = f"""<interface type='user'><mac address='52:54:00:11:22:33'/>
      <model type='virtio'/>{body}</interface>"""
    with pytest.raises(translator.TranslationError) as exc:
        _args(user)
    assert str(exc.value) == f"unsupported configuration: {message}"
    # the accepted neighbour: the same setting on a bridge
    bridge = f"""<interface type='bridge'><mac address='52:54:00:11:22:33'/>
      <source bridge='br0'/><model type='virtio'/>{_on_a_bridge(body)}
      </interface>"""
    if "floor" not in body:
        assert _args(bridge)


def test_actual_type_rules_follow_the_rewrite_in_pretend_mode() -> None:
    # domxml-to-native checks the rewritten (ethernet) interface when building
    user = """<interface type='user'><mac address='52:54:00:11:22:33'/>
      <model type='virtio'/><driver queues='2'/></interface>"""
    assert _json(_args(user, "native"), "-netdev")[0]["type"] == "tap"
    e1000 = """<interface type='user'><mac address='52:54:00:11:22:33'/>
      <model type='e1000'/><driver queues='2'/></interface>"""
    assert _json(_args(e1000), "-netdev") == [{"type": "user", "id": "hostnet0"}]


def test_passed_descriptors_are_the_daemons_not_the_harness() -> None:
    devices = ("<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>"
               "</channel><serial type='file'><source path='/var/log/s.log'/></serial>"
               "<vsock model='virtio'><cid auto='no' address='5'/></vsock>")
    host = " ".join(_args(devices))
    for harness_fd in ("1729", "1750", "6789"):
        assert harness_fd not in host
    assert "fd=30," in host    # the monitor: the first descriptor the profile hands out
    harness = " ".join(_args(devices, "libvirt-test"))
    assert "fd=1729" in harness and "fd=1750" in harness and '"vhostfd":"6789"' in harness


def test_spice_tls_port_allocation_needs_spice_tls() -> None:
    secure = "<graphics type='spice' autoport='yes' defaultMode='secure'/>"
    with pytest.raises(translator.TranslationError, match="Auto allocation of spice TLS port "
                       "requested but spice TLS is disabled in qemu.conf"):
        _args(secure)
    # secure only: the first free port goes to TLS
    assert _values(_args(secure, _conf(spice_tls=True)), "-spice")[0].startswith(
        "tls-port=5900,addr=127.0.0.1,")
    # pretend mode fills in 5902 without asking qemu.conf
    assert "tls-port=5902" in _values(_args(secure, "native"), "-spice")[0]


def test_iommu_groups_are_host_facts() -> None:
    # the harness mocks its host's devices; a real host is taken as one group per slot
    assert LIBVIRT_TEST.iommu_group("0001:01:00.0") == LIBVIRT_TEST.iommu_group("0001:01:00.1")
    assert LIBVIRT_TEST.iommu_group("0001:01:00.0") != LIBVIRT_TEST.iommu_group("0005:90:01.0")
    assert LIBVIRT_TEST.iommu_group("0000:ff:00.0") is None
    assert HOST.iommu_group("0000:ff:00.0") == HOST.iommu_group("0000:ff:00.3")
    assert HOST.iommu_group("0000:ff:00.0") != HOST.iommu_group("0000:ff:01.0")
    assert replace(HOST, iommu_groups=()).iommu_group("0000:ff:00.0") is None


EFI = """<domain type='kvm'><name>uefi</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>
  <os firmware='efi'><type arch='x86_64' machine='{machine}'>hvm</type>{extra}</os>
  <features><acpi/></features><devices/></domain>"""


def _code(inv: translator.Invocation) -> str:
    storage = next(json.loads(v) for v in inv.args if '"libvirt-pflash0-storage"' in v
                   and v.startswith("{"))
    return storage["filename"]


@pytest.mark.parametrize("profile", ["host", "native"])
@pytest.mark.parametrize("machine, extra, code, smm", [
    # nothing asked: the first descriptor, Secure Boot with SMM and enrolled keys
    ("q35", "", "OVMF_CODE_4M.ms.fd", True),
    ("q35", "<firmware><feature enabled='no' name='enrolled-keys'/></firmware>",
     "OVMF_CODE_4M.secboot.fd", True),
    ("q35", "<firmware><feature enabled='no' name='secure-boot'/></firmware>",
     "OVMF_CODE_4M.fd", False),
    ("q35", "<loader secure='no'/>", "OVMF_CODE_4M.fd", False),
    # i440fx has no SMM: only the build without Secure Boot targets it
    ("pc", "", "OVMF_CODE_4M.fd", False),
])
def test_efi_firmware_comes_from_the_profiles_descriptors(profile: str, machine: str,
                                                          extra: str, code: str,
                                                          smm: bool) -> None:
    """qemuFirmwareFillDomain over the reference host's OVMF descriptors (host_firmware.py),
    whatever the machine xml2argv runs on has installed."""
    inv = translator.translate(EFI.format(machine=machine, extra=extra), capsdb.get(),
                               profile=profile)
    assert _code(inv) == f"/usr/share/OVMF/{code}"
    machine_arg = inv.args[inv.args.index("-machine") + 1]
    assert ("smm=on" in machine_arg) is smm
    assert ("driver=cfi.pflash01,property=secure,value=on" in inv.args) is smm


def test_a_real_descriptor_tree_replaces_the_profiles(tmp_path, monkeypatch) -> None:
    """XML2ARGV_FIRMWARE_ROOT points a profile at a host's own descriptors (here: none)."""
    monkeypatch.setenv("XML2ARGV_FIRMWARE_ROOT", str(tmp_path))
    with pytest.raises(translator.TranslationError) as exc:
        translator.translate(EFI.format(machine="q35", extra=""), capsdb.get(), profile="host")
    assert str(exc.value) == ("operation failed: Unable to find 'efi' firmware that is "
                              "compatible with the current configuration")
    assert HOST.named_firmware() is None
    monkeypatch.delenv("XML2ARGV_FIRMWARE_ROOT")
    assert HOST.named_firmware() == NATIVE.named_firmware() and HOST.firmware
    assert LIBVIRT_TEST.firmware is None


def test_the_explanation_says_where_the_firmware_came_from() -> None:
    from translator.profile_notes import profile_notes

    inv = translator.translate(EFI.format(machine="q35", extra=""), capsdb.get(), profile="host")
    assert any(n.startswith("firmware /usr/share/OVMF/OVMF_CODE_4M.ms.fd: chosen from the "
                            "descriptors the profile's host") for n in profile_notes(inv))
    plain = translator.translate(EFI.format(machine="q35", extra="").replace(
        " firmware='efi'", ""), capsdb.get(), profile="host")
    assert not any(n.startswith("firmware ") for n in profile_notes(plain))


def test_native_fails_on_a_vhost_user_gpu_as_virsh_does() -> None:
    """Pretend mode opens no vhost-user GPU socket and libvirt passes on -1, which its
    command builder reports once the line is built; a real start passes the socket."""
    gpu = ("<video><driver name='vhostuser'/><model type='virtio' heads='1' primary='yes'>"
           "<acceleration accel3d='yes' rendernode='/dev/dri/test'/></model></video>")
    with pytest.raises(translator.TranslationError) as exc:
        _inv(gpu, "native", virt="kvm")
    assert str(exc.value) == "internal error: invalid use of command API"
    assert any(v.startswith("socket,id=chr-vu-video0,fd=") for v in _args(gpu, virt="kvm"))
