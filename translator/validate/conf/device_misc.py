"""Parse refusals of sound, audio, video, crypto, memory, RNG and redirection-filter devices
and of fw_cfg entries that need more than a typed read (domain_conf.c:
virDomainSoundCodecDefParseXML, virDomainAudioCommonParse, virDomainAudioDefParseXML,
virDomainVideoAccelDefParseXML, virDomainCryptoDefParseXML, virDomainMemoryDefParseXML and its
source/target parsers,
virDomainRNGDefParseXML, virDomainRedirFilterUSBDevDefParseXML, virSysinfoParseFWCfgDef).
"""

from __future__ import annotations

import re

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .bitmap import parse_bitmap
from .device_rules import CHR_TYPES
from .scaled import memory_kib
from .xmlprop import to_int

XML, UNSUPPORTED = ErrorCode.XML_ERROR, ErrorCode.CONFIG_UNSUPPORTED

SOUND_CODECS = ("duplex", "micro", "output")
NVDIMM_LABEL_MIN_KIB = 128
# the memory device models whose source may name host nodes
_NODEMASK_MODELS = ("dimm", "virtio-mem", "sgx-epc")


def sound_codec(e: Elem, chain: list[Elem]) -> None:
    kind = e.get("type")
    if kind not in SOUND_CODECS:
        refuse(UNSUPPORTED, f"unknown codec type '{kind if kind is not None else '(null)'}'")


def audio_settings(e: Elem, chain: list[Elem]) -> None:
    """Explicit <settings> of an audio input/output need fixedSettings='yes'."""
    if e.find("settings") is not None and e.get("fixedSettings") != "yes":
        refuse(UNSUPPORTED, "audio settings specified without fixed settings flag")


def video_acceleration(e: Elem, chain: list[Elem]) -> None:
    """An <acceleration> element says something."""
    if e.get("rendernode") is None and e.get("accel3d") is None and e.get("accel2d") is None:
        refuse(UNSUPPORTED, "missing values for acceleration")


def crypto(e: Elem, chain: list[Elem]) -> None:
    if len(e.findall("backend")) != 1:
        refuse(XML, "only one crypto backend is supported")


def memory_device(e: Elem, chain: list[Elem]) -> None:
    """A memory device has a <target>; its host nodemask names some node."""
    source = e.find("source")
    mask = source.find("nodemask") if source is not None else None
    if e.get("model") in _NODEMASK_MODELS and mask is not None and mask.text and \
            not parse_bitmap(mask.text):
        refuse(UNSUPPORTED, f"Invalid value of 'nodemask': {mask.text}")
    if e.find("target") is None:
        refuse(XML, "missing <target> element for <memory> device")


def memory_target(e: Elem, chain: list[Elem]) -> None:
    """An NVDIMM's label: at least 128 KiB, smaller than the module."""
    if chain[-1].get("model") != "nvdimm":
        return
    size, label = e.find("size"), e.at("label", "size")
    size_kib = _kib(size, "./size") if size is not None else 0
    label_kib = _kib(label, "./label/size") if label is not None else 0
    if label_kib and label_kib < NVDIMM_LABEL_MIN_KIB:
        refuse(XML, "nvdimm label must be at least 128KiB")
    if label_kib >= size_kib:
        refuse(XML, "label size must be smaller than NVDIMM size")


def _kib(e: Elem, where: str) -> int:
    return memory_kib(e.text, e.get("unit"), where) if e.text else 0


def fw_cfg_entry(e: Elem, chain: list[Elem]) -> None:
    """An fw_cfg entry has a name, and a value or a file."""
    if e.get("name") is None:
        refuse(XML, "Firmware entry is missing 'name' attribute")
    if not (e.text or "").strip() and e.get("file") is None:
        refuse(XML, "Firmware entry must have either value or 'file' attribute")


def rng_egd_backend(e: Elem, chain: list[Elem]) -> None:
    """An EGD backend's type is a character device type."""
    kind = e.get("type")
    if e.get("model") == "egd" and kind is not None and kind not in CHR_TYPES:
        refuse(UNSUPPORTED, f"unknown backend type '{kind}' for egd")


_USB_VERSION = re.compile(r"\s*([+-]?)([0-9]+)\.\s*([+-]?)([0-9]+)")


def redirfilter_usbdev(e: Elem, chain: list[Elem]) -> None:
    """A filter rule's class code fits a byte; its version reads as JJ.MN."""
    usb_class = to_int(e.get("class") or "", 0)
    if usb_class is not None and usb_class != -1 and usb_class & ~0xFF:
        refuse(ErrorCode.INTERNAL_ERROR, f"Invalid USB Class code 0x{usb_class & 0xFFFFFFFF:x}")
    version = e.get("version")
    if version is not None and version != "-1" and not _usb_version_ok(version):
        refuse(XML, f"Cannot parse USB device version {version}")


def _usb_version_ok(text: str) -> bool:
    """virDomainRedirFilterUSBVersionHelper: major and minor below 100 (a minus sign wraps
    to a huge number)."""
    m = _USB_VERSION.fullmatch(text)
    if m is None:
        return False
    major = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
    minor = int(m.group(4)) * (-1 if m.group(3) == "-" else 1)
    return 0 <= major < 100 and 0 <= minor < 100


def audio_oss(e: Elem, chain: list[Elem]) -> None:
    """virDomainAudioDefParseXML: an OSS DSP policy is not negative."""
    policy = to_int(e.get("dspPolicy") or "", 10)
    if policy is not None and policy < 0:
        refuse(XML, f"cannot parse 'dspPolicy' value '{policy}'")


DEVICE_MISC_RULES = {
    ("devices", "audio[oss]"): (audio_oss,),
    ("devices", "sound", "codec"): (sound_codec,),
    ("audio", "input"): (audio_settings,),
    ("audio", "output"): (audio_settings,),
    ("video", "model", "acceleration"): (video_acceleration,),
    ("devices", "crypto"): (crypto,),
    ("devices", "memory"): (memory_device,),
    ("devices", "memory", "target"): (memory_target,),
    ("domain", "sysinfo[fwcfg]", "entry"): (fw_cfg_entry,),
    ("devices", "rng", "backend"): (rng_egd_backend,),
    ("devices", "redirfilter", "usbdev"): (redirfilter_usbdev,),
}
