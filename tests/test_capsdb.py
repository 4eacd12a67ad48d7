"""Tests for capsdb: the capability name table, the importer and the embedded profiles."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import capsdb
from capsdb.libvirt_xml import load_caps_file
from capsdb import importer, names
from capsdb.model import Caps, CpuModel, Machine
from capsdb.profiles import UnknownProfileError, get_profile, list_profiles

REPO = Path(__file__).resolve().parents[1]
CORPUS_CAPS = REPO.parent / "shared" / "corpus" / "libvirt-11.3" / "caps"
DATA = REPO / "capsdb" / "data"

X86_VERSIONS = ["6.2", "7.0", "7.1", "7.2", "8.0", "8.1", "8.2", "9.0", "9.1", "9.2", "10.0"]


def corpus_files() -> list[Path]:
    if not CORPUS_CAPS.is_dir():
        return []
    return importer.find_sources(CORPUS_CAPS)


needs_corpus = pytest.mark.skipif(
    not CORPUS_CAPS.is_dir(), reason=f"libvirt capability corpus not found at {CORPUS_CAPS}"
)


def embedded_raw() -> dict[str, Caps]:
    """Every data file decoded as stored (without the implied flags)."""
    return {p.name: importer.decode(p.read_bytes()) for p in sorted(DATA.glob("*.json.gz"))}


# --- names ----------------------------------------------------------------------------


def test_table_is_in_enum_order_without_duplicates():
    caps = names.CAPABILITIES
    assert [c.index for c in caps] == list(range(len(caps)))
    assert len({c.name for c in caps}) == len(caps)
    # libvirt 11.3's enum ends at virtio-scsi.iothread-mapping (index 475).
    assert caps[0].name == "vnc-colon"
    assert caps[-1] == names.by_name("virtio-scsi.iothread-mapping")
    assert caps[-1].index == 475
    assert names.by_name("blockdev").index == 314
    assert names.by_name("device.json+hotplug").index == 420


@pytest.mark.parametrize("name", ["drive", "name", "vnc-colon"])
def test_retired_names_are_known_without_effect(name):
    info = names.by_name(name)
    assert names.is_known(name)
    assert info is not None and info.retired
    assert info.effect is None


def test_blockdev_is_retired_but_honoured():
    info = names.by_name("blockdev")
    assert names.is_known("blockdev")
    assert info.retired
    assert info.effect and "-blockdev" in info.effect and "-drive" in info.effect
    assert "blockdev" in names.IMPLIED_FLAGS


@pytest.mark.parametrize("name", ["no-such-capability", "", "BLOCKDEV", "kqemu", "tdx-guest"])
def test_unknown_names(name):
    assert not names.is_known(name)
    assert names.by_name(name) is None


def test_names_are_case_sensitive():
    # 'vga' (the old -vga switch) is retired, 'VGA' (the device) is live.
    assert names.by_name("vga").retired
    assert not names.by_name("VGA").retired


def test_names_added_after_11_3_are_rejected():
    for name in names.NAMES_AFTER_11_3:
        assert not names.is_known(name)


def test_effects_only_on_known_live_names_except_implied():
    for name, effect in names.EFFECTS.items():
        info = names.by_name(name)
        assert info is not None, name
        assert info.effect == effect
        assert not info.retired or name in names.IMPLIED_FLAGS, name
    assert {c.name for c in names.CAPABILITIES if c.effect} == set(names.EFFECTS)


def test_json_syntax_effects_use_the_live_flag_names():
    assert names.by_name("device.json").retired  # the 'broken hotplug' predecessor
    for name in ("device.json+hotplug", "netdev.json", "chardev.json"):
        info = names.by_name(name)
        assert not info.retired and info.effect and "JSON" in info.effect


# --- embedded profiles ----------------------------------------------------------------


@pytest.mark.parametrize("version", X86_VERSIONS)
def test_x86_profiles_exist(version):
    caps = get_profile(version)
    assert caps.arch == "x86_64"
    assert caps.variant is None
    assert ".".join(map(str, caps.version_tuple[:2])) == version
    assert caps.flags and caps.machine_list("kvm") and caps.cpu_models("kvm")


def test_newest_x86_profile_is_10_0():
    caps = capsdb.get()
    assert caps.version_string == "10.0.0"
    assert caps.arch == "x86_64"
    assert caps.variant is None
    assert caps == capsdb.get("10.0") == capsdb.get("10.0.0")


def test_version_spellings_share_one_cached_object():
    assert get_profile("9.2") is get_profile("9.2.0")


def test_blockdev_implied_in_every_profile():
    assert capsdb.get("9.2").has("blockdev")
    for label, arch in list_profiles():
        assert get_profile(label, arch).has("blockdev"), (label, arch)


def test_with_changes_applies_add_then_delete():
    base = capsdb.get("9.2")
    assert base.has("blockdev") and not base.has("chardev.json")
    changed = base.with_changes(add=["chardev.json", "netdev.json"], remove=["blockdev", "netdev.json"])
    assert changed.has("chardev.json")
    assert not changed.has("netdev.json")  # added, then deleted: delete wins
    assert not changed.has("blockdev")
    assert base.has("blockdev")  # the cached profile is untouched
    assert changed.flags == (base.flags | {"chardev.json"}) - {"blockdev", "netdev.json"}


def test_variants():
    sev = get_profile("9.2.0+amdsev")
    assert sev.variant == "amdsev" and sev.version_string == "9.2.0"
    assert get_profile("9.2", variant="amdsev") is sev
    assert get_profile(None, variant="amdsev").version_string == "10.0.0"
    hvf = get_profile("9.2", "aarch64", "hvf")
    assert hvf.has("hvf")
    with pytest.raises(UnknownProfileError, match="conflicting"):
        get_profile("9.2+amdsev", variant="hvf")


def test_profile_name_comes_from_the_file_not_the_qemu_build():
    # libvirt's caps_10.0.0_s390x.xml was probed from a 9.2.50 development build.
    caps = get_profile("10.0", "s390x")
    assert caps.version_string == "9.2.50"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("11.0",), "available for x86_64: 6.2.0"),
        (("9.2", "mips"), "available arches: aarch64"),
        (("9.3",), "10.0.0+amdsev"),
        (("9.2", "x86_64", "nosuch"), "9.2.0+nosuch"),
        (("nine",), "invalid QEMU version"),
    ],
)
def test_unknown_profile_errors(args, fragment):
    with pytest.raises(UnknownProfileError) as exc:
        get_profile(*args)
    assert isinstance(exc.value, LookupError)
    assert fragment in str(exc.value)


def test_list_profiles():
    listed = list_profiles()
    assert len(listed) == len(list(DATA.glob("*.json.gz")))
    assert ("10.0.0", "x86_64") in listed
    assert ("10.0.0+amdsev", "x86_64") in listed
    assert ("9.2.0+hvf", "aarch64") in listed
    versions = [tuple(int(x) for x in label.split("+")[0].split(".")) for label, _ in listed]
    assert versions == sorted(versions)  # oldest first


def test_every_embedded_flag_is_a_known_live_name():
    problems = {}
    for filename, caps in embedded_raw().items():
        unknown = sorted(f for f in caps.flags if not names.is_known(f))
        retired = sorted(f for f in caps.flags if names.is_retired(f))
        if unknown or retired:
            problems[filename] = (unknown, retired)
    assert problems == {}


def test_data_files_are_small():
    total = sum(p.stat().st_size for p in DATA.glob("*.json.gz"))
    assert 0 < total < 200_000


# --- importer -------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_embedded_profile_equals_capability_file(path):
    source = load_caps_file(path)  # the file as written, without implied flags
    assert capsdb.load(path) == source.with_changes(add=names.IMPLIED_FLAGS)
    caps, profile_version = importer.import_file(path)
    assert caps == source
    target = DATA / importer.output_name(source.arch, profile_version, source.variant)
    assert target.is_file(), f"{target.name} missing: re-run python -m capsdb.importer"
    data = target.read_bytes()
    assert importer.decode(data) == source  # lossless, field by field
    assert importer.encode(source, profile_version) == data  # up to date, deterministic
    assert get_profile(profile_version, source.arch, source.variant) == source.with_changes(
        add=names.IMPLIED_FLAGS
    )


@needs_corpus
def test_every_capability_file_is_embedded_and_nothing_else():
    expected = set()
    for path in corpus_files():
        m = importer.SOURCE_RE.match(path.name)
        expected.add(importer.output_name(m["arch"], m["version"], m["variant"]))
    assert {p.name for p in DATA.glob("*.json.gz")} == expected
    assert len(expected) == 29


@needs_corpus
def test_importer_cli_is_reproducible(tmp_path):
    out = tmp_path / "data"
    assert importer.main([str(CORPUS_CAPS), "--out", str(out)]) == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "stale-1.0.0.json.gz").write_bytes(b"")
    assert importer.main([str(CORPUS_CAPS), "--out", str(out), "--prune"]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert first == {p.name: p.read_bytes() for p in DATA.glob("*.json.gz")}


def test_importer_rejects_an_empty_directory(tmp_path):
    with pytest.raises(SystemExit):
        importer.run(tmp_path, tmp_path / "out")


def test_gzip_header_has_no_timestamp_or_name():
    data = importer.encode(capsdb.get("8.0"))
    assert data[:3] == b"\x1f\x8b\x08"
    assert data[3] == 0  # FLG: no FNAME
    assert data[4:8] == b"\0\0\0\0"  # MTIME
    assert gzip.decompress(data).startswith(b"{")


_names = st.text("abcdefgh-.0123456789", min_size=1, max_size=12)
_opt = st.none() | _names
_machines = st.builds(
    Machine, name=_names, alias=_opt, max_cpus=st.integers(0, 4096), default=st.booleans(),
    default_cpu=_opt, default_ram_id=_opt, deprecated=st.booleans(),
    acpi=st.none() | st.booleans(), hotplug_cpus=st.booleans(),
    numa_mem_supported=st.booleans(),
)
_cpus = st.builds(
    CpuModel, name=_names, typename=_opt, usable=st.none() | st.booleans(),
    deprecated=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    version=st.integers(0, 99_999_999),
    arch=st.sampled_from(["x86_64", "aarch64", "s390x"]),
    flags=st.frozensets(st.sampled_from([c.name for c in names.CAPABILITIES]), max_size=20),
    machines=st.dictionaries(st.sampled_from(["kvm", "tcg", "hvf"]),
                             st.lists(_machines, max_size=4).map(tuple), max_size=3),
    cpus=st.dictionaries(st.sampled_from(["kvm", "tcg"]),
                         st.lists(_cpus, max_size=4).map(tuple), max_size=2),
    extra=st.tuples(_opt, _opt, _opt, _opt),
)
def test_encode_decode_roundtrip(version, arch, flags, machines, cpus, extra):
    host, variant, package, emulator = extra
    caps = Caps(version=version, arch=arch, flags=flags, machines=machines, cpus=cpus,
                host_cpu_model=host, variant=variant, package=package, emulator=emulator)
    data = importer.encode(caps)
    assert importer.decode(data) == caps
    assert importer.encode(caps) == data


# --- package hygiene (these exercise capsdb/__init__.py) ------------------------------


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)


def test_importing_capsdb_does_not_import_lxml():
    result = _run("import capsdb, sys; assert 'lxml' not in sys.modules, 'lxml imported'")
    assert result.returncode == 0, result.stderr


def test_getting_a_profile_does_not_import_lxml():
    result = _run("import capsdb, sys; sys.modules.pop('lxml', None); "
                  "sys.modules.pop('lxml.etree', None); capsdb.get('9.2'); "
                  "assert 'lxml' not in sys.modules and 'lxml.etree' not in sys.modules")
    assert result.returncode == 0, result.stderr


def test_profiles_function_survives_submodule_import():
    # capsdb.profiles() is a function in __init__.py, but importing the
    # capsdb.profiles submodule (which capsdb.get() does) rebinds the name.
    result = _run("import capsdb; capsdb.get(); print(len(capsdb.profiles()))")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(list_profiles())
