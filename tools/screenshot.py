"""Render a domain XML to the teaching page and take a PNG screenshot of it with headless
Chromium, to check by eye that the page reads well (and to illustrate docs).

    python tools/screenshot.py examples/override-frontend.xml -o /tmp/page.png
    python tools/screenshot.py DOMAIN.xml --width 1400 --height 1000 --keep-html /tmp/p.html

Uses the system's Chromium (`/usr/bin/chromium` or --browser); never downloads one. The
browser runs with a throw-away profile and without background networking.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars")


def find_browser(explicit: str | None = None) -> str | None:
    """The Chromium binary to use: --browser, else the Debian package's, else PATH."""
    if explicit:
        return explicit
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def render_page(domain: Path, qemu: str | None = None, profile: str = "host") -> str:
    import capsdb
    import translator
    from translator.cli import _analyse
    from translator.html import render_html

    inv = translator.translate(domain.read_bytes(), capsdb.get(qemu), profile=profile)
    return render_html(inv, _analyse(inv))


def screenshot(html_file: Path, png: Path, browser: str, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory(prefix="xml2argv-shot-") as profile_dir:
        cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}",
               f"--window-size={width},{height}", f"--screenshot={png}",
               html_file.resolve().as_uri()]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("domain", type=Path, help="domain XML to render")
    ap.add_argument("-o", "--output", type=Path, default=Path("xml2argv-page.png"))
    ap.add_argument("--qemu", help="QEMU profile version (default: newest)")
    ap.add_argument("--profile", default="host", choices=("host", "native", "system", "libvirt-test"))
    ap.add_argument("--width", type=int, default=1440)
    ap.add_argument("--height", type=int, default=1000)
    ap.add_argument("--browser", help="Chromium binary (default /usr/bin/chromium)")
    ap.add_argument("--keep-html", type=Path, help="also keep the generated page here")
    args = ap.parse_args(argv)
    browser = find_browser(args.browser)
    if browser is None:
        print("error: no Chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    page = render_page(args.domain, args.qemu, args.profile)
    with tempfile.TemporaryDirectory(prefix="xml2argv-page-") as tmp:
        html_file = args.keep_html or Path(tmp) / "page.html"
        html_file.write_text(page, encoding="utf-8")
        screenshot(html_file, args.output.resolve(), browser, args.width, args.height)
    print(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
