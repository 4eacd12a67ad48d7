"""The `xml2argv` command line (also `python -m translator`).

Exit status: 0 ok; 1 libvirt refuses a domain (or it is malformed); 2 usage error; 3 with
`--check`, findings at or above `--fail-on`; 70 a bug in xml2argv. With several domains the
worst status wins (70, then 1, then 3).

Only what a call needs is imported: argparse and this module for every call, the
translator and the capability data only once a domain is translated.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import field
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from capsdb.records import dataclass
from .version import __version__

if TYPE_CHECKING:
    from capsdb import Caps

    from .effects import EffectWarning
    from .invocation import Invocation

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_WARNINGS = 0, 1, 2, 3
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in xml2argv, never a libvirt refusal

FORMATS = ("args", "shell", "json", "argv")  # translator.render.FORMATS, without importing it
OUTPUT_FORMATS = FORMATS + ("html",)
PROFILES = ("host", "native", "system", "libvirt-test")  # translator.profiles (+ aliases)
DEFAULT_PROFILE = "host"  # translator.profiles.DEFAULT_PROFILE
SEVERITIES = ("info", "warning", "error")  # translator.effects.SEVERITIES
MAX_INPUT_BYTES = 16 * 1024 * 1024  # translator.xmlsafe.MAX_INPUT_BYTES
JSON_SCHEMA_VERSION = 2  # translator.render.JSON_SCHEMA_VERSION


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without `shutil` (argparse builds a formatter for every
    add_argument, and importing shutil for the terminal width costs each call a few ms)."""

    def __init__(self, prog: str) -> None:
        try:
            columns = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = int(os.environ.get("COLUMNS", "80") or 80)
        super().__init__(prog, width=max(columns, 40) - 2)


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="xml2argv", formatter_class=_Formatter,
        description="Show the QEMU command line libvirt would start for a domain XML, "
                    "with every qemu: namespace override applied.",
        epilog="exit status: 0 ok, 1 refused by libvirt, 2 usage error, 3 findings with "
               "--check, 70 a bug in xml2argv")
    ap.add_argument("domain", nargs="*", metavar="DOMAIN",
                    help="domain XML file, a directory (every *.xml below it), or '-' for "
                         "standard input; several may be given")
    ap.add_argument("--version", action="version",
                    version=f"xml2argv {__version__} (libvirt 11.3 rules)")
    ap.add_argument("--qemu", metavar="VERSION", help="QEMU version of an embedded profile "
                    "(default: the newest)")
    ap.add_argument("--arch", help="guest architecture profile (default: the domain's "
                    "<os><type arch>, else x86_64)")
    ap.add_argument("--caps", metavar="FILE", help="a libvirt capability file (<qemuCaps> XML) "
                    "instead of an embedded profile; 'auto': this host's libvirt cache for "
                    "the domain's emulator")
    ap.add_argument("--add-cap", action="append", default=[], metavar="NAME",
                    help="turn a capability on (like <qemu:add>); repeatable")
    ap.add_argument("--del-cap", action="append", default=[], metavar="NAME",
                    help="turn a capability off (like <qemu:del>); repeatable")
    ap.add_argument("--profile", choices=PROFILES, default=DEFAULT_PROFILE,
                    help="host environment: host = `virsh start` on a standard qemu:///system "
                         "host (default); native = `virsh domxml-to-native` there (system is "
                         "an alias); libvirt-test = libvirt's test harness")
    ap.add_argument("--abi-update", action="store_true",
                    help="apply the defaults libvirt uses when a domain is first defined "
                         "(its ABI-update parse mode)")
    start = ap.add_argument_group("the start itself")
    start.add_argument("--host-cpu", metavar="MODEL",
                       help="the host CPU libvirt probes, instead of QEMU's expansion of it "
                            "(a CPU map model, or one the profile describes such as the "
                            "harness' Haswell): host-model CPUs follow it")
    start.add_argument("--incoming", metavar="URI",
                       help="start an incoming migration or restore from URI (QEMU's "
                            "-incoming: tcp:, unix:, exec:, fd:N, or stdio with "
                            "--incoming-fd)")
    start.add_argument("--incoming-fd", type=int, metavar="FD",
                       help="the descriptor an --incoming stdio restore reads")
    start.add_argument("--vdpa-fd", action="append", default=[], metavar="DEVICE=FD",
                       type=_vdpa_fd,
                       help="a descriptor already opened for a vhost-vdpa disk device; "
                            "repeatable")
    ap.add_argument("--format", choices=OUTPUT_FORMATS,
                    help="output format (default args; html: a self-contained teaching page)")
    ap.add_argument("--list-qemu", action="store_true",
                    help="list the embedded QEMU profiles (of --arch, if given)")
    ap.add_argument("--list-caps", action="store_true",
                    help="list every capability name, whether it is retired, and its effect")
    batch = ap.add_argument_group("checking domains (CI, pre-commit)")
    batch.add_argument("--check", action="store_true",
                       help="print no command line, only findings and a per-file summary; "
                            "exit 1 if libvirt refuses a domain, 3 if there are findings at "
                            "or above --fail-on")
    batch.add_argument("--fail-on", metavar="LEVEL", default="warning",
                       help="with --check: a severity (info, warning, error), 'never', or "
                            "comma-separated finding codes (default: warning)")
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


# --- usage: every combination works or is refused here ---------------------------------

_VIEWS = ("explain", "diff", "aliases", "suggest_override", "check")
_FORMATS_OF = {  # the formats each view supports (None: no --format at all)
    "explain": ("args", "json"), "diff": ("args", "json", "html"), "aliases": ("args", "json"),
    "suggest_override": ("args",), "check": ("args", "json"),
    "list_qemu": ("args", "json"), "list_caps": ("args", "json"),
}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _check_usage(ap: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse (exit 2) every combination that would otherwise be silently ignored."""
    listings = [n for n in ("list_qemu", "list_caps", "from_virt_install")
                if getattr(args, n) not in (None, False)]
    views = [v for v in _VIEWS if getattr(args, v)]
    if len(listings) > 1 or (listings and (views or args.domain)):
        others = [_flag(n) for n in listings + views] + (["DOMAIN"] if args.domain else [])
        ap.error(f"{' and '.join(others)} cannot be combined")
    if len(views) > 1:
        ap.error(f"{' and '.join(_flag(v) for v in views)} cannot be combined; choose one")
    what: str | None = (listings + views)[0] if listings or views else None
    fmt = args.format
    if what is not None and fmt is not None:
        allowed = _FORMATS_OF.get(what, ())
        if fmt not in allowed:
            shown = "args" if fmt == "args" else fmt
            ap.error(f"{_flag(what)} does not support --format {shown}"
                     + (f" (only {', '.join(allowed)})" if allowed else ""))
    # --caps auto may take --arch: it picks the binary of a domain without <emulator>
    if args.arch is not None and what not in (None, "list_qemu") and args.caps \
            and args.caps != "auto":
        ap.error("--arch and --caps cannot be combined: the capability file names its arch")
    if args.qemu and args.caps:
        ap.error("--qemu and --caps cannot be combined")
    if args.against_qemu and not args.diff:
        ap.error("--against-qemu goes with --diff")
    if args.fail_on != "warning" and not args.check:
        ap.error("--fail-on goes with --check")
    _check_ignored(ap, args, what, fmt)
    if listings:
        if listings[0] != "list_qemu" and (args.arch or args.qemu or args.caps):
            ap.error(f"{_flag(listings[0])} takes no --arch, --qemu or --caps")
        return
    if not args.domain:
        ap.error("a domain XML file, a directory or '-' is required")
    if args.domain.count("-") > 1:
        ap.error("standard input ('-') can be read only once")
    single_only = [v for v in ("explain", "diff", "aliases", "suggest_override") if getattr(args, v)]
    if fmt == "html":
        single_only.append("format html")
    if single_only and (len(args.domain) > 1 or _is_dir(args.domain[0])):
        ap.error(f"{_flag(single_only[0])} takes a single domain file")
    _check_fail_on(ap, args.fail_on)
    _check_cap_names(ap, args.add_cap + args.del_cap)


def _check_ignored(ap: argparse.ArgumentParser, args: argparse.Namespace, what: str | None,
                   fmt: str | None) -> None:
    """Options the chosen view would not use."""
    if args.no_warnings:
        quiet_views = ("check", "explain", "diff", "suggest_override")
        if what in quiet_views or fmt in ("json", "html"):
            shown = _flag(what) if what in quiet_views else f"--format {fmt}"
            ap.error(f"--no-warnings cannot be combined with {shown}, which prints no "
                     "warning lines")
    if args.abi_update and what in ("diff", "suggest_override"):
        ap.error(f"--abi-update cannot be combined with {_flag(what)}")
    start = [f for f, on in (("--host-cpu", args.host_cpu), ("--incoming", args.incoming),
                             ("--vdpa-fd", args.vdpa_fd)) if on]
    if start and what in ("diff", "suggest_override"):
        ap.error(f"{start[0]} cannot be combined with {_flag(what)}")
    if (args.incoming == "stdio") != (args.incoming_fd is not None):
        ap.error("--incoming stdio and --incoming-fd go together")
    if what == "suggest_override":
        used = [f for f, on in (("--qemu", args.qemu), ("--caps", args.caps),
                                ("--arch", args.arch), ("--add-cap", args.add_cap),
                                ("--del-cap", args.del_cap)) if on]
        if used:
            ap.error(f"--suggest-override reads only the XML: {used[0]} does not apply")


def _check_fail_on(ap: argparse.ArgumentParser, value: str) -> None:
    if value in SEVERITIES or value == "never":
        return
    from .effects import SEVERITY_OF

    codes = [c for c in value.split(",") if c]
    known = set(SEVERITY_OF) | _ALL_CODES
    bad = [c for c in codes if c not in known]
    if not codes or bad:
        ap.error(f"--fail-on: unknown level or finding code {bad[0] if bad else value!r}"
                 f"{_did_you_mean(bad[0] if bad else value, [*SEVERITIES, 'never', *known])}")


# every finding code the effect analysis emits, for --fail-on (kept in step by a test)
_ALL_CODES = frozenset({
    "accel-conflict", "accel-fallback", "arg-override", "bare-argument",
    "cap-already-off", "cap-already-on", "cap-effective", "cap-no-effect", "cap-retired",
    "cap-unknown", "duplicate-id", "env-obsolete", "env-repeated", "env-shadow",
    "missing-argument", "option-deprecated", "option-removed", "option-too-new",
    "override-no-device", "override-type", "packed-arg", "qemu-ignored", "qemu-ns-missing",
    "qemu-ns-misspelt", "qemu-ns-undeclared", "set-json", "set-no-target", "set-syntax",
    "taint", "unknown-option", "value-removed"})


def _check_cap_names(ap: argparse.ArgumentParser, names: list[str]) -> None:
    if not names:
        return
    from capsdb.names import CAPABILITIES, is_known

    for name in names:
        if not is_known(name):
            ap.error(f"unknown capability '{name}'"
                     f"{_did_you_mean(name, [c.name for c in CAPABILITIES])}; "
                     "see --list-caps")


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    import difflib  # only for a mistake: not worth its import on every call

    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def _is_dir(path: str) -> bool:
    return path != "-" and os.path.isdir(path)


# --- listings ------------------------------------------------------------------------------

def _list_qemu(arch: str | None, fmt: str | None) -> int:
    import capsdb

    rows = [(v, a) for v, a in capsdb.profiles() if arch is None or a == arch]
    if not rows:
        known = sorted({a for _, a in capsdb.profiles()})
        _diag("error", f"no embedded QEMU profile for arch '{arch}'"
              f"{_did_you_mean(arch or '', known)}")
        return EXIT_USAGE
    if fmt == "json":
        _print_json({"schema_version": JSON_SCHEMA_VERSION,
                     "profiles": [{"version": v, "arch": a} for v, a in rows]})
    else:
        sys.stdout.write("".join(f"{v}\t{a}\n" for v, a in rows))
    return EXIT_OK


def _list_caps(fmt: str | None) -> int:
    from capsdb.names import CAPABILITIES

    if fmt == "json":
        _print_json({"schema_version": JSON_SCHEMA_VERSION, "capabilities": [
            {"name": c.name, "retired": c.retired, "effect": c.effect} for c in CAPABILITIES]})
        return EXIT_OK
    width = max(len(c.name) for c in CAPABILITIES)
    for c in CAPABILITIES:
        status = "retired" if c.retired else "active"
        effect = c.effect or ("no effect" if c.retired else "not modelled by xml2argv")
        print(f"{c.name:<{width}}  {status:<7}  {effect}")
    return EXIT_OK


def _print_json(doc: Any) -> None:
    import json

    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


# --- diagnostics ---------------------------------------------------------------------------

_UNSAFE = None  # compiled on first use: most calls print no diagnostic


def printable(text: str) -> str:
    """User text made safe for one terminal line: control characters, line separators
    and bidirectional overrides are shown escaped (\\n, \\r, \\x1b, \\u202e) instead of
    moving the cursor, forging lines or reordering what follows."""
    global _UNSAFE
    if _UNSAFE is None:
        import re

        _UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                             "\u2066-\u2069]")
    return _UNSAFE.sub(_escape_char, text)


def _escape_char(m: Any) -> str:
    c = m.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if c in named:
        return named[c]
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def _diag(kind: str, message: str, where: str | None = None) -> None:
    prefix = f"{printable(where)}: " if where else ""
    print(f"{prefix}{kind}: {printable(message)}", file=sys.stderr)


def _warning_text(w: "EffectWarning") -> str:
    return str(w)


# --- reading input -------------------------------------------------------------------------

def _read_input(path: str) -> bytes:
    """At most the size limit plus one byte, so that an endless or huge input costs no
    more than that (the translator refuses what is over the limit)."""
    if path == "-":
        return sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    with open(path, "rb") as f:  # not pathlib: its import alone costs ~5 ms per call
        return f.read(MAX_INPUT_BYTES + 1)


def _expand(paths: Sequence[str]) -> Iterator[str]:
    """Files as given; directories as every *.xml below them, in sorted order."""
    for p in paths:
        if not _is_dir(p):
            yield p
            continue
        found: list[str] = []
        for top, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(os.path.join(top, f) for f in files if f.endswith(".xml"))
        yield from sorted(found)


# --- translating ---------------------------------------------------------------------------

@dataclass
class Outcome:
    """One domain's result: its output, or libvirt's refusal, or a bug."""
    path: str
    status: str  # "ok", "refused", "unreadable", "internal-error"
    output: str = ""
    error: str | None = None
    warnings: "list[EffectWarning]" = field(default_factory=list)
    invocation: "Invocation | None" = None


@dataclass
class Settings:
    caps: "Caps"
    other_caps: "Caps | None"
    args: argparse.Namespace

    @property
    def fmt(self) -> str:
        return self.args.format or "args"


def _load_caps(args: argparse.Namespace) -> "tuple[Caps, Caps | None]":
    import capsdb

    arch = args.arch or "x86_64"
    caps = capsdb.load(args.caps) if args.caps and args.caps != "auto" \
        else capsdb.get(args.qemu, arch)
    other = capsdb.get(args.against_qemu, arch) if args.against_qemu else None
    return caps, other


def _caps_for(data: bytes, s: Settings) -> "Caps":
    """The capabilities for one domain: `--caps auto` and a domain's own arch (without
    --arch or --caps) are per domain (translator/hostcaps.py); otherwise the loaded ones."""
    a = s.args
    if a.caps == "auto" or (not a.caps and not a.arch):
        from .hostcaps import select_caps

        return select_caps(a.caps, a.qemu, a.arch, data)
    return s.caps


def _translate_one(path: str, s: Settings) -> Outcome:
    from .errors import InternalError, TranslationError

    try:
        data = _read_input(path)
    except OSError as exc:
        return Outcome(path, "unreadable", error=f"cannot read {path}: {exc.strerror}")
    a = s.args
    from .hostcaps import HostCapsError

    from capsdb import USAGE_ERRORS

    try:
        caps = _caps_for(data, s)
    except (HostCapsError,) + USAGE_ERRORS as exc:  # a usage problem
        return Outcome(path, "unreadable", error=str(exc))
    try:
        if a.suggest_override:
            from .overrides import render_suggestions

            return Outcome(path, "ok", render_suggestions(data))
        if a.diff:
            from .diff import diff_command

            return Outcome(path, "ok", diff_command(
                data, caps, profile=a.profile, caps_add=a.add_cap, caps_del=a.del_cap,
                against_caps=s.other_caps, fmt=s.fmt))
        from .translate import translate

        inv = translate(data, caps, profile=a.profile, caps_add=a.add_cap,
                        caps_del=a.del_cap, abi_update=a.abi_update, host_cpu=a.host_cpu,
                        incoming=a.incoming, incoming_fd=a.incoming_fd,
                        vdpa_fds=dict(a.vdpa_fd))
        warnings = [] if a.no_warnings else inv.warnings  # analysed only when shown
        return Outcome(path, "ok", "" if a.check else _render(inv, s), warnings=warnings,
                       invocation=inv)
    except TranslationError as exc:
        return Outcome(path, "refused", error=str(exc))
    except InternalError as exc:
        return Outcome(path, "internal-error", error=_one_line(exc))
    except MemoryError:
        return Outcome(path, "internal-error", error="out of memory")


def _vdpa_fd(value: str) -> tuple[str, int]:
    """One --vdpa-fd DEVICE=FD argument."""
    dev, sep, fd = value.rpartition("=")
    if not sep or not dev or not fd.isdigit():
        raise argparse.ArgumentTypeError(f"wants DEVICE=FD, not '{value}'")
    return dev, int(fd)


def _one_line(exc: BaseException) -> str:
    from .errors import InternalError

    detail = exc.args[0] if isinstance(exc, InternalError) and exc.args else \
        f"{type(exc).__name__}: {exc}"
    return " ".join(str(detail).split())


def _render(inv: "Invocation", s: Settings) -> str:
    a = s.args
    if a.aliases:
        from .explain import render_aliases

        if s.fmt == "json":
            from .explain import aliases_json

            return aliases_json(inv)
        return render_aliases(inv)
    if s.fmt == "html":
        from .html import render_html

        return render_html(inv, [_warning_text(w) for w in inv.warnings])
    if a.explain:
        from .explain import render_explain

        return render_explain(inv, fmt=s.fmt, warnings=[_warning_text(w) for w in inv.warnings])
    return inv.render(s.fmt)


# --- the check verdict ---------------------------------------------------------------------

def failing(warnings: "Sequence[EffectWarning]", fail_on: str) -> "list[EffectWarning]":
    """The findings that make `--check` fail under `--fail-on`."""
    if fail_on == "never":
        return []
    if fail_on in SEVERITIES:
        floor = SEVERITIES.index(fail_on)
        return [w for w in warnings if SEVERITIES.index(w.severity) >= floor]
    codes = set(fail_on.split(","))
    return [w for w in warnings if w.code in codes]


def _exit_status(outcomes: Sequence[Outcome], fail_on: str | None) -> int:
    statuses = {o.status for o in outcomes}
    if "internal-error" in statuses:
        return EXIT_INTERNAL
    if "refused" in statuses:
        return EXIT_REFUSED
    if "unreadable" in statuses:
        return EXIT_USAGE
    if fail_on is not None and any(failing(o.warnings, fail_on) for o in outcomes):
        return EXIT_WARNINGS
    return EXIT_OK


# --- entry points --------------------------------------------------------------------------

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
        print(f"internal error (a bug in xml2argv): {printable(_one_line(exc))}",
              file=sys.stderr)
        return EXIT_INTERNAL


def _run(argv: Sequence[str] | None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    _check_usage(ap, args)
    if args.list_qemu:
        return _list_qemu(args.arch, args.format)
    if args.list_caps:
        return _list_caps(args.format)
    if args.from_virt_install is not None:
        from .errors import TranslationError
        from .virt_install import render_qemu_commandline

        try:
            sys.stdout.write(render_qemu_commandline(args.from_virt_install))
        except TranslationError as exc:
            _diag("error", str(exc))
            return EXIT_USAGE
        return EXIT_OK
    from capsdb import USAGE_ERRORS

    try:
        caps, other = _load_caps(args)
    except USAGE_ERRORS as exc:
        _diag("error", str(exc))
        return EXIT_USAGE
    settings = Settings(caps, other, args)
    paths = list(_expand(args.domain))
    batch = len(paths) != 1 or _is_dir(args.domain[0]) or len(args.domain) > 1
    if args.check:
        return _run_check(paths, settings)
    if batch:
        return _run_batch(paths, settings)
    return _run_single(paths[0], settings)


def _run_single(path: str, s: Settings) -> int:
    o = _translate_one(path, s)
    if o.status == "unreadable":
        _diag("error", o.error or "")
        return EXIT_USAGE
    if o.status == "internal-error":
        print(f"internal error (a bug in xml2argv): {printable(o.error or '')}", file=sys.stderr)
        return EXIT_INTERNAL
    if o.status == "refused":
        _diag("error", o.error or "")
        hint = _refusal_hint(o.error or "")
        if hint:
            _diag("hint", hint)
        return EXIT_REFUSED
    sys.stdout.write(o.output)
    a = s.args
    if not a.no_warnings and not a.explain and s.fmt not in ("html", "json") \
            and not a.diff and not a.suggest_override:
        for w in o.warnings:
            _diag("warning", _warning_text(w))
    return EXIT_OK


def _refusal_hint(error: str) -> str | None:
    """Help beyond libvirt's own words (printed after them, on a line of its own)."""
    prefix = "invalid qemu namespace capability '"
    at = error.find(prefix)  # after libvirt's internal-error prefix (none for --add-cap)
    if at >= 0 and error.endswith("'"):
        from capsdb.names import CAPABILITIES

        name = error[at + len(prefix):-1]
        close = _did_you_mean(name, [c.name for c in CAPABILITIES])
        return f"'{name}' is not a capability name{close}; see --list-caps" if close else None
    return None


class _Progress:
    """A one-line progress indicator on stderr, only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.on = total > 1 and sys.stderr.isatty()
        self.shown = False

    def step(self, n: int, path: str) -> None:
        if self.on:
            width = 24
            done = width * n // self.total
            sys.stderr.write(f"\r\x1b[K[{'#' * done}{'.' * (width - done)}] {n}/{self.total} "
                             f"{printable(path)[-40:]}")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False


def _each(paths: Sequence[str], s: Settings) -> Iterator[Outcome]:
    progress = _Progress(len(paths))
    for n, path in enumerate(paths):
        progress.step(n, path)
        o = _translate_one(path, s)
        progress.clear()
        yield o


def _run_check(paths: Sequence[str], s: Settings) -> int:
    fail_on = s.args.fail_on
    outcomes = []
    for o in _each(paths, s):
        outcomes.append(o)
        if s.fmt != "json":
            _print_check_lines(o, fail_on)
    if s.fmt == "json":
        _print_json(_report(outcomes, fail_on))
    elif len(outcomes) > 1:
        print(_summary(outcomes, fail_on))
    return _exit_status(outcomes, fail_on)


def _print_check_lines(o: Outcome, fail_on: str) -> None:
    where = printable(o.path)
    if o.status != "ok":
        kind = "internal error (a bug in xml2argv)" if o.status == "internal-error" else "error"
        print(f"{where}: {kind}: {printable(o.error or '')}")
        return
    for w in o.warnings:
        line = f":{w.line}" if w.line else ""
        print(f"{where}{line}: {w.severity}: {printable(w.message)} [{w.code}]")
    bad = failing(o.warnings, fail_on)
    verdict = "ok" if not o.warnings else \
        f"{len(o.warnings)} finding{'s' if len(o.warnings) != 1 else ''}" \
        f"{f', {len(bad)} failing' if bad else ''}"
    print(f"{where}: {verdict}")


def _summary(outcomes: Sequence[Outcome], fail_on: str | None) -> str:
    n = len(outcomes)
    refused = sum(o.status == "refused" for o in outcomes)
    broken = sum(o.status in ("internal-error", "unreadable") for o in outcomes)
    flagged = sum(bool(o.status == "ok" and (failing(o.warnings, fail_on) if fail_on
                                              else o.warnings)) for o in outcomes)
    clean = n - refused - broken - flagged
    parts = [f"{clean} ok", f"{flagged} with {'failing findings' if fail_on else 'warnings'}",
             f"{refused} refused"]
    if broken:
        parts.append(f"{broken} not translated (unreadable or internal error)")
    return f"{n} domain{'s' if n != 1 else ''}: " + ", ".join(parts)


def _report(outcomes: Sequence[Outcome], fail_on: str | None,
            with_results: bool = False) -> dict[str, Any]:
    """The JSON document of --check or of a batch (`with_results`: each translation)."""
    files = []
    for o in outcomes:
        entry: dict[str, Any] = {"path": o.path, "status": o.status}
        if o.error is not None:
            entry["error"] = o.error
        entry["warnings"] = [w.as_dict() for w in o.warnings]
        if fail_on is not None:
            entry["failing"] = len(failing(o.warnings, fail_on))
        if with_results and o.invocation is not None:
            from .render import json_document

            entry["result"] = json_document(o.invocation)
        files.append(entry)
    return {"schema_version": JSON_SCHEMA_VERSION, "xml2argv": __version__,
            "fail_on": fail_on, "files": files,
            "exit_status": _exit_status(outcomes, fail_on)}


def _run_batch(paths: Sequence[str], s: Settings) -> int:
    """Several domains: each output under a `==> PATH <==` header (or one JSON document),
    diagnostics prefixed with the path, and a summary line on stderr."""
    outcomes = []
    for o in _each(paths, s):
        outcomes.append(o)
        if s.fmt == "json":
            continue
        if o.status == "ok":
            sys.stdout.write(f"==> {printable(o.path)} <==\n{o.output}\n")
            if not s.args.no_warnings:
                for w in o.warnings:
                    _diag(w.severity, f"{w.message} [{w.code}]",
                          f"{o.path}:{w.line}" if w.line else o.path)
        else:
            _diag("internal error (a bug in xml2argv)" if o.status == "internal-error"
                  else "error", o.error or "", o.path)
    if s.fmt == "json":
        _print_json(_report(outcomes, None, with_results=True))
    print(_summary(outcomes, None), file=sys.stderr)
    return _exit_status(outcomes, None)


if __name__ == "__main__":
    raise SystemExit(main())
