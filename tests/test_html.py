"""The teaching page (`--format html`) without a browser: structure, links, escaping of
the untrusted XML, no external resources, and the qemu: namespace's effects marked."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import capsdb
import translator
from translator.effects import paired_items
from translator.cli import main
from translator.html import mark_props, render_html, resolve_path, scan_xml

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
CAPS = capsdb.get("10.0")
QEMU_URI = "http://libvirt.org/schemas/domain/qemu/1.0"


class Page(HTMLParser):
    """Every element's tag, attributes and the text inside <script>/<style>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in self.blocks:
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[self._in].append(data)

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.elements if "id" in a}

    def with_class(self, cls: str) -> list[dict[str, str]]:
        return [a for _, a in self.elements if cls in a.get("class", "").split()]

    def by_id(self, ident: str) -> dict[str, str]:
        return next(a for _, a in self.elements if a.get("id") == ident)


def page_for(xml: str | bytes, warnings: list[str] | None = None, **kw) -> str:
    inv = translator.translate(xml, CAPS, profile="system", **kw)
    return render_html(inv, warnings or [])


def example(name: str) -> str:
    return page_for((EXAMPLES / name).read_bytes())


def rows_where(page: Page, text: str, html: str) -> list[dict[str, str]]:
    """Attributes of the command-line rows whose markup contains `text`."""
    out = []
    for m in re.finditer(r'<li class="row[^"]*" id="([^"]+)"(.*?)</li>', html, re.S):
        if text in m.group(0):
            out.append(page.by_id(m.group(1)))
    return out


def test_both_panes_and_one_row_per_item():
    xml = (EXAMPLES / "qmp-over-tcp.xml").read_bytes()
    inv = translator.translate(xml, CAPS, profile="system")
    html = render_html(inv, [])
    page = Page(html)
    assert {"xml-pane", "cmd-pane"} <= page.ids
    rows = page.with_class("row")
    # <qemu:arg> tokens paired the way QEMU reads them ('-qmp' and its value: one row)
    assert len(rows) == len(paired_items(inv.items)) + len(inv.env_vars) + 1  # + the binary
    assert len(paired_items(inv.items)) == len(inv.items) - 1
    # one XML line element per input line, numbered like the parser numbers them
    assert f"xml-L{xml.decode().count(chr(10))}" in page.ids
    assert f"xml-L{xml.decode().count(chr(10)) + 1}" not in page.ids


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.xml")))
def test_every_link_target_exists(name: str):
    page = Page(example(name))
    links = [a for tag, a in page.elements if tag == "a"]
    cmd_links = page.with_class("cmd-link")
    assert len(cmd_links) == len(page.with_class("row"))  # every item has its link
    for a in links:
        assert a["href"].startswith("#"), a
        assert a["href"][1:] in page.ids, a["href"]
    # every row is explained, and the explanation it points at exists
    for a in cmd_links:
        assert a["aria-describedby"] in page.ids


def test_items_link_to_their_source_line():
    html = example("qmp-over-tcp.xml")
    page = Page(html)
    xml_lines = (EXAMPLES / "qmp-over-tcp.xml").read_text().split("\n")
    (uuid_row,) = rows_where(page, ">-uuid<", html)
    line = int(uuid_row["data-from"])
    assert "<uuid>" in xml_lines[line - 1]
    assert f'href="#xml-L{line}"' in re.search(r'id="%s".*?</li>' % uuid_row["id"], html,
                                               re.S).group(0)


def test_source_ranges_cover_the_whole_element():
    html = example("override-frontend.xml")
    page = Page(html)
    lines = (EXAMPLES / "override-frontend.xml").read_text().split("\n")
    (disk,) = [r for r in rows_where(page, "virtio-blk-pci", html)]
    first, last = int(disk["data-from"]), int(disk["data-to"])
    assert "<disk " in lines[first - 1] and "</disk>" in lines[last - 1]


def test_xml_special_characters_are_escaped():
    evil = "<script>alert(1)</script>"
    xml = ("<!-- " + evil + " -->\n"
           f"<domain type='qemu' xmlns:qemu='{QEMU_URI}'>\n"
           "<name>a&lt;b&amp;c\"d'</name>\n"
           "<memory unit='MiB'>256</memory><vcpu>1</vcpu>\n"
           "<os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
           "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>\n"
           "<qemu:commandline>\n"
           "<qemu:arg value='\"&gt;&lt;img src=x onerror=alert(2)&gt;'/>\n"
           "<qemu:env name='X' value='&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;'/>\n"
           "</qemu:commandline>\n</domain>\n")
    html = page_for(xml, warnings=["appended <b>-cpu host</b> & more"])
    page = Page(html)
    assert html.count("<script") == 1  # only the page's own
    assert "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html          # the XML pane
    assert "a&amp;lt;b&amp;amp;c" in html                           # entities shown as written
    assert "&gt;&lt;img src=x onerror=alert(2)&gt;" in html          # the appended argument
    assert "appended &lt;b&gt;-cpu host&lt;/b&gt; &amp; more" in html  # the warning
    assert "onerror" not in "".join(str(a) for _, a in page.elements)
    assert not [a for _, a in page.elements if any(k.startswith("on") for k in a)]


def test_no_external_resources():
    for name in ("qmp-over-tcp.xml", "override-frontend.xml", "jemalloc-leak-check.xml"):
        html = example(name)
        page = Page(html)
        for tag, attrs in page.elements:
            for key in ("src", "srcset", "href", "action", "poster", "data", "xlink:href"):
                if key in attrs:
                    assert key == "href" and attrs[key].startswith("#"), (tag, attrs)
            assert tag not in ("link", "img", "iframe", "object", "embed", "base"), tag
        css = "".join(page.blocks["style"])
        js = "".join(page.blocks["script"])
        assert "url(" not in css and "@import" not in css
        for word in ("fetch(", "XMLHttpRequest", "WebSocket", "import(", "http://", "https://"):
            assert word not in js
        # the XML's namespace URI is shown as text, never as a link target
        assert not re.search(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', html)


def test_csp_pins_exactly_the_inline_blocks():
    html = example("qmp-over-tcp.xml")
    page = Page(html)
    csp = next(a["content"] for tag, a in page.elements
               if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp

    def digest(block: str) -> str:
        return base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest(''.join(page.blocks['style']))}'" in csp
    assert f"script-src 'sha256-{digest(''.join(page.blocks['script']))}'" in csp


def test_qemu_commandline_items_and_lines_are_marked():
    html = example("qmp-over-tcp.xml")
    page = Page(html)
    qemu_rows = page.with_class("k-qemu")
    qrows = [r for r in qemu_rows if "row" in r["class"].split()]
    assert len(qrows) == 1  # '-qmp' and its value, paired as QEMU reads them
    assert "tcp:127.0.0.1:4444" in html.split('id="cmd-34"', 1)[1].split("</li>", 1)[0]
    assert rows_where(page, ">-qmp<", html)[0]["class"].split()[1] == "k-qemu"
    lines = (EXAMPLES / "qmp-over-tcp.xml").read_text().split("\n")
    tinted = {int(a["id"][len("xml-L"):]) for a in page.with_class("q")}
    assert tinted == {n for n, text in enumerate(lines, 1)
                      if text.strip().startswith(("<qemu:", "</qemu:"))}
    # the libvirt-generated items are not marked as namespace effects
    (name_row,) = rows_where(page, ">-name<", html)
    assert "k-qemu" not in name_row["class"]


def test_qemu_env_vars_are_marked():
    html = example("jemalloc-leak-check.xml")
    page = Page(html)
    (row,) = rows_where(page, ">LD_PRELOAD<", html)
    assert "k-qemu" in row["class"].split()
    (path_row,) = rows_where(page, ">PATH<", html)
    assert "k-qemu" not in path_row["class"].split()


def test_override_properties_are_highlighted_and_explained():
    html = example("override-frontend.xml")
    page = Page(html)
    (row,) = rows_where(page, "virtio-blk-pci", html)
    assert "changed" in row["class"].split()
    block = re.search(r'id="%s".*?</li>' % row["id"], html, re.S).group(0)
    marks = re.findall(r'<mark class="ov">(.*?)</mark>', block)
    assert "&quot;serial&quot;:&quot;ROOT-0001&quot;" in marks
    assert "&quot;num-queues&quot;:4" in marks
    assert "&quot;config-wce&quot;:false" in marks
    assert not any("driver" in m for m in marks)  # libvirt's own properties stay plain
    assert "removes <del>bootindex</del>" in block
    # each override property is linked to its <qemu:property> line
    lines = (EXAMPLES / "override-frontend.xml").read_text().split("\n")
    n = lines.index(next(t for t in lines if "name='serial'" in t)) + 1
    assert f'sets <mark class="ov">serial</mark> (<a class="xref" href="#xml-L{n}">' in block


def test_warnings_are_listed():
    html = page_for((EXAMPLES / "qmp-over-tcp.xml").read_bytes(),
                    warnings=["first warning", "second warning"])
    assert re.search(r'Warnings \(2\).*<li id="warn-0">first warning</li>'
                     r'<li id="warn-1">second warning</li>', html, re.S)
    assert "Warnings</h2><p>None.</p>" in example("qmp-over-tcp.xml")


def test_warnings_about_a_line_link_both_ways():
    xml = (EXAMPLES / "qmp-over-tcp.xml").read_bytes()
    html = page_for(xml, warnings=["line 28: an <odd> qemu:arg", "line 999: out of range"])
    assert ('<li id="warn-0"><a class="xref" href="#xml-L28">line 28</a>: an &lt;odd&gt; '
            "qemu:arg</li>") in html
    assert '<li id="warn-1">line 999: out of range</li>' in html
    line = re.search(r'<div class="[^"]*" id="xml-L28">.*?</div>', html).group(0)
    assert '<a class="wmark" href="#warn-0" title="line 28: an &lt;odd&gt; qemu:arg">' in line


def test_page_without_the_input_document_still_links():
    inv = translator.translate((EXAMPLES / "qmp-over-tcp.xml").read_bytes(), CAPS)
    inv.source_xml = None
    page = Page(render_html(inv, []))
    assert "xml-L1" not in page.ids
    for tag, a in page.elements:
        if tag == "a":
            assert a["href"][1:] in page.ids


def test_absent_element_links_to_its_nearest_ancestor():
    root = translator.xmlsafe.parse_document(
        b"<domain>\n<devices>\n<disk/>\n<disk/>\n</devices>\n</domain>")
    assert resolve_path(root, "/domain/devices[1]/disk[2]") == (4, True)
    assert resolve_path(root, "/domain/devices[1]/disk[3]") == (2, False)
    assert resolve_path(root, "/domain/clock") == (1, False)
    assert resolve_path(root, "/other") == (None, False)


def test_scanner_ranges_and_line_numbers():
    text = "<a>\n  <b\n    x='1'\n  />\n  <c>t</c>\n</a>"
    scan = scan_xml(text)
    assert len(scan.lines) == 6
    assert scan.spans[1] == (1, 6)
    assert scan.spans[4] == (2, 4)   # lxml reports <b> at the line of its '>'
    assert scan.spans[2] == (2, 4)
    assert scan.spans[5] == (5, 5)


def test_crlf_input_keeps_parser_line_numbers():
    xml = (EXAMPLES / "qmp-over-tcp.xml").read_bytes().replace(b"\n", b"\r\n")
    page = Page(page_for(xml))
    lines = xml.decode().split("\r\n")
    uuid_line = next(n for n, t in enumerate(lines, 1) if "<uuid>" in t)
    assert any(a.get("href") == f"#xml-L{uuid_line}" for _, a in page.elements
               if "cmd-link" in a.get("class", ""))


def test_mark_props_legacy_syntax_keeps_doubled_commas():
    assert (mark_props("virtio-blk,serial=a,,b,id=x", ["serial"])
            == 'virtio-blk,<mark class="ov">serial=a,,b</mark>,id=x')
    assert mark_props('{"a":1,"b":{"c":[1,2]}}', ["b"]) \
        == '{&quot;a&quot;:1,<mark class="ov">&quot;b&quot;:{&quot;c&quot;:[1,2]}</mark>}'
    assert mark_props('{"a":1, "b":2}', ["a"]) is None  # not libvirt's compact JSON


def test_cli_writes_the_page(capsys):
    assert main(["--format", "html", str(EXAMPLES / "qmp-over-tcp.xml")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert err == ""


def test_every_warning_is_shown_and_marked_on_its_command_line_row():
    ns = ("<qemu:commandline>" + "".join(
        f"<qemu:arg value='-no-such-{n}'/>" for n in range(5))
        + "<qemu:arg value='-qmp'/><qemu:arg value='tcp:127.0.0.1:1,server=on'/>"
        "</qemu:commandline>")
    src = (EXAMPLES / "kvm-domain.xml").read_text()
    xml = src.replace("<domain type='kvm'>",
                      "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>")
    xml = xml.replace("</domain>", ns + "</domain>")
    inv = translator.translate(xml, CAPS, profile="system")
    texts = [str(w) for w in inv.warnings]
    assert sum("unknown-option" in t for t in texts) == 5
    html = render_html(inv, texts)
    section = html.split('<section class="warnings"', 1)[1].split("</section>", 1)[0]
    assert section.count("<li ") == len(texts)
    css = Page(html).blocks["style"][0]
    warnings_rule = css.split(".warnings {", 1)[1].split("}", 1)[0]
    assert "max-height" not in warnings_rule  # no box that hides the fourth warning
    page = Page(html)
    for n in range(5):
        (row,) = rows_where(page, f"-no-such-{n}<", html)
        row_html = html.split(f'id="{row["id"]}"', 1)[1].split("</li>", 1)[0]
        assert 'class="wmark" href="#warn-' in row_html
