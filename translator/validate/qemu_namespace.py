"""The qemu: namespace's own refusals (qemu_domain.c: `qemuDomainDefNamespaceParse`), checked on
the raw elements in libvirt's order: <qemu:arg>, <qemu:env>, <qemu:override>, then
<qemu:capabilities>. (<qemu:deprecation> is never refused: an unknown behaviour only makes
libvirt log a warning and emit no -compat.)

Unknown capability names are refused later, when libvirt prepares the QEMU process
(`qemuProcessPrepareQEMUCaps`): `check_capability_names`.
"""

from __future__ import annotations

import re
from typing import Iterable, Protocol

from ..errors import ErrorCode, InvalidCapabilityError, refuse

OVERRIDE_TYPES = ("string", "signed", "unsigned", "bool", "remove")
_ENV_NAME = r"[A-Za-z0-9_]*"  # compiled on first use (re caches it)
_LLONG = (-(1 << 63), (1 << 63) - 1)
_ULLONG_MAX = (1 << 64) - 1


class _Node(Protocol):
    """What the checks read of an XML element (lxml's element interface)."""

    def get(self, key: str) -> str | None: ...


def check_args(args: Iterable[_Node]) -> None:
    """qemuDomainDefNamespaceParseCommandlineArgs: every <qemu:arg> has a value."""
    for arg in args:
        if arg.get("value") is None:
            refuse(ErrorCode.INTERNAL_ERROR, "No qemu command-line argument specified")


def check_env(envs: Iterable[_Node]) -> None:
    """qemuDomainDefNamespaceParseCommandlineEnvValidate: names as a shell takes them."""
    for env in envs:
        name = env.get("name")
        if name is None:
            refuse(ErrorCode.INTERNAL_ERROR, "No qemu environment name specified")
        if not name or not (name[0] == "_" or (name[0].isascii() and name[0].isalpha())):
            refuse(ErrorCode.INTERNAL_ERROR,
                   "Invalid environment name, it must begin with a letter or underscore")
        if not re.fullmatch(_ENV_NAME, name):
            refuse(ErrorCode.INTERNAL_ERROR,
                   "Invalid environment name, it must contain only alphanumerics and underscore")


def check_override_device(device: _Node) -> None:
    """qemuDomainDefNamespaceParseDeviceOverride: a device override names its alias."""
    if device.get("alias") is None:
        refuse(ErrorCode.XML_ERROR, "missing 'alias' attribute for qemu:device")


def check_override_property(prop: _Node) -> None:
    """qemuDomainDefNamespaceParseOverrideProperties: name, type and a value of that type."""
    name = prop.get("name")
    if name is None:
        refuse(ErrorCode.XML_ERROR, "missing 'name' attribute for qemu:property")
    if name == "id":
        refuse(ErrorCode.XML_ERROR, "property with name 'id' can't be overridden")
    ptype = prop.get("type")
    if ptype is None:
        refuse(ErrorCode.XML_ERROR, "Missing required attribute 'type' in element 'property'")
    if ptype not in OVERRIDE_TYPES:
        refuse(ErrorCode.XML_ERROR,
               f"Invalid value for attribute 'type' in element 'property': '{ptype}'.")
    value = prop.get("value")
    if value is None:
        if ptype != "remove":
            refuse(ErrorCode.XML_ERROR, "missing 'value' attribute for 'qemu:property'")
        return
    if ptype == "remove":
        refuse(ErrorCode.XML_ERROR, "setting 'value' attribute of 'qemu:property' doesn't make "
               "sense with 'remove' type")
    if not value_fits(ptype, value):
        refuse(ErrorCode.XML_ERROR,
               f"invalid value '{value}' of 'value' attribute of 'qemu:property'")


def value_fits(ptype: str, value: str) -> bool:
    """Whether `value` reads as libvirt reads that override type (virStrToLong_ll/_ullp,
    'true'/'false')."""
    if ptype == "bool":
        return value in ("true", "false")
    if ptype in ("signed", "unsigned"):
        text = value.lstrip(" \t\n\v\f\r")
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            return False
        number = int(text)
        if ptype == "signed":
            return _LLONG[0] <= number <= _LLONG[1]
        return not text.startswith("-") and number <= _ULLONG_MAX
    return True


def check_capability_toggles(toggles: Iterable[_Node]) -> None:
    """qemuDomainDefNamespaceParseCaps: each add/del names a capability."""
    for toggle in toggles:
        if toggle.get("capability") is None:
            refuse(ErrorCode.INTERNAL_ERROR, "missing capability name")


def check_capability_names(names: Iterable[str], known: "_Known") -> None:
    """qemuProcessPrepareQEMUCaps: every capability the namespace adds or removes exists."""
    for name in names:
        if not known(name):
            raise InvalidCapabilityError(ErrorCode.INTERNAL_ERROR,
                                         f"invalid qemu namespace capability '{name}'")


class _Known(Protocol):
    def __call__(self, name: str) -> bool: ...
