"""`--caps auto`: the host's libvirt capability cache, chosen by the domain's emulator."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from translator import cli
from translator.hostcaps import HostCapsError, effective_arch, find_cache_file, load_host_caps

ROOT = Path(__file__).resolve().parents[1]
CORPUS_CAPS = ROOT.parent / "shared" / "corpus" / "start-11.3" / "caps" / "host.xml"

DOMAIN = b"""<domain type='kvm'><name>d</name><memory>65536</memory>
  <os><type arch='{arch}' machine='pc'>hvm</type></os>
  <devices>{emulator}</devices></domain>"""


def _domain(arch: str = "x86_64", emulator: str = "") -> bytes:
    e = f"<emulator>{emulator}</emulator>" if emulator else ""
    return DOMAIN.replace(b"{arch}", arch.encode()).replace(b"{emulator}", e.encode())


def _entry(cache: Path, name: str, emulator: str) -> Path:
    path = cache / f"{name}.xml"
    path.write_text(f"<qemuCaps>\n  <emulator>{emulator}</emulator>\n</qemuCaps>\n")
    return path


def test_the_domains_emulator_picks_the_file(tmp_path: Path) -> None:
    _entry(tmp_path, "aaa", "/usr/bin/qemu-system-aarch64")
    want = _entry(tmp_path, "bbb", "/opt/qemu/bin/qemu-system-x86_64")
    assert find_cache_file("/opt/qemu/bin/qemu-system-x86_64", tmp_path) == want
    with pytest.raises(HostCapsError, match="has no entry for /usr/bin/qemu-system-ppc64"):
        find_cache_file("/usr/bin/qemu-system-ppc64", tmp_path)


def test_missing_cache(tmp_path: Path) -> None:
    with pytest.raises(HostCapsError, match="no libvirt capability cache"):
        find_cache_file("/usr/bin/qemu-system-x86_64", tmp_path / "nope")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_cache_says_so(tmp_path: Path) -> None:
    path = _entry(tmp_path, "aaa", "/usr/bin/qemu-system-x86_64")
    path.chmod(0)
    try:
        with pytest.raises(HostCapsError, match="readable by root only"):
            find_cache_file("/usr/bin/qemu-system-x86_64", tmp_path)
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(not CORPUS_CAPS.exists(), reason="needs ../shared/corpus")
def test_load_by_arch_when_no_emulator_is_given(tmp_path: Path) -> None:
    shutil.copy(CORPUS_CAPS, tmp_path / "0123.xml")
    caps = load_host_caps(_domain("x86_64"), None, tmp_path)
    assert caps.emulator == "/usr/bin/qemu-system-x86_64"
    # an i686 guest runs on the x86_64 binary when there is no qemu-system-i386
    assert load_host_caps(_domain("i686"), None, tmp_path).emulator == caps.emulator


def test_arch_from_the_domain() -> None:
    assert effective_arch(None, _domain("aarch64")) == "aarch64"
    assert effective_arch("s390x", _domain("aarch64")) == "s390x"
    assert effective_arch(None, _domain("i686")) == "x86_64"
    assert effective_arch(None, b"<domain") == "x86_64"


def test_cli_reports_an_unusable_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import translator.hostcaps as hostcaps

    monkeypatch.setattr(hostcaps, "CACHE_DIR", tmp_path / "missing")
    monkeypatch.setattr(hostcaps.load_host_caps, "__defaults__", (tmp_path / "missing",))
    xml = tmp_path / "d.xml"
    xml.write_bytes(_domain())
    assert cli.main(["--caps", "auto", str(xml)]) == 2
    assert "no libvirt capability cache" in capsys.readouterr().err
