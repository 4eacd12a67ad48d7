"""Renderers for an `Invocation`: libvirt's `.args` layout, a shell line, JSON, argv."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .quoting import SHELL_SPECIAL, shell_escape, shell_escape_command

if TYPE_CHECKING:
    from .cmdline import Source
    from .invocation import Invocation

FORMATS = ("args", "shell", "json", "argv")
# the version of every JSON document xml2argv prints: 2 added schema_version, qemu, profile
# and warnings (objects with code, severity, line and message) to the translation
JSON_SCHEMA_VERSION = 2


def _env_word(name: str, value: str | None) -> str:
    return f"{name}={shell_escape(value or '')}"


def render_args(inv: "Invocation") -> str:
    """One env var per line, then the binary, then one option group per line.

    Like libvirt's test output, a new line starts at every argument beginning with '-';
    each line but the last ends with ' \\'.
    """
    lines: list[str] = [_env_word(n, v) for n, v in inv.env]
    bare = SHELL_SPECIAL.isdisjoint  # most words need no quoting: test them inline
    words = [shell_escape(inv.binary)]
    for arg in inv.args:
        word = arg if arg and bare(arg) else shell_escape(arg)
        if arg.startswith("-"):
            lines.append(" ".join(words))
            words = [word]
        else:
            words.append(word)
    lines.append(" ".join(words))
    return " \\\n".join(lines) + "\n"


def render_shell(inv: "Invocation") -> str:
    words = [_env_word(n, v) for n, v in inv.env]
    words.append(shell_escape_command(inv.binary))
    words.extend(shell_escape(a) for a in inv.args)
    return " ".join(words) + "\n"


def render_json(inv: "Invocation") -> str:
    return json.dumps(json_document(inv), indent=2, ensure_ascii=False) + "\n"


def json_document(inv: "Invocation") -> dict[str, object]:
    """The JSON form of a translation (also one entry of a batch's document)."""
    def _src(s: "Source") -> dict[str, object]:
        return {"kind": s.kind, "detail": s.detail, "line": s.line}

    doc: dict[str, object] = {
        "schema_version": JSON_SCHEMA_VERSION,
        "qemu": ({"version": inv.caps.version_string, "arch": inv.caps.arch}
                 if inv.caps is not None else None),
        "profile": inv.profile,
        "env": ([{"name": e.name, "value": e.value or "", "source": _src(e.source)}
                 for e in inv.env_vars] if inv.env_vars is not None
                else [{"name": n, "value": v or ""} for n, v in inv.env]),
        "binary": inv.binary,
        "args": list(inv.args),
    }
    if inv.items is not None:
        doc["items"] = [
            {"tokens": list(it.tokens), "source": {"kind": it.source.kind,
                                                   "detail": it.source.detail,
                                                   "line": it.source.line}}
            for it in inv.items
        ]
    doc["warnings"] = [w.as_dict() for w in inv.warnings]
    return doc


def render_argv(inv: "Invocation") -> str:
    """One argv element per line (env first as NAME=VALUE); newlines inside values are
    escaped as \\n so that the output stays one element per line."""
    out = [f"{n}={v or ''}" for n, v in inv.env] + [inv.binary] + list(inv.args)
    return "".join(w.replace("\\", "\\\\").replace("\n", "\\n").replace("\0", "") + "\n"
                   for w in out)


RENDERERS = {"args": render_args, "shell": render_shell, "json": render_json,
             "argv": render_argv}
