"""Parse refusals of sound, audio, video, crypto and memory devices and of fw_cfg entries
that need more than a typed read (domain_conf.c: virDomainSoundCodecDefParseXML,
virDomainAudioCommonParse, virDomainVideoAccelDefParseXML, virDomainCryptoDefParseXML,
virDomainMemoryDefParseXML and its source/target parsers, virSysinfoParseFWCfgDef).
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .bitmap import parse_bitmap
from .scaled import memory_kib

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


DEVICE_MISC_RULES = {
    ("devices", "sound", "codec"): (sound_codec,),
    ("audio", "input"): (audio_settings,),
    ("audio", "output"): (audio_settings,),
    ("video", "model", "acceleration"): (video_acceleration,),
    ("devices", "crypto"): (crypto,),
    ("devices", "memory"): (memory_device,),
    ("devices", "memory", "target"): (memory_target,),
    ("domain", "sysinfo[fwcfg]", "entry"): (fw_cfg_entry,),
}
