"""--explain, --aliases and --from-virt-install: every item attributed, output that fits.

Runs on the bundled examples and on the 9 qemu-ns cases of libvirt's test data (those
skip without ../shared/corpus), plus small inline domains.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import capsdb
import translator
from translator.cli import main
from translator.cmdline import Item, Source
from translator.explain import (DETAIL_COL, ITEM_COL, WIDTH, capability_effects, pack,
                                render_aliases, render_explain, wrap_item, wrap_value)
from translator.itemview import view_items
from translator.virt_install import parse_qemu_commandline, render_qemu_commandline

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.xml"))
CORPUS = Path(os.environ.get("XML2ARGV_CORPUS", REPO.parent / "shared" / "corpus"))
LIBVIRT = CORPUS / "libvirt-11.3"
QEMU_URI = "http://libvirt.org/schemas/domain/qemu/1.0"


def _ns_cases() -> list[dict]:
    manifest = LIBVIRT / "manifest.json"
    if not manifest.exists():
        return []
    cases = json.loads(manifest.read_text())["cases"]
    return [c for c in cases if c["name"].startswith("qemu-ns") and c["expect"] == "args"
            and c["arch"] == "x86_64"]


NS_CASES = _ns_cases()


def _example(path: Path) -> translator.Invocation:
    return translator.translate(path.read_bytes(), capsdb.get())


def _corpus(case: dict, namespace: bool = True) -> translator.Invocation:
    return translator.translate((LIBVIRT / case["input"]).read_bytes(),
                                capsdb.load(LIBVIRT / case["caps"]), profile="libvirt-test",
                                caps_add=case["caps_add"], caps_del=case["caps_del"],
                                namespace=namespace)


def _source_problems(src: Source, what: str) -> list[str]:
    problems = []
    if src is None:
        return [f"{what}: no source"]
    if src.kind not in ("xml", "default", "qemu"):
        problems.append(f"{what}: vague source kind {src.kind!r} ({src.detail})")
    if not src.detail or not src.detail.strip():
        problems.append(f"{what}: empty detail")
    if src.kind == "xml" and src.detail == "/domain":
        problems.append(f"{what}: only the root element as source")
    if src.kind in ("xml", "qemu") and not src.line:
        problems.append(f"{what}: {src.kind} source {src.detail} without a line number")
    return problems


def assert_attributed(inv: translator.Invocation) -> None:
    problems: list[str] = []
    assert inv.items, "no items"
    for it in inv.items:
        problems += _source_problems(it.source, " ".join(it.tokens)[:60])
        for name, src in it.prop_sources.items():
            problems += _source_problems(src, f"{it.tokens[0]} property {name}")
    for env in inv.env_vars or []:
        problems += _source_problems(env.source, f"env {env.name}")
    assert not problems, "\n".join(problems)


def assert_namespace_is_qemu(inv: translator.Invocation, plain: translator.Invocation) -> None:
    """What exists only because of the qemu: namespace carries a qemu source."""
    ns = inv.domain.qemu
    env_names = {e.name for e in ns.env}
    for env in inv.env_vars:
        if env.name in env_names and env.source.kind != "default":
            assert env.source.kind == "qemu"
    plain_env = {(e.name, e.value) for e in plain.env_vars}
    for env in inv.env_vars:
        if (env.name, env.value) not in plain_env:
            assert env.source.kind == "qemu", env
    plain_keys = {v.key for v in view_items(plain.items)}
    cap_made = {i for e in capability_effects(inv) for i in e.added}
    for view, it in zip(view_items(inv.items), inv.items):
        if view.key not in plain_keys and view.index not in cap_made:
            assert it.source.kind == "qemu", it.tokens
    override_props = {(o.alias, p.name) for o in ns.overrides for p in o.frontend}
    for it in inv.items:
        for name, src in it.prop_sources.items():
            assert src.kind == "qemu"
            assert any(name == p for _, p in override_props)
    touched = sum(len(it.prop_sources) for it in inv.items)
    matched = {o.alias for o in ns.overrides} & {d.alias for d in inv.domain.devices.items}
    if matched:
        assert touched > 0


def assert_text_fits(text: str) -> None:
    long = [ln for ln in text.splitlines() if len(ln) > WIDTH]
    assert not long, f"{len(long)} lines over {WIDTH} columns, e.g. {long[0]!r}"


def assert_json_sources(text: str, inv: translator.Invocation) -> None:
    doc = json.loads(text)
    assert len(doc["items"]) == len(inv.items)
    for entry, it in zip(doc["items"], inv.items):
        assert entry["tokens"] == list(it.tokens)
        assert entry["source"]["kind"] in ("xml", "default", "qemu")
        assert entry["source"]["detail"]
    assert all(e["source"]["detail"] for e in doc["env"])
    assert doc["binary"]["source"]["kind"] in ("xml", "default")


# --------------------------------------------------------------------------- examples

@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_every_item_attributed(path: Path) -> None:
    assert_attributed(_example(path))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_namespace_items_are_qemu(path: Path) -> None:
    inv = _example(path)
    plain = translator.translate(path.read_bytes(), capsdb.get(), namespace=False)
    assert_namespace_is_qemu(inv, plain)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_text_and_json(path: Path) -> None:
    inv = _example(path)
    text = render_explain(inv, "args")
    assert_text_fits(text)
    assert "ITEM" in text and "WHERE" in text
    assert_json_sources(render_explain(inv, "json"), inv)


# --------------------------------------------------------------------------- corpus

needs_corpus = pytest.mark.skipif(not NS_CASES, reason=f"libvirt corpus not found at {CORPUS}")


@needs_corpus
def test_nine_namespace_cases_present() -> None:
    assert len(NS_CASES) == 9


@needs_corpus
@pytest.mark.parametrize("case", NS_CASES, ids=lambda c: c["name"])
def test_corpus_namespace_cases_attributed(case: dict) -> None:
    inv = _corpus(case)
    assert_attributed(inv)
    assert_namespace_is_qemu(inv, _corpus(case, namespace=False))
    text = render_explain(inv)
    assert_text_fits(text)
    assert_json_sources(render_explain(inv, "json"), inv)


@needs_corpus
def test_qemu_ns_override_properties_listed() -> None:
    case = next(c for c in NS_CASES if c["name"] == "qemu-ns")
    inv = _corpus(case)
    text = render_explain(inv)
    assert '<qemu:override> sets prop1="propval1"' in text
    assert re.search(r"<qemu:override> removes prop6", text)
    assert "qemu:deprecation[@behavior='crash']" in text
    assert re.search(r"NS=ns +qemu +qemu:commandline/qemu:env\[@name='NS'\]", text)
    doc = json.loads(render_explain(inv, "json"))
    dev = next(i for i in doc["items"] if "properties" in i)
    actions = {p["name"]: p["action"] for p in dev["properties"]}
    assert actions["prop1"] == "set" and actions["prop6"] == "remove"
    assert all(p["source"]["kind"] == "qemu" and p["source"]["line"] for p in dev["properties"])


# --------------------------------------------------------------------------- inline domains

def domain(ns: str = "", devices: str = "", root_attrs: str = "") -> str:
    return (f"<domain type='kvm' xmlns:qemu='{QEMU_URI}'{root_attrs}>\n"
            "  <name>explain</name>\n"
            "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
            "  <memory unit='MiB'>512</memory>\n"
            "  <vcpu>1</vcpu>\n"
            "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
            f"  <devices>\n{devices}  </devices>\n"
            f"{ns}</domain>\n")


DISK = ("    <disk type='file' device='disk'>\n"
        "      <driver name='qemu' type='qcow2'/>\n"
        "      <source file='/var/lib/libvirt/images/a-rather-long-image-name-for-wrapping.qcow2'/>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "      <alias name='ua-disk'/>\n"
        "    </disk>\n")


def test_defaults_name_their_reason() -> None:
    inv = translator.translate(domain(devices=DISK), capsdb.get())
    by_opt = {}
    for it in inv.items:
        by_opt.setdefault(it.tokens[0], []).append(it)
    assert by_opt["-rtc"][0].source.kind == "default"            # no <clock>
    assert "clock" in by_opt["-rtc"][0].source.detail
    assert by_opt["-accel"][0].source == Source("xml", "/domain/@type", 1)
    assert by_opt["-m"][0].source.line == 4
    balloon = next(it for it in inv.items if "virtio-balloon" in " ".join(it.tokens))
    assert balloon.source.kind == "default" and "balloon" in balloon.source.detail
    usb = next(it for it in inv.items if "qemu-xhci" in " ".join(it.tokens))
    assert usb.source.kind == "default" and "USB" in usb.source.detail
    disk = next(it for it in inv.items if "virtio-blk" in " ".join(it.tokens))
    assert disk.source.kind == "xml" and disk.source.line == 8
    assert all(e.source.kind == "default" for e in inv.env_vars)


def test_text_layout_columns_and_wrapping() -> None:
    inv = translator.translate(domain(devices=DISK), capsdb.get())
    text = render_explain(inv)
    assert_text_fits(text)
    lines = text.splitlines()
    # the source column starts at the same place on every item row
    row = next(ln for ln in lines if ln.startswith("-name "))
    assert row[ITEM_COL + 2:].startswith("xml")
    # a long JSON value is wrapped at member boundaries, continuation lines indented
    start = next(i for i, ln in enumerate(lines) if ln.startswith("-blockdev {\"driver\":\"file\""))
    assert lines[start + 1].startswith("          \"")
    assert "line 10" in "\n".join(lines[start:start + 3])
    assert "a-rather-long-image-name-" in "\n".join(lines[start:start + 4])
    assert "Environment" in lines and "Arguments" in lines


def test_wrap_value_json_and_keyval() -> None:
    value = json.dumps({"driver": "x" * 10, "id": "y" * 30, "bus": "pci.0", "addr": "0x1"},
                       separators=(",", ":"))
    parts = wrap_value(value, 30)
    assert "".join(parts) == value
    assert all(len(p) <= 30 for p in parts)
    assert parts[1].startswith('"id"')
    kv = "socket,id=charmonitor,path=/var/lib/libvirt/qemu/x,,y/monitor.sock,server=on"
    parts = wrap_value(kv, 30)
    assert "".join(parts) == kv and all(len(p) <= 30 for p in parts)
    assert wrap_item(("-S",), 40) == ["-S"]
    assert pack(["aaaa", "bbbb", "cccc"], 9, sep=" ") == ["aaaa bbbb", "cccc"]
    assert DETAIL_COL > 30


def test_appended_args_joined_and_attributed() -> None:
    ns = ("  <qemu:commandline>\n"
          "    <qemu:arg value='-cpu'/>\n"
          "    <qemu:arg value='host'/>\n"
          "    <qemu:env name='FOO' value='bar'/>\n"
          "  </qemu:commandline>\n")
    xml = domain(ns=ns)
    inv = translator.translate(xml, capsdb.get())
    assert_attributed(inv)
    text = render_explain(inv)
    assert re.search(r"^-cpu host +qemu +qemu:commandline/qemu:arg +lines 10, 11$", text, re.M)
    assert re.search(r"^FOO=bar +qemu +qemu:commandline/qemu:env\[@name='FOO'\]$", text, re.M)
    assert "2 <qemu:arg> tokens" in text


def test_override_on_unknown_alias_reported() -> None:
    ns = ("  <qemu:override><qemu:device alias='ua-nothing'><qemu:frontend>"
          "<qemu:property name='x' type='string' value='y'/>"
          "</qemu:frontend></qemu:device></qemu:override>\n")
    inv = translator.translate(domain(ns=ns, devices=DISK), capsdb.get())
    assert "<qemu:device alias='ua-nothing'> matches no -device" in render_explain(inv)


def test_capability_toggle_effect_attributed() -> None:
    ns = ("  <qemu:capabilities>\n"
          "    <qemu:del capability='device.json+hotplug'/>\n"
          "  </qemu:capabilities>\n")
    inv = translator.translate(domain(ns=ns, devices=DISK), capsdb.get())
    effects = capability_effects(inv)
    assert len(effects) == 1 and effects[0].status == "effective"
    assert effects[0].changed       # every -device turns into key=value syntax
    changed = inv.items[effects[0].changed[0]]
    assert changed.tokens[0] == "-device" and not changed.tokens[1].startswith("{")
    text = render_explain(inv)
    assert "<qemu:del> device.json+hotplug" in text
    doc = json.loads(render_explain(inv, "json"))
    assert doc["capabilities"][0]["status"] == "effective"
    assert any(i.get("capabilities") for i in doc["items"])


def test_warnings_listed() -> None:
    inv = translator.translate(domain(), capsdb.get())
    text = render_explain(inv, warnings=["something " * 20])
    assert "Warnings" in text
    assert_text_fits(text)
    assert json.loads(render_explain(inv, "json", ["w1"]))["warnings"] == ["w1"]


def test_render_json_env_has_source() -> None:
    inv = translator.translate(domain(), capsdb.get())
    doc = json.loads(inv.render("json"))
    assert all(e["source"]["kind"] == "default" for e in doc["env"])
    assert all("source" in i for i in doc["items"])


def test_vague_source_detected() -> None:
    """The attribution check itself can fail."""
    inv = translator.translate(domain(), capsdb.get())
    inv.items.append(Item(("-foo",), Source("host", "libvirt host environment")))
    with pytest.raises(AssertionError):
        assert_attributed(inv)


# --------------------------------------------------------------------------- aliases

def test_aliases_lists_user_and_implicit() -> None:
    inv = translator.translate(domain(devices=DISK), capsdb.get())
    text = render_aliases(inv)
    first_words = {ln.split()[0] for ln in text.splitlines() if ln.strip()}
    for alias in ("ua-disk", "balloon0", "usb", "pci.1", "pcie.0"):
        assert alias in first_words, alias
    assert re.search(r"^balloon0 .*default: .*balloon", text, re.M)
    assert re.search(r"^ua-disk .*xml: /domain/devices\[1\]/disk\[1\] \(line 8\)", text, re.M)
    assert_text_fits(text)


# --------------------------------------------------------------------------- virt-install

def test_virt_install_env() -> None:
    out = render_qemu_commandline("env=FOO=bar")
    assert '<qemu:env name="FOO" value="bar"/>' in out
    assert f'xmlns:qemu="{QEMU_URI}"' in out
    assert "<qemu:arg" not in out
    assert parse_qemu_commandline("env=A=b=c").env == [("A", "b=c")]


def test_virt_install_plain_args_split_like_a_shell() -> None:
    out = render_qemu_commandline("-display gtk,gl=on")
    assert re.findall(r'<qemu:arg value="([^"]*)"/>', out) == ["-display", "gtk,gl=on"]
    assert parse_qemu_commandline("args=-set 'device.x.y=a b'").args == ["-set",
                                                                      "device.x.y=a b"]
    assert parse_qemu_commandline("clearxml=yes").clear
    assert "removed first" in render_qemu_commandline("clearxml=yes")
    assert "&quot;" in render_qemu_commandline("args='-a\"b'")


def test_virt_install_errors() -> None:
    with pytest.raises(translator.TranslationError):
        parse_qemu_commandline("env=NOVALUE")
    with pytest.raises(translator.TranslationError):
        parse_qemu_commandline("args='open")


# --------------------------------------------------------------------------- CLI

def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_cli_explain(capsys, tmp_path: Path) -> None:
    path = REPO / "examples" / "override-frontend.xml"
    rc, out, _ = _run(capsys, "--explain", str(path))
    assert rc == 0
    assert "<qemu:override> sets serial=" in out
    assert_text_fits(out)
    rc, out, _ = _run(capsys, "--explain", "--format", "json", str(path))
    assert rc == 0 and all("source" in i for i in json.loads(out)["items"])


def test_cli_aliases(capsys) -> None:
    rc, out, _ = _run(capsys, "--aliases", str(REPO / "examples" / "override-frontend.xml"))
    assert rc == 0 and "ua-rootdisk" in out and "balloon0" in out


def test_cli_from_virt_install(capsys) -> None:
    rc, out, _ = _run(capsys, "--from-virt-install", "-display gtk,gl=on")
    assert rc == 0 and '<qemu:arg value="gtk,gl=on"/>' in out
    rc, out, _ = _run(capsys, "--from-virt-install", "env=FOO=bar")
    assert rc == 0 and '<qemu:env name="FOO" value="bar"/>' in out
    rc, _, err = _run(capsys, "--from-virt-install", "env=FOO")
    assert rc == 2 and err.startswith("error:")


def test_cli_suggest_override(capsys, tmp_path: Path) -> None:
    ns = ("  <qemu:commandline>\n"
          "    <qemu:arg value='-set'/>\n"
          "    <qemu:arg value='device.ua-disk.prop=1'/>\n"
          "  </qemu:commandline>\n")
    f = tmp_path / "d.xml"
    f.write_text(domain(ns=ns, devices=DISK))
    rc, out, _ = _run(capsys, "--suggest-override", str(f))
    assert rc == 0
    assert "<qemu:device alias='ua-disk'>" in out
    assert "<qemu:property name='prop' type='unsigned' value='1'/>" in out
    assert "not the alias" not in out
