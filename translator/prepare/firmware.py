"""Firmware: the manual <loader>/<nvram> pair, or libvirt's autoselection from descriptors.

With `<os firmware='efi'|'bios'>` libvirt picks the first QEMU firmware descriptor (JSON
files in the profile's firmware directories, ordered by file name, a same-named file in a
higher-priority directory masking the others) whose interface, target, features and
mapping fit the domain. The result decides the pflash units (or -bios ROM), their formats,
the NVRAM file and whether SMM and the secure pflash are needed.
"""

from __future__ import annotations

import fnmatch
import json
import os
from functools import lru_cache
from typing import Any

from ..context import BuildContext
from ..model import Elem
from ..model.domain import ResolvedFirmware

Descriptor = dict[str, Any]


def prepare_firmware(ctx: BuildContext) -> None:
    """Fill `domain.os.resolved_fw` (qemuFirmwareFillDomain: libvirt picks the firmware
    while preparing to start, after validating the definition). When no descriptor fits,
    it stays None and validate/firmware.py refuses; the loader/NVRAM combinations are
    virDomainDefOSValidate's (validate/domain_validate.py)."""
    os_ = ctx.domain.os
    if os_.firmware in ("efi", "bios"):
        os_.resolved_fw = _autoselect(ctx, os_.firmware)
    else:
        os_.resolved_fw = _manual(ctx)


# -- the request ---------------------------------------------------------------------------
def _requested_features(fw_elem: Elem | None) -> dict[str, bool]:
    if fw_elem is None:
        return {}
    return {f.get("name", ""): f.get("enabled") == "yes" for f in fw_elem.findall("feature")}


# -- manual -------------------------------------------------------------------------------
def _default_nvram(ctx: BuildContext, fmt: str, template: str | None) -> str:
    """The per-domain varstore file (qemuFirmwareEnsureNVRAM): .qcow2, else .fd, or .raw
    when a new definition's raw template is itself named .raw."""
    ext = "qcow2" if fmt == "qcow2" else "fd"
    if fmt == "raw" and ctx.abi_update and (template or "").endswith(".raw"):
        ext = "raw"
    return f"{ctx.host.nvram_dir}/{ctx.domain.name}_VARS.{ext}"


def _manual(ctx: BuildContext) -> ResolvedFirmware | None:
    loader = ctx.domain.os.loader
    if loader is None or not loader.text:
        return None
    fmt = loader.get("format") or "raw"
    if loader.get("type", "rom") != "pflash":
        return ResolvedFirmware(loader_type="rom", loader_path=loader.text, loader_format=fmt)
    fw = ResolvedFirmware(loader_type="pflash", loader_path=loader.text, loader_format=fmt,
                          loader_readonly=bool(loader.yes("readonly")),
                          secure=bool(loader.yes("secure")))
    if fw.loader_readonly and not loader.yes("stateless"):
        _attach_nvram(ctx, fw, fmt)
    return fw


def _attach_nvram(ctx: BuildContext, fw: ResolvedFirmware, fmt: str,
                  template: str | None = None) -> None:
    """The NVRAM varstore: the given path or source, else the per-domain default file
    (`template`: the descriptor's varstore template unless the XML names one)."""
    nvram = ctx.domain.os.nvram
    if nvram is not None and nvram.get("template"):
        template = nvram.get("template")
    fw.nvram_format = fmt
    if nvram is not None:
        ntype = nvram.get("type")
        src = nvram.find("source")
        if nvram.text:
            fw.nvram_path = nvram.text
            return
        if ntype == "file" and src is not None and src.get("file"):
            fw.nvram_path = src.get("file")
            return
        if ntype in ("network", "block") and src is not None:
            fw.nvram_type = ntype
            fw.nvram_source = src
            fw.nvram_format = nvram.get("format") or fmt
            return
    fw.nvram_path = _default_nvram(ctx, fmt, template)


# -- descriptors --------------------------------------------------------------------------
@lru_cache(maxsize=8)
def load_descriptors(dirs: tuple[str, ...]) -> tuple[tuple[str, Descriptor], ...]:
    """All usable descriptors by file name; the first directory holding a name wins and an
    empty file there masks the name entirely."""
    chosen: dict[str, str] = {}
    for d in dirs:
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in names:
            if n.endswith(".json") and n not in chosen:
                chosen[n] = os.path.join(d, n)
    out: list[tuple[str, Descriptor]] = []
    for name in sorted(chosen):
        desc = _read_descriptor(chosen[name])
        if desc is not None:
            out.append((name, desc))
    return tuple(out)


def _read_descriptor(path: str, depth: int = 0) -> Descriptor | None:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return None
    stripped = text.strip()
    if not stripped:
        return None
    if not stripped.startswith("{") and depth < 4 and "\n" not in stripped:
        # a symbolic link stored as its target path (test data copied without links)
        return _read_descriptor(os.path.normpath(os.path.join(os.path.dirname(path), stripped)),
                                depth + 1)
    return _parse_descriptor(text)


def _parse_descriptor(text: str) -> Descriptor | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("mapping"), dict):
        return None
    return data


@lru_cache(maxsize=8)
def _named_descriptors(files: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Descriptor], ...]:
    """The descriptor files a profile names, in file name order."""
    return tuple((name, desc) for name, text in sorted(files)
                 if (desc := _parse_descriptor(text)) is not None)


def host_descriptors(ctx: BuildContext) -> tuple[tuple[str, Descriptor], ...]:
    """The host's descriptors: those its profile names, else the files of its directories."""
    named = ctx.host.named_firmware()
    if named is not None:
        return _named_descriptors(named)
    return load_descriptors(tuple(ctx.host.firmware_dirs()))


# -- autoselection ------------------------------------------------------------------------
def _autoselect(ctx: BuildContext, kind: str) -> ResolvedFirmware | None:
    """The first descriptor that fits, else None (validate/firmware.py refuses then)."""
    descs = host_descriptors(ctx)
    for _name, desc in descs:
        if _matches(ctx, kind, desc):
            return _from_descriptor(ctx, desc)
    return None


def _matches(ctx: BuildContext, kind: str, desc: Descriptor) -> bool:
    os_ = ctx.domain.os
    loader, nvram = os_.loader, os_.nvram
    want_iface = "uefi" if kind == "efi" else "bios"
    if want_iface not in desc.get("interface-types", []):
        return False
    if not _target_ok(ctx, desc):
        return False
    mapping = desc["mapping"]
    device = mapping.get("device")
    mode = mapping.get("mode", "split")
    features = set(desc.get("features", []))
    if loader is not None:
        ltype = loader.get("type")
        if ltype == "pflash" and device != "flash" or ltype == "rom" and device != "memory":
            return False
        if loader.text and _executable(mapping)[0] != loader.text:
            return False
        if loader.yes("readonly") is False:
            return False  # libvirt only autoselects read-only loaders
        stateless = loader.yes("stateless")
        is_stateless = device == "memory" or mode == "stateless"
        if stateless is True and not is_stateless or stateless is False and is_stateless:
            return False
        secure = loader.yes("secure")
        if secure is not None and secure != ("secure-boot" in features):
            return False
    if device == "flash":
        if not _format_ok(loader, nvram, _executable(mapping)[1], ctx.abi_update):
            return False
        template = nvram.get("template") if nvram is not None else None
        if template and mapping.get("nvram-template", {}).get("filename") != template:
            return False
    fw_elem = os_.elem.find("firmware") if os_.elem is not None else None
    for name, enabled in _requested_features(fw_elem).items():
        if (name in features) != enabled:
            return False
    smm = ctx.domain.feature("smm")
    if smm is not None and smm.get("state") == "off" and "requires-smm" in features:
        return False
    return _launch_security_ok(ctx, features)


def _target_ok(ctx: BuildContext, desc: Descriptor) -> bool:
    machine = ctx.canonical_machine
    for t in desc.get("targets", []):
        if t.get("architecture") == ctx.arch and \
                any(fnmatch.fnmatchcase(machine, pat) for pat in t.get("machines", [])):
            return True
    return False


def _format_ok(loader: Elem | None, nvram: Elem | None, exe_fmt: str,
               abi_update: bool = False) -> bool:
    """An explicit loader format wins, then the NVRAM's; otherwise an existing domain keeps
    raw images, while a newly defined one (ABI update) may use any format."""
    wanted = (loader.get("format") if loader is not None else None) or \
        (nvram.get("format") if nvram is not None else None)
    if wanted is None:
        return abi_update or exe_fmt == "raw"
    return exe_fmt == wanted


_SEV_ES_POLICY = 1 << 2  # the policy bit of an SEV-ES guest


def _launch_security_ok(ctx: BuildContext, features: set[str]) -> bool:
    """qemuFirmwareMatchDomain: SEV needs an amd-sev firmware (amd-sev-es for an SEV-ES
    policy), SEV-SNP an amd-sev-snp one. Other features, and features libvirt 11.3 does
    not know (such as intel-tdx), ask nothing of the domain."""
    ls = ctx.domain.launch_security
    ls_type = ls.get("type") if ls is not None else None
    if ls_type == "sev":
        policy = ls.findtext("policy") if ls is not None else None
        try:
            es = int((policy or "0").strip(), 16) & _SEV_ES_POLICY  # read as hex
        except ValueError:
            es = 0
        return "amd-sev" in features and (not es or "amd-sev-es" in features)
    if ls_type == "sev-snp":
        return "amd-sev-snp" in features
    return True


def _executable(mapping: dict[str, Any]) -> tuple[str, str]:
    if mapping.get("device") == "memory":
        return mapping.get("filename", ""), "raw"
    exe = mapping.get("executable", {})
    return exe.get("filename", ""), exe.get("format", "raw")


def _from_descriptor(ctx: BuildContext, desc: Descriptor) -> ResolvedFirmware:
    mapping = desc["mapping"]
    path, fmt = _executable(mapping)
    smm = "requires-smm" in desc.get("features", [])
    if mapping.get("device") == "memory":
        return ResolvedFirmware(loader_type="rom", loader_path=path, loader_format=fmt)
    mode = mapping.get("mode", "split")
    fw = ResolvedFirmware(loader_type="pflash", loader_path=path, loader_format=fmt,
                          loader_readonly=mode != "combined", secure=smm, requires_smm=smm)
    if mode == "split":
        _attach_nvram(ctx, fw, fmt, mapping.get("nvram-template", {}).get("filename"))
    return fw


def is_uefi_loader(ctx: BuildContext) -> bool:
    """UEFI firmware: chosen as 'efi', or a manual loader that a UEFI descriptor ships."""
    os_ = ctx.domain.os
    if os_.firmware == "efi":
        return True
    fw = os_.resolved_fw
    if os_.firmware is not None or fw is None or fw.loader_type != "pflash":
        return False
    for _name, desc in host_descriptors(ctx):
        if "uefi" in desc.get("interface-types", []) and \
                _executable(desc["mapping"])[0] == fw.loader_path:
            return True
    return False
