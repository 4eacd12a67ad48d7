"""Shell quoting of the rendered command line (libvirt's virBufferEscapeShell rules),
checked with property-based tests, plus a never-crash property for translate()."""

from __future__ import annotations

import shlex
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import capsdb
import translator
from translator import Invocation, TranslationError
from translator.quoting import needs_quoting, shell_escape, shell_unescape

# libvirt's metacharacter list, written out independently of translator.quoting.
LIBVIRT_METACHARS = set("\r\t\n !\"#$&'()*;<>?[\\]^`{|}~")

# Anything a str can hold except NUL (no argv element can contain it) and lone surrogates.
any_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                   max_size=30)
tricky_text = st.one_of(
    any_text,
    st.text(st.sampled_from(list("ab ,='\"\\$`!*?[]{}~#\n\t;&|<>()-_é☃")), max_size=20),
)
env_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,15}", fullmatch=True)


def join_continuations(text: str) -> str:
    """Remove backslash-newline continuations that sit outside single quotes, as a
    POSIX shell does (inside single quotes they are literal)."""
    out: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        c = text[i]
        if not quoted and c == "\\" and text[i + 1:i + 2] == "\n":
            i += 2
            continue
        if not quoted and c == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        if c == "'":
            quoted = not quoted
        out.append(c)
        i += 1
    return "".join(out)


def words(inv: Invocation) -> list[str]:
    return [f"{n}={v or ''}" for n, v in inv.env] + [inv.binary] + list(inv.args)


invocations = st.builds(
    Invocation,
    env=st.lists(st.tuples(env_names, st.one_of(st.none(), tricky_text)), max_size=4),
    binary=st.sampled_from(["/usr/bin/qemu-system-x86_64", "/opt/my qemu/bin/qemu", "a=b",
                            "if", "qemu"]),
    args=st.lists(tricky_text, max_size=8),
)


@given(tricky_text)
def test_escape_unescape_round_trip(value):
    assert shell_unescape(shell_escape(value)) == value


@given(tricky_text)
def test_escaped_value_is_one_shell_word(value):
    assert shlex.split(shell_escape(value)) == [value]


@given(tricky_text)
def test_quotes_only_when_libvirt_would(value):
    expected = value == "" or any(c in LIBVIRT_METACHARS for c in value)
    assert needs_quoting(value) == expected
    assert (shell_escape(value) == value) == (not expected)


def test_known_quoting_examples():
    assert shell_escape("") == "''"
    assert shell_escape("a,b=c:d/e.f+g%h@i") == "a,b=c:d/e.f+g%h@i"
    assert shell_escape("it's") == "'it'\\''s'"
    assert shell_escape('{"driver":"x"}') == "'{\"driver\":\"x\"}'"
    assert shell_escape("a b") == "'a b'"


@given(invocations)
def test_shell_format_splits_back_into_the_words(inv):
    line = inv.render("shell")
    assert line.endswith("\n")
    assert shlex.split(line) == words(inv)


@given(invocations)
def test_args_format_joined_gives_the_same_words(inv):
    text = inv.render("args")
    assert shlex.split(join_continuations(text)) == words(inv)


@given(invocations)
def test_args_format_one_option_per_line(inv):
    assume(not any(" \\\n" in w for w in words(inv)))
    lines = inv.render("args").split(" \\\n")
    n_env = len(inv.env)
    assert len(lines) == n_env + 1 + sum(a.startswith("-") for a in inv.args)
    for line in lines[n_env + 1:]:
        assert line.startswith("-") or line.startswith("'-")


# --- translate() never crashes ------------------------------------------------------

CAP_NAMES = ["blockdev", "drive", "vnc-colon", "name", "no-such-capability", ""]

# Characters an XML document may carry (so most generated documents get past the parser).
xml_text = st.text(st.one_of(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    st.sampled_from(list(" \t\n,='\"\\$`!*?;&|<>{}"))), max_size=25)


def mostly(valid: st.SearchStrategy, junk: st.SearchStrategy = xml_text) -> st.SearchStrategy:
    """Usually a plausible value, sometimes junk, so both paths get exercised."""
    return st.one_of(valid, valid, valid, junk)


@st.composite
def domain_xmls(draw) -> str:
    dtype = draw(mostly(st.sampled_from(["kvm", "qemu"]), st.sampled_from(["xen", "", "bog"])))
    name = draw(mostly(st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)))
    memory = draw(mostly(st.integers(1, 1 << 24).map(str), st.one_of(
        xml_text, st.integers(-5, 1 << 62).map(str))))
    unit = draw(mostly(st.sampled_from(["KiB", "MiB", "GiB", "bytes"]),
                       st.sampled_from(["parsec", ""])))
    vcpu = draw(mostly(st.integers(1, 16).map(str), st.one_of(
        xml_text, st.integers(-2, 5000).map(str))))
    machine = draw(mostly(st.sampled_from(["pc", "q35", "pc-i440fx-9.0"]),
                          st.sampled_from(["virt", "", "nonsense"])))
    parts = [f"<domain type={quoteattr(dtype)} "
             "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>",
             f"<name>{escape(name)}</name>",
             f"<memory unit={quoteattr(unit)}>{escape(memory)}</memory>",
             f"<vcpu>{escape(vcpu)}</vcpu>",
             f"<os><type arch='x86_64' machine={quoteattr(machine)}>hvm</type></os>",
             "<devices>"]
    if draw(st.booleans()):
        path = draw(mostly(st.just("/var/lib/libvirt/images/x.qcow2")))
        dev = draw(mostly(st.sampled_from(["vda", "hda", "sda"]), st.sampled_from(["", "xyz"])))
        bus = draw(mostly(st.sampled_from(["virtio", "ide", "scsi", "sata"]),
                          st.sampled_from(["usb", "nope"])))
        parts.append(f"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                     f"<source file={quoteattr(path)}/><target dev={quoteattr(dev)} "
                     f"bus={quoteattr(bus)}/></disk>")
    parts.append("</devices><qemu:commandline>")
    for value in draw(st.lists(xml_text, max_size=4)):
        parts.append(f"<qemu:arg value={quoteattr(value)}/>")
    for ename, evalue in draw(st.lists(st.tuples(mostly(env_names),
                                                 st.one_of(st.none(), xml_text)),
                                       max_size=3)):
        val = "" if evalue is None else f" value={quoteattr(evalue)}"
        parts.append(f"<qemu:env name={quoteattr(ename)}{val}/>")
    parts.append("</qemu:commandline><qemu:capabilities>")
    for op in ("add", "del"):
        caps = mostly(st.sampled_from(CAP_NAMES[:4]), st.sampled_from(CAP_NAMES))
        for cap in draw(st.lists(caps, max_size=2)):
            parts.append(f"<qemu:{op} capability={quoteattr(cap)}/>")
    parts.append("</qemu:capabilities>")
    behavior = draw(st.sampled_from([None, "none", "omit", "reject", "crash", "bogus"]))
    if behavior is not None:
        parts.append(f"<qemu:deprecation behavior={quoteattr(behavior)}/>")
    parts.append("</domain>")
    return "".join(parts)


CAPS = capsdb.get()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(domain_xmls(), st.sampled_from(["system", "libvirt-test"]))
def test_translate_never_crashes(xml, profile):
    try:
        inv = translator.translate(xml, CAPS, profile=profile)
    except TranslationError:
        return
    assert isinstance(inv, Invocation)
    for fmt in ("args", "shell", "json", "argv"):
        assert isinstance(inv.render(fmt), str)
    assert shlex.split(inv.render("shell")) == words(inv)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
def test_translate_never_crashes_on_random_bytes(data):
    try:
        translator.translate(data, CAPS)
    except TranslationError:
        pass
