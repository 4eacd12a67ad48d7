"""Hostile or broken XML: one `error:` line and exit 1, never a traceback, never a file
read or entity expansion (the inputs are untrusted domain documents)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import capsdb
import translator
from translator import TranslationError, XMLInputError

REPO = Path(__file__).resolve().parents[1]

DOMAIN_BODY = ("<name>{name}</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
               "<os><type arch='x86_64' machine='pc'>hvm</type></os>")

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE domain [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<domain type='qemu'>""" + DOMAIN_BODY.format(name="&lol9;") + "</domain>"


def xxe(target: Path) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE domain [ <!ENTITY xxe SYSTEM "file://{target}"> ]>\n'
            "<domain type='qemu'>" + DOMAIN_BODY.format(name="&xxe;") + "</domain>")


def dtd_external_subset(target: Path) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE domain SYSTEM "file://{target}">\n'
            "<domain type='qemu'>" + DOMAIN_BODY.format(name="&fromdtd;") + "</domain>")


def payloads(tmp: Path) -> dict[str, str]:
    # A private "secret" file lets us prove it is never read (its content never shows up),
    # alongside the classic /etc/passwd target.
    secret = tmp / "secret.txt"
    secret.write_text("TOPSECRET-CONTENT")
    dtd = tmp / "evil.dtd"
    dtd.write_text(f'<!ENTITY fromdtd SYSTEM "file://{secret}">')
    return {
        "malformed": "<domain type='qemu'><name>x</name>",
        "not-xml": "this is not XML at all",
        "empty": "",
        "non-domain-root": "<network><name>default</name></network>",
        "namespaced-root": "<domain xmlns='urn:evil' type='qemu'>"
                           + DOMAIN_BODY.format(name="x") + "</domain>",
        "billion-laughs": BILLION_LAUGHS,
        "xxe-passwd": xxe(Path("/etc/passwd")),
        "xxe-secret": xxe(secret),
        "dtd-external-subset": dtd_external_subset(dtd),
        "parameter-entity": (f'<?xml version="1.0"?>\n<!DOCTYPE domain [ <!ENTITY % p SYSTEM '
                             f'"file://{dtd}"> %p; ]>\n<domain type=\'qemu\'>'
                             + DOMAIN_BODY.format(name="&fromdtd;") + "</domain>"),
    }


CASES = ["malformed", "not-xml", "empty", "non-domain-root", "namespaced-root",
         "billion-laughs", "xxe-passwd", "xxe-secret", "dtd-external-subset",
         "parameter-entity"]


@pytest.mark.parametrize("case", CASES)
def test_cli_gives_one_error_line(case, tmp_path):
    path = tmp_path / "domain.xml"
    path.write_text(payloads(tmp_path)[case])
    res = subprocess.run([sys.executable, "-m", "translator", str(path)], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1, res.stderr
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error:")
    assert "Traceback" not in res.stderr
    assert "TOPSECRET" not in res.stderr and "root:" not in res.stderr


@pytest.mark.parametrize("case", CASES)
def test_translate_raises_xml_input_error(case, tmp_path):
    with pytest.raises(XMLInputError) as exc:
        translator.translate(payloads(tmp_path)[case], capsdb.get(), profile="system")
    assert isinstance(exc.value, TranslationError)
    assert "TOPSECRET" not in str(exc.value)


@pytest.mark.parametrize("case", ["xxe-secret", "dtd-external-subset", "parameter-entity"])
def test_external_files_are_never_opened(case, tmp_path, monkeypatch):
    """No Python-level open() of the referenced files (libxml2 is checked below)."""
    data = payloads(tmp_path)[case]
    opened: list[str] = []
    real_open = open

    def spy(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    with pytest.raises(XMLInputError):
        translator.translate(data.encode(), capsdb.get(), profile="system")
    assert not [f for f in opened if str(tmp_path) in f]


def test_libxml2_never_reads_the_external_file(tmp_path):
    """The external target is a FIFO with no writer: had libxml2 tried to read it, the
    parse would block and the subprocess timeout would fail the test."""
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code = ("import sys, capsdb, translator\n"
            "try:\n"
            "    translator.translate(sys.stdin.buffer.read(), capsdb.get())\n"
            "except translator.XMLInputError:\n"
            "    print('refused')\n")
    for doc in (xxe(fifo), dtd_external_subset(fifo)):
        res = subprocess.run([sys.executable, "-c", code], cwd=REPO, input=doc,
                             capture_output=True, text=True, timeout=30)
        assert res.stdout == "refused\n", res.stderr


def test_billion_laughs_is_fast(tmp_path):
    import time

    t0 = time.perf_counter()
    with pytest.raises(XMLInputError):
        translator.translate(BILLION_LAUGHS, capsdb.get())
    assert time.perf_counter() - t0 < 2.0


def test_malformed_xml_message_names_the_line_once():
    """lxml's ', line N, column M' suffix is not repeated next to our '(line N)'."""
    with pytest.raises(XMLInputError) as exc:
        translator.translate("<domain type='qemu'>\n<name>x</name>\n<os", capsdb.get())
    msg = str(exc.value)
    assert msg.startswith("malformed XML: ")
    assert ", column" not in msg and msg.endswith("(line 3)")
    assert exc.value.line == 3
