"""libvirt's shell escaping (virBufferEscapeShell), reimplemented.

A value is left bare unless it contains one of the shell metacharacters below; then it
is wrapped in single quotes with each embedded quote written as '\\''. An empty value
is written ''. This differs from `shlex.quote`, which also quotes e.g. '=' and ','.
"""

from __future__ import annotations

SHELL_SPECIAL = frozenset("\r\t\n !\"#$&'()*;<>?[\\]^`{|}~")


def needs_quoting(value: str) -> bool:
    # isdisjoint scans in C: this runs for every token of every rendering
    return value == "" or not SHELL_SPECIAL.isdisjoint(value)


def shell_escape(value: str) -> str:
    if not needs_quoting(value):
        return value
    return _quote(value)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


# words a shell reads as syntax when they stand where a command name goes
RESERVED_WORDS = frozenset({"!", "{", "}", "[[", "]]", "case", "coproc", "do", "done", "elif",
                            "else", "esac", "fi", "for", "function", "if", "in", "select",
                            "then", "time", "until", "while"})


def shell_escape_command(value: str) -> str:
    """The command word of a shell line: quoted also where libvirt's rule leaves it bare
    but a shell would misread it there: 'a=b' is an assignment and 'if' a reserved word,
    not the program to run. (Only for lines meant to be pasted into a shell; libvirt's own
    `.args` layout keeps its rule.)"""
    if "=" in value or value in RESERVED_WORDS or value.startswith("%"):
        return _quote(value)
    return shell_escape(value)


def shell_unescape(text: str) -> str:
    """Inverse of `shell_escape` for one token (used by tests and the diff tool)."""
    if not (text.startswith("'") and text.endswith("'") and len(text) >= 2):
        return text
    out: list[str] = []
    i, n = 1, len(text) - 1
    while i < n:
        if text.startswith("'\\''", i):
            out.append("'")
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
