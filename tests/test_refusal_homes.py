"""Where refusals live (issue 7): every `raise TranslationError`/`refuse(` is under
translator/validate/ or translator/parse.py, except the sites listed below with the reason;
no message types libvirt's prefix; an exception in the effect analysis is a bug
(InternalError), not a finding. Plus the rules that moved into validate/, each with its
accepted neighbour."""

from __future__ import annotations

import ast
import re
import tokenize
from pathlib import Path

import pytest

import capsdb
import translator
from translator import cli
from translator.errors import InternalError

from .test_no_masked_crash import _answer  # libvirt's refusal text, or None

PACKAGE = Path(translator.__file__).resolve().parent

# Refusal sites outside validate/ and parse.py, (module, raised name) -> why it stays.
OUTSIDE = {
    ("xmlsafe.py", "XMLInputError"):
        "the hardened XML reader parse.py calls: malformed or unsafe documents",
    ("translate.py", "XMLInputError"):
        "translate()'s boundary turns a RecursionError of the XML reader into the "
        "'nested too deeply' input error",
    ("namespace.py", "InvalidCapabilityError"):
        "a capability name given by the caller (CLI --add-cap/--del-cap): a usage error",
    ("profiles.py", "TranslationError"):
        "an unknown host profile name given by the caller: a usage error",
    ("invocation.py", "TranslationError"):
        "an unknown output format asked of Invocation.render(): a usage error",
    ("virt_install.py", "TranslationError"):
        "the --from-virt-install front end reading virt-install's own option syntax",
}

# Modules that detect the refusals only address assignment can find and raise the error
# `validate/allocation.py` builds (raise alloc_errors.<builder>(...)).
ALLOCATORS = {
    "prepare/addresses.py": "PCI slot and bus allocation (virDomainPCIAddress*)",
    "prepare/pcie_topology.py": "PCIe topology growth of the virt boards",
    "prepare/controllers.py": "expander busNr numbering (qemuDomainAssignPCIAddresses)",
    "prepare/ports.py": "virtio-serial and USB port allocation (virDomainUSBAddress*)",
    "spapr_vio.py": "spapr-vio reg allocation (qemuDomainAssignSpaprVIOAddress)",
    "policy/s390.py": "CCW devno and zPCI id allocation (virDomainCCWAddressAssign)",
    "policy/ppc_addresses.py": "pseries PHB slot allocation (isolation groups)",
    "policy/x86.py": "the ICH9 SATA function taken by another device while placing sata0",
}

# Python 3.12 splits f-strings into tokens; the text sits in FSTRING_MIDDLE
_STRING_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}

_REFUSALS = {"TranslationError", "XMLInputError", "UnsupportedConfigError",
             "InvalidCapabilityError", "refuse"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        base = node.value.id if isinstance(node.value, ast.Name) else "?"
        return f"{base}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else "?"


def _sites() -> list[tuple[str, int, str]]:
    """(module, line, raised or called name) of every refusal outside validate/, parse.py."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("validate/") or rel in ("parse.py", "errors.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), rel)):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = _name(node.exc)
            elif isinstance(node, ast.Call) and _name(node) == "refuse":
                name = "refuse"
            else:
                continue
            if name in _REFUSALS or name.startswith("alloc_errors."):
                out.append((rel, node.lineno, name))
    return out


def test_refusals_live_in_validate() -> None:
    stray = [f"{rel}:{line}: {name}" for rel, line, name in _sites()
             if (rel, name) not in OUTSIDE
             and not (name.startswith("alloc_errors.") and rel in ALLOCATORS)]
    assert not stray, "refusals belong in translator/validate/ (or list them here): " \
        + ", ".join(stray)


def test_allowlists_are_current() -> None:
    sites = _sites()
    assert {(rel, name) for rel, _, name in sites} >= set(OUTSIDE)
    assert {rel for rel, _, name in sites if name.startswith("alloc_errors.")} == set(ALLOCATORS)


def test_no_typed_prefix() -> None:
    """The prefix comes from the ErrorCode: no string literal outside errors.py types it."""
    prefix = re.compile(r"""^[rbfu]*["']*(unsupported configuration: |XML error: |internal error: )""",
                        re.I)
    typed = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py":
            continue
        with path.open("rb") as fh:
            for tok in tokenize.tokenize(fh.readline):
                if tok.type in _STRING_TOKENS and prefix.search(tok.string):
                    typed.append(f"{path.relative_to(PACKAGE)}:{tok.start[0]}")
    assert not typed, typed


# -- the effect analysis --------------------------------------------------------------------

_PLAIN = ("<domain type='kvm'><name>t</name><memory>262144</memory>"
          "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>")


def _broken_check(_inv: object) -> list[object]:
    raise KeyError("boom")


def test_analysis_exception_is_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from translator import effects

    inv = translator.translate(_PLAIN, capsdb.get(), profile="libvirt-test")
    assert isinstance(inv.warnings, list)  # the real analysis runs cleanly
    monkeypatch.setattr(effects, "check_env", _broken_check)
    inv = translator.translate(_PLAIN, capsdb.get(), profile="libvirt-test")
    with pytest.raises(InternalError, match="effect analysis: KeyError"):
        _ = inv.warnings


def test_cli_reports_analysis_bug_as_internal_error(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from translator import effects

    monkeypatch.setattr(effects, "check_env", _broken_check)
    domain = tmp_path / "d.xml"
    domain.write_text(_PLAIN)
    assert cli.main([str(domain), "--profile", "libvirt-test"]) == 70
    err = capsys.readouterr().err
    assert "internal error (a bug in xml2argv)" in err and "KeyError" in err
    assert "Traceback" not in err


# -- rules that moved into validate/ --------------------------------------------------------

def _xml(os_attrs: str = "", os_extra: str = "", tail: str = "", devices: str = "") -> str:
    return (f"<domain type='kvm'><name>t</name><memory>262144</memory>"
            f"<os{os_attrs}><type arch='x86_64' machine='pc'>hvm</type>{os_extra}</os>"
            f"<features><acpi/></features>{tail}<devices>{devices}</devices></domain>")


def test_nvram_alone_counts_as_a_loader() -> None:
    """virDomainDefParseBootLoaderOptions makes a loader for an <nvram> alone."""
    assert _answer(_xml(" firmware='bios'", "<nvram>/n.fd</nvram>")) == \
        "firmware type 'bios' does not support nvram"
    assert _answer(_xml("", "<nvram>/n.fd</nvram>")) == \
        "no loader path specified and firmware auto selection disabled"
    assert _answer(_xml("", "<loader readonly='yes' type='pflash'>/c.fd</loader>"
                            "<nvram>/n.fd</nvram>")) is None


def test_nvram_needs_pflash_loader() -> None:
    rom = "<loader stateless='no' type='rom'>/c.fd</loader>"
    assert _answer(_xml("", rom)) == "Only pflash loader type permits NVRAM"
    assert _answer(_xml("", "<loader type='rom'>/c.fd</loader>")) is None


def test_seclabel_rules() -> None:
    two = "<seclabel type='dynamic' model='dac'/><seclabel type='dynamic' model='selinux'/>"
    assert _answer(_xml(tail=two)) is None
    assert _answer(_xml(tail="<seclabel type='dynamic' model='dac'/><seclabel type='none'/>")) \
        == "XML error: missing security model when using multiple labels"
    disk = ("<disk type='file' device='disk'><source file='/d.img'>{}</source>"
            "<target dev='vda' bus='virtio'/></disk>")
    assert _answer(_xml(devices=disk.format("<seclabel model='dac' relabel='yes'/>"))) == \
        "XML error: Cannot specify relabel if label is missing. model=dac"
    assert _answer(_xml(devices=disk.format(
        "<seclabel model='dac' relabel='yes'><label>u:g</label></seclabel>"))) is None


def test_usb_port_zero_means_none_given() -> None:
    """virDomainUSBAddressPortIsValid: a first port of 0 asks libvirt to pick the port."""
    inv = translator.translate(_xml(devices="<input type='tablet' bus='usb'>"
                                            "<address type='usb' bus='0' port='0'/></input>"),
                               capsdb.get(), profile="libvirt-test")
    assert any('"usb-tablet"' in a and '"port":"1"' in a for a in inv.args)
    assert _answer(_xml(devices="<input type='tablet' bus='usb'>"
                                "<address type='usb' bus='0' port='1.²'/></input>")) == \
        "internal error: Cannot parse <address> 'port' attribute"


def test_shmem_size_is_in_bytes_by_default() -> None:
    """virDomainShmemDefParseXML reads <size> with scale 1; qemuValidateDomainDeviceDefShmem
    wants a power of two of at least 1 MiB."""
    shmem = "<shmem name='s'><model type='ivshmem-plain'/>{}</shmem>"
    assert _answer(_xml(devices=shmem.format("<size>512</size>"))) == \
        "XML error: shmem size must be a power of 2 and at least 1 MiB (1024 KiB)"
    assert _answer(_xml(devices=shmem.format("<size>4194304</size>"))) is None
    assert _answer(_xml(devices=shmem.format("<size unit='M'>4</size>"))) is None


def test_phb_target_index_rules_are_the_generic_ones() -> None:
    """virDomainControllerDefValidate's target index rules, on pseries too."""
    xml = ("<domain type='qemu'><name>t</name><memory>262144</memory>"
           "<os><type arch='ppc64' machine='pseries'>hvm</type></os><devices>"
           "<controller type='pci' index='1' model='pci-root'><target index='{}'/></controller>"
           "</devices></domain>")
    caps = capsdb.get(None, "ppc64")

    def answer(index: int) -> str | None:
        try:
            translator.translate(xml.format(index), caps, profile="libvirt-test")
        except translator.TranslationError as exc:
            return str(exc)
        return None

    assert answer(0) == ("unsupported configuration: Only the PCI controller with index 0 can "
                         "have target index 0, and vice versa")
    assert answer(31) == ("unsupported configuration: PCI controller target index '31' out of "
                          "range - must be 0-30")
    assert answer(1) is None


@pytest.mark.parametrize("caps_args", [[], ["--qemu", "10.0"]])
def test_cli_reports_caps_loading_bug_as_internal_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        caps_args: list[str]) -> None:
    """Only a user's choice of capabilities (a bad file, an unknown QEMU version) is a usage
    error; a KeyError while loading them is a bug: exit 70, not 2."""
    import sys

    import capsdb  # noqa: F401 - loads capsdb.profiles (the package attribute is a function)

    def broken(*_args: object, **_kw: object) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(sys.modules["capsdb.profiles"], "get_profile", broken)
    domain = tmp_path / "d.xml"
    domain.write_text(_PLAIN)
    assert cli.main([str(domain), "--arch", "x86_64", *caps_args]) == 70
    assert "internal error (a bug in xml2argv)" in capsys.readouterr().err
    monkeypatch.undo()
    assert cli.main([str(domain), "--qemu", "1.0"]) == 2
