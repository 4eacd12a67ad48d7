"""`--from-virt-install`: the XML virt-install's `--qemu-commandline STRING` writes.

virt-install reads the string in one of four ways, chosen by its prefix: `env=NAME=VALUE`
adds one `<qemu:env>` (split at the first '=' after the prefix), `args=...` and any string
without a known prefix are split like a POSIX shell would (quotes group, backslashes
escape) into one `<qemu:arg>` per word, and `clearxml=yes` first drops the
`<qemu:commandline>` already in the domain. Commas are not separators here, so
`-display gtk,gl=on` stays one argument after `-display`.
"""

from __future__ import annotations

import shlex
from dataclasses import field

from capsdb.records import dataclass
from .errors import ErrorCode, TranslationError
from .model.qemu_ns import QEMU_NS

_TRUE = ("yes", "on", "true", "1", "y")
_FALSE = ("no", "off", "false", "0", "n")


@dataclass
class QemuCommandline:
    """What one --qemu-commandline option contributes."""
    args: list[str] = field(default_factory=list)
    env: list[tuple[str, str]] = field(default_factory=list)
    clear: bool = False


def parse_qemu_commandline(value: str) -> QemuCommandline:
    """virt-install's reading of one --qemu-commandline value."""
    out = QemuCommandline()
    if value.startswith("env="):
        name, eq, env_value = value[len("env="):].partition("=")
        if not eq:
            raise TranslationError(ErrorCode.OTHER, f"--qemu-commandline '{value}': env= needs NAME=VALUE")
        out.env.append((name, env_value))
    elif value.startswith("clearxml="):
        flag = value[len("clearxml="):].lower()
        if flag not in _TRUE + _FALSE:
            raise TranslationError(ErrorCode.OTHER, f"--qemu-commandline '{value}': clearxml takes yes or no")
        out.clear = flag in _TRUE
    else:
        text = value[len("args="):] if value.startswith("args=") else value
        try:
            out.args = shlex.split(text)
        except ValueError as exc:
            raise TranslationError(ErrorCode.OTHER, f"--qemu-commandline '{value}': {exc}") from None
    return out


def _attr(value: str) -> str:
    """virt-install writes through libxml2: double-quoted attributes."""
    return '"' + (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                  .replace('"', "&quot;").replace("\n", "&#10;")) + '"'


def render_qemu_commandline(value: str) -> str:
    """The <qemu:commandline> fragment for `virt-install --qemu-commandline VALUE`."""
    parsed = parse_qemu_commandline(value)
    out = [f"<!-- virt-install --qemu-commandline {shlex.quote(value)} -->",
           f"<!-- the <domain> element gets xmlns:qemu=\"{QEMU_NS}\" -->"]
    if parsed.clear:
        out.append("<!-- clearxml=yes: every <qemu:arg> and <qemu:env> already in "
                   "<qemu:commandline> is removed first -->")
    if not parsed.args and not parsed.env:
        if not parsed.clear:
            out.append("<!-- nothing to add -->")
        return "\n".join(out) + "\n"
    # virt-install orders the children: all <qemu:arg> first, then all <qemu:env>
    out.append("<qemu:commandline>")
    out += [f"  <qemu:arg value={_attr(a)}/>" for a in parsed.args]
    out += [f"  <qemu:env name={_attr(n)} value={_attr(v)}/>" for n, v in parsed.env]
    out.append("</qemu:commandline>")
    if parsed.args:
        out.append(f"<!-- QEMU gets {len(parsed.args)} more argument"
                   f"{'' if len(parsed.args) == 1 else 's'}: "
                   + " ".join(shlex.quote(a) for a in parsed.args).replace("--", "- -")
                   + " -->")
    return "\n".join(out) + "\n"
