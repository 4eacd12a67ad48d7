"""The `xml2argv` command line (also `python -m translator`)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .invocation import Invocation

from .errors import InternalError, TranslationError
from .profiles import ALIASES, DEFAULT_PROFILE, PROFILES
from .render import FORMATS

PROFILE_CHOICES = (*PROFILES, *ALIASES)

EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in xml2argv, never a libvirt refusal

OUTPUT_FORMATS = FORMATS + ("html",)


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="xml2argv",
        description="Show the QEMU command line libvirt would start for a domain XML, "
                    "with every qemu: namespace override applied.")
    ap.add_argument("domain", nargs="?", help="domain XML file, or '-' for standard input")
    ap.add_argument("--qemu", metavar="VERSION", help="QEMU version of an embedded profile "
                    "(default: the newest)")
    ap.add_argument("--arch", help="guest architecture profile (default: the domain's "
                    "<os><type arch>, else x86_64)")
    ap.add_argument("--caps", metavar="FILE", help="a libvirt capability file (<qemuCaps> XML) "
                    "instead of an embedded profile; 'auto': this host's libvirt cache "
                    "for the domain's emulator")
    ap.add_argument("--add-cap", action="append", default=[], metavar="NAME",
                    help="turn a capability on (like <qemu:add>); repeatable")
    ap.add_argument("--del-cap", action="append", default=[], metavar="NAME",
                    help="turn a capability off (like <qemu:del>); repeatable")
    ap.add_argument("--profile", choices=PROFILE_CHOICES, default=DEFAULT_PROFILE,
                    help="host environment: host = `virsh start` on a standard qemu:///system "
                         "host (default); native = `virsh domxml-to-native` there (system is "
                         "an alias); libvirt-test = libvirt's test harness")
    ap.add_argument("--abi-update", action="store_true",
                    help="apply the defaults libvirt uses when a domain is first defined "
                         "(its ABI-update parse mode)")
    ap.add_argument("--format", choices=OUTPUT_FORMATS, default="args",
                    help="output format (html: a self-contained teaching page)")
    ap.add_argument("--list-qemu", action="store_true", help="list the embedded QEMU profiles")
    ap.add_argument("--list-caps", action="store_true",
                    help="list every capability name, whether it is retired, and its effect")
    understand = ap.add_argument_group("understanding the qemu: namespace")
    understand.add_argument("--explain", action="store_true",
                            help="annotate every item with the XML element, libvirt default "
                                 "or qemu: element it came from")
    understand.add_argument("--diff", action="store_true",
                            help="argument-aware diff: the domain as written vs without its "
                                 "qemu: namespace (or vs --against-qemu / extra cap toggles)")
    understand.add_argument("--against-qemu", metavar="VERSION",
                            help="with --diff: compare against this QEMU version instead")
    understand.add_argument("--no-warnings", action="store_true",
                            help="do not print the effect analysis warnings on stderr")
    understand.add_argument("--aliases", action="store_true",
                            help="print every device's alias (what <qemu:override> and -set use)")
    understand.add_argument("--suggest-override", action="store_true",
                            help="turn each -set device.ID.PROP=VALUE in the domain into the "
                                 "equivalent <qemu:override> block")
    understand.add_argument("--from-virt-install", metavar="STRING",
                            help="show the <qemu:arg>/<qemu:env> elements virt-install's "
                                 "--qemu-commandline would write for STRING")
    return ap


def _list_qemu() -> None:
    import capsdb

    for version, arch in capsdb.profiles():
        print(f"{version}\t{arch}")


def _list_caps() -> None:
    from capsdb.names import CAPABILITIES

    width = max(len(c.name) for c in CAPABILITIES)
    for c in CAPABILITIES:
        status = "retired" if c.retired else "active"
        effect = c.effect or ("no effect" if c.retired else "not modelled by xml2argv")
        print(f"{c.name:<{width}}  {status:<7}  {effect}")


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:  # not pathlib: its import alone costs ~5 ms per call
        return f.read()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; a reader that stops early (`xml2argv --list-caps | head`) is not an
    error worth a traceback."""
    try:
        return _run(argv)
    except BrokenPipeError:
        # Point stdout at /dev/null so that the interpreter's final flush stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: one line, never a traceback
        detail = exc.args[0] if isinstance(exc, InternalError) and exc.args else \
            f"{type(exc).__name__}: {exc}"
        print(f"internal error (a bug in xml2argv): {' '.join(str(detail).split())}",
              file=sys.stderr)
        return EXIT_INTERNAL


def _run(argv: Sequence[str] | None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    if args.list_qemu:
        _list_qemu()
        return 0
    if args.list_caps:
        _list_caps()
        return 0
    if args.from_virt_install is not None:
        from .virt_install import render_qemu_commandline

        try:
            sys.stdout.write(render_qemu_commandline(args.from_virt_install))
        except TranslationError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        return 0
    if not args.domain:
        ap.error("a domain XML file (or '-') is required")
    if args.against_qemu and not args.diff:
        ap.error("--against-qemu goes with --diff")
    import capsdb
    from . import translate
    from .hostcaps import HostCapsError, effective_arch, select_caps

    try:
        data = _read_input(args.domain)
    except OSError as exc:
        print(f"error: cannot read {args.domain}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        caps = select_caps(args.caps, args.qemu, args.arch, data)
        other_caps = capsdb.get(args.against_qemu, effective_arch(args.arch, data)) \
            if args.against_qemu else None
    except (LookupError, ValueError, OSError, HostCapsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.suggest_override:
            from .overrides import render_suggestions

            sys.stdout.write(render_suggestions(data))
            return 0
        if args.diff:
            from .diff import diff_command

            sys.stdout.write(diff_command(data, caps, profile=args.profile,
                                          caps_add=args.add_cap, caps_del=args.del_cap,
                                          against_caps=other_caps, fmt=args.format))
            return 0
        inv = translate(data, caps, profile=args.profile, caps_add=args.add_cap,
                        caps_del=args.del_cap, abi_update=args.abi_update)
        warnings = _analyse(inv)
        if args.aliases:
            from .explain import render_aliases

            out = render_aliases(inv)
        elif args.format == "html":
            from .html import render_html

            out = render_html(inv, warnings)
        elif args.explain:
            from .explain import render_explain

            out = render_explain(inv, fmt=args.format, warnings=warnings)
        else:
            out = inv.render(args.format)
    except TranslationError as exc:
        msg = " ".join(str(exc).split("\n"))
        print(f"error: {msg}", file=sys.stderr)
        return 1
    sys.stdout.write(out)
    if not args.no_warnings and not args.explain and args.format != "html":
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
    return 0


def _analyse(inv: "Invocation") -> list[str]:
    """Effect-analysis warnings as one-line strings (empty until the analyser exists)."""
    try:
        from .effects import analyse
    except ImportError:
        return []
    return [str(w) for w in analyse(inv)]


if __name__ == "__main__":
    raise SystemExit(main())
