"""Unit tests of the libvirt qemu XML namespace: <qemu:commandline>, <qemu:capabilities>,
<qemu:override> and <qemu:deprecation>, on small inline domains."""

from __future__ import annotations

import json

import pytest

import capsdb
import translator
from translator import InvalidCapabilityError, TranslationError

QEMU_URI = "http://libvirt.org/schemas/domain/qemu/1.0"
CAPS = capsdb.get("10.0")


def domain(ns: str = "", *, prefix: str = "qemu", uri: str = QEMU_URI, devices: str = "") -> str:
    """A minimal TCG domain with `ns` (namespace elements) appended to <domain>."""
    return (f"<domain type='qemu' xmlns:{prefix}='{uri}'>"
            "<name>ns-test</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
            "<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
            f"<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>{devices}</devices>"
            f"{ns}</domain>")


DISK = ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        "<source file='/images/a.qcow2'/><target dev='vda' bus='virtio'/>"
        "<alias name='ua-disk'/></disk>")


def translate(xml: str, **kw) -> translator.Invocation:
    return translator.translate(xml, CAPS, profile=kw.pop("profile", "system"), **kw)


def options(inv: translator.Invocation, name: str) -> list[str]:
    """Values of every occurrence of option `name`."""
    return [inv.args[i + 1] for i, a in enumerate(inv.args) if a == name]


def ua_disk_device(inv: translator.Invocation) -> dict:
    for value in options(inv, "-device"):
        if value.startswith("{"):
            props = json.loads(value)
            if props.get("id") == "ua-disk":
                return props
    raise AssertionError("no -device for ua-disk")


# --- <qemu:env> ---------------------------------------------------------------------


def test_env_follows_libvirt_variables_in_document_order():
    inv = translate(domain("<qemu:commandline><qemu:env name='ZED' value='1'/>"
                           "<qemu:arg value='-x'/><qemu:env name='ALPHA' value='2'/>"
                           "<qemu:env name='_mid' value='a b'/></qemu:commandline>"))
    names = [n for n, _ in inv.env]
    assert names[:2] == ["LC_ALL", "PATH"]
    assert names[-3:] == ["ZED", "ALPHA", "_mid"]
    assert names.index("XDG_CONFIG_HOME") < names.index("ZED")
    text = inv.render("args")
    assert "XDG_CONFIG_HOME=/var/lib/libvirt/qemu/domain--1-ns-test/.config \\\n" \
           "ZED=1 \\\nALPHA=2 \\\n_mid='a b' \\\n/usr/bin/qemu-system-x86_64 \\\n" in text


def test_env_without_value_renders_empty_string():
    inv = translate(domain("<qemu:commandline><qemu:env name='BAR'/></qemu:commandline>"))
    assert inv.env[-1] == ("BAR", None) or inv.env[-1] == ("BAR", "")
    assert "\nBAR='' \\\n" in inv.render("args")
    assert "BAR=''" in inv.render("shell")
    last = json.loads(inv.render("json"))["env"][-1]
    assert {k: v for k, v in last.items() if k != "source"} == {"name": "BAR", "value": ""}
    assert last["source"]["kind"] == "qemu"


@pytest.mark.parametrize("name, message", [
    ("1ABC", "Invalid environment name, it must begin with a letter or underscore"),
    ("-X", "Invalid environment name, it must begin with a letter or underscore"),
    ("é", "Invalid environment name, it must begin with a letter or underscore"),
    ("A-B", "Invalid environment name, it must contain only alphanumerics and underscore"),
    ("A B", "Invalid environment name, it must contain only alphanumerics and underscore"),
    ("Aé", "Invalid environment name, it must contain only alphanumerics and underscore"),
])
def test_invalid_env_names(name, message):
    with pytest.raises(TranslationError) as exc:
        translate(domain(f"<qemu:commandline><qemu:env name='{name}' value='v'/>"
                         "</qemu:commandline>"))
    assert str(exc.value) == "internal error: " + message


def test_valid_env_names():
    inv = translate(domain("<qemu:commandline><qemu:env name='_' value='1'/>"
                           "<qemu:env name='a_B9' value='2'/></qemu:commandline>"))
    assert inv.env[-2:] == [("_", "1"), ("a_B9", "2")]


# --- namespace recognised by URI ----------------------------------------------------

NS_BODY = ("<{p}:commandline><{p}:arg value='-unknown'/><{p}:arg value='parameter'/>"
           "<{p}:env name='NS' value='ns'/></{p}:commandline>")


def test_other_prefix_bound_to_the_qemu_uri_works():
    inv = translate(domain(NS_BODY.format(p="foo"), prefix="foo"))
    assert ("NS", "ns") in inv.env
    i = inv.args.index("-unknown")
    assert inv.args[i + 1] == "parameter"


def test_qemu_prefix_bound_to_a_misspelt_uri_is_ignored():
    inv = translate(domain(NS_BODY.format(p="qemu"), uri=QEMU_URI.replace("domain", "domian")))
    assert "-unknown" not in inv.args
    assert "NS" not in [n for n, _ in inv.env]


def test_default_namespace_declaration_works_too():
    body = (f"<commandline xmlns='{QEMU_URI}'><arg value='-unknown'/></commandline>")
    inv = translate(domain(body))
    assert "-unknown" in inv.args


# --- <qemu:arg> placement -----------------------------------------------------------


def test_args_come_right_before_sandbox_in_document_order():
    inv = translate(domain("<qemu:commandline><qemu:arg value='-one'/><qemu:arg value='a,b'/>"
                           "<qemu:arg value='-two'/></qemu:commandline>"))
    i = inv.args.index("-one")
    assert inv.args[i:i + 4] == ["-one", "a,b", "-two", "-sandbox"]
    text = inv.render("args")
    assert "\n-one a,b \\\n-two \\\n-sandbox " in text


# --- <qemu:capabilities> ------------------------------------------------------------


def test_capability_delete_changes_the_output():
    plain = translate(domain(devices=DISK))
    deleted = translate(domain("<qemu:capabilities><qemu:del capability='blockdev'/>"
                               "</qemu:capabilities>", devices=DISK))
    assert "-blockdev" in plain.args and "-drive" not in plain.args
    assert "-drive" in deleted.args and "-blockdev" not in deleted.args


def _device_json(inv: translator.Invocation, driver: str) -> dict:
    found = [json.loads(v) for v in options(inv, "-device") if f'"driver":"{driver}"' in v]
    assert len(found) == 1, found
    return found[0]


USB_HOSTDEV = ("<hostdev mode='subsystem' type='usb'><source><address bus='1' device='5'/>"
               "</source></hostdev>")


@pytest.mark.parametrize("devices, op, driver, present, absent", [
    # qemuBuildUSBHostdevDevProps: the device path, or bus and address on an older QEMU
    (USB_HOSTDEV, "del capability='usb-host.hostdevice'", "usb-host",
     {"hostbus": 1, "hostaddr": 5}, ("hostdevice",)),
    (USB_HOSTDEV, "add capability='usb-host.hostdevice'", "usb-host",
     {"hostdevice": "/dev/bus/usb/001/005"}, ("hostbus", "hostaddr")),
    # qemuBuildDiskDeviceProps: a QEMU whose virtio-blk has SG_IO on turns it off
    (DISK, "add capability='virtio-blk-pci.scsi'", "virtio-blk-pci", {"scsi": False}, ()),
    (DISK, "add capability='virtio-blk-pci.scsi'/><qemu:add "
           "capability='virtio-blk-pci.scsi.default.disabled'", "virtio-blk-pci", {},
     ("scsi",)),
    (DISK, "del capability='virtio-blk-pci.scsi'", "virtio-blk-pci", {}, ("scsi",)),
])
def test_capability_toggles_reach_device_properties(devices, op, driver, present, absent):
    inv = translate(domain(f"<qemu:capabilities><qemu:{op}/></qemu:capabilities>",
                           devices=devices))
    props = _device_json(inv, driver)
    assert {k: props.get(k) for k in present} == present
    assert not set(absent) & set(props)


def test_adds_are_applied_before_deletes():
    # Document order is del-then-add, yet the delete wins: libvirt adds first.
    inv = translate(domain("<qemu:capabilities><qemu:del capability='blockdev'/>"
                           "<qemu:add capability='blockdev'/></qemu:capabilities>",
                           devices=DISK))
    assert "-drive" in inv.args and "-blockdev" not in inv.args


def test_cli_toggles_combine_with_the_namespace():
    inv = translate(domain("<qemu:capabilities><qemu:add capability='blockdev'/>"
                           "</qemu:capabilities>", devices=DISK), caps_del=["blockdev"])
    assert "-drive" in inv.args


@pytest.mark.parametrize("op", ["add", "del"])
def test_unknown_capability_is_refused(op):
    with pytest.raises(InvalidCapabilityError) as exc:
        translate(domain(f"<qemu:capabilities><qemu:{op} capability='frobnicate'/>"
                         "</qemu:capabilities>"))
    assert str(exc.value) == "internal error: invalid qemu namespace capability 'frobnicate'"


def test_unknown_capability_from_the_api_is_refused():
    with pytest.raises(InvalidCapabilityError):
        translate(domain(), caps_add=["frobnicate"])


# --- <qemu:override> ----------------------------------------------------------------


def override(*props: str, alias: str = "ua-disk") -> str:
    return (f"<qemu:override><qemu:device alias='{alias}'><qemu:frontend>{''.join(props)}"
            "</qemu:frontend></qemu:device></qemu:override>")


def prop(name: str, type_: str, value: str | None = None) -> str:
    val = "" if value is None else f" value='{value}'"
    return f"<qemu:property name='{name}' type='{type_}'{val}/>"


def test_override_types_are_merged_into_the_json_device():
    inv = translate(domain(override(prop("p1", "string", "v1"), prop("p2", "signed", "-321"),
                                    prop("p3", "unsigned", "123"), prop("p4", "bool", "true"),
                                    prop("p5", "bool", "false"), prop("p6", "bool", "false"),
                                    prop("p6", "remove")), devices=DISK))
    dev = ua_disk_device(inv)
    assert list(dev)[-5:] == ["p1", "p2", "p3", "p4", "p5"]
    assert (dev["p1"], dev["p2"], dev["p3"], dev["p4"], dev["p5"]) == ("v1", -321, 123, True,
                                                                        False)
    assert "p6" not in dev


def test_overridden_libvirt_key_moves_to_the_end():
    plain = ua_disk_device(translate(domain(devices=DISK)))
    assert list(plain)[-1] != "drive"
    dev = ua_disk_device(translate(domain(override(prop("drive", "string", "mine")),
                                          devices=DISK)))
    assert list(dev)[-1] == "drive" and dev["drive"] == "mine"
    assert [k for k in dev if k != "drive"] == [k for k in plain if k != "drive"]


def test_override_remove_deletes_a_libvirt_key():
    dev = ua_disk_device(translate(domain(override(prop("bootindex", "remove")), devices=DISK)))
    assert "bootindex" not in dev and dev["id"] == "ua-disk"


def test_override_for_another_alias_changes_nothing():
    plain = translate(domain(devices=DISK)).args
    other = translate(domain(override(prop("x", "string", "y"), alias="ua-other"),
                             devices=DISK)).args
    assert plain == other


@pytest.mark.parametrize("type_, value", [("unsigned", "-1"), ("signed", "abc"),
                                          ("bool", "yes")])
def test_override_bad_values_are_refused(type_, value):
    with pytest.raises(TranslationError):
        translate(domain(override(prop("p", type_, value)), devices=DISK))


# --- <qemu:deprecation> -------------------------------------------------------------


@pytest.mark.parametrize("behavior, expected", [
    ("omit", {"deprecated-output": "hide"}),
    ("reject", {"deprecated-output": "hide", "deprecated-input": "reject"}),
    ("crash", {"deprecated-output": "hide", "deprecated-input": "crash"}),
])
def test_deprecation_adds_compat_after_name(behavior, expected):
    inv = translate(domain(f"<qemu:deprecation behavior='{behavior}'/>"))
    compat = options(inv, "-compat")
    assert len(compat) == 1
    assert json.loads(compat[0]) == expected
    assert list(json.loads(compat[0])) == list(expected)
    i = inv.args.index("-compat")
    assert inv.args[i - 2] == "-name"


@pytest.mark.parametrize("ns", ["<qemu:deprecation behavior='none'/>", ""])
def test_no_compat_without_a_deprecation_behavior(ns):
    assert "-compat" not in translate(domain(ns)).args


def test_unknown_deprecation_behavior_is_ignored():
    """libvirt only logs a warning for an unknown behaviour and emits no -compat."""
    inv = translate(domain("<qemu:deprecation behavior='explode'/>"))
    assert "-compat" not in inv.args


@pytest.mark.parametrize("xml, message", [
    ("<qemu:commandline><qemu:arg/></qemu:commandline>",
     "internal error: No qemu command-line argument specified"),
    ("<qemu:commandline><qemu:env value='v'/></qemu:commandline>",
     "internal error: No qemu environment name specified"),
    ("<qemu:capabilities><qemu:add/></qemu:capabilities>",
     "internal error: missing capability name"),
    ("<qemu:override><qemu:device><qemu:frontend/></qemu:device></qemu:override>",
     "XML error: missing 'alias' attribute for qemu:device"),
    ("<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
     "<qemu:property name='id' type='string' value='y'/></qemu:frontend></qemu:device>"
     "</qemu:override>", "XML error: property with name 'id' can't be overridden"),
    ("<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
     "<qemu:property name='p' value='y'/></qemu:frontend></qemu:device></qemu:override>",
     "XML error: Missing required attribute 'type' in element 'property'"),
    ("<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
     "<qemu:property name='p' type='float' value='1'/></qemu:frontend></qemu:device>"
     "</qemu:override>", "XML error: Invalid value for attribute 'type' in element 'property': "
     "'float'."),
    ("<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
     "<qemu:property name='p' type='bool'/></qemu:frontend></qemu:device></qemu:override>",
     "XML error: missing 'value' attribute for 'qemu:property'"),
    ("<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
     "<qemu:property name='p' type='unsigned' value='-1'/></qemu:frontend></qemu:device>"
     "</qemu:override>", "XML error: invalid value '-1' of 'value' attribute of 'qemu:property'"),
    ("<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
     "<qemu:property name='p' type='bool' value='yes'/></qemu:frontend></qemu:device>"
     "</qemu:override>", "XML error: invalid value 'yes' of 'value' attribute of 'qemu:property'"),
    ("<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
     "<qemu:property name='p' type='remove' value='1'/></qemu:frontend></qemu:device>"
     "</qemu:override>", "XML error: setting 'value' attribute of 'qemu:property' doesn't make "
     "sense with 'remove' type"),
])
def test_namespace_refusals(xml, message):
    with pytest.raises(TranslationError) as exc:
        translate(domain(xml))
    assert str(exc.value) == message


@pytest.mark.parametrize("ptype, value", [("signed", "-5"), ("unsigned", "7"),
                                          ("bool", "false"), ("string", "")])
def test_valid_override_values_are_accepted(ptype, value):
    translate(domain("<qemu:override><qemu:device alias='ua-x'><qemu:frontend>"
                     f"<qemu:property name='p' type='{ptype}' value='{value}'/>"
                     "</qemu:frontend></qemu:device></qemu:override>"))


def test_json_rendering_keeps_namespace_sources():
    inv = translate(domain("<qemu:commandline><qemu:arg value='-unknown'/></qemu:commandline>"))
    doc = json.loads(inv.render("json"))
    items = [it for it in doc.get("items", []) if it["tokens"] == ["-unknown"]]
    assert items and items[0]["source"]["kind"] == "qemu"
