"""Capability names used by the code are names libvirt knows (capsdb/names.py), and the
typed constants of capsdb/flags.py are up to date with that table."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from capsdb import flags
from capsdb.names import CAPABILITIES, is_known

ROOT = Path(__file__).resolve().parents[1]


def _literal_capability_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal given to a `.has(...)` call (ctx.has, caps.has, ...)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else \
            func.id if isinstance(func, ast.Name) else None
        arg = node.args[0]
        if name == "has" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            found.append((node.lineno, arg.value))
    return found


def test_every_capability_checked_in_the_code_exists() -> None:
    unknown = []
    for path in sorted((ROOT / "translator").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for line, name in _literal_capability_uses(tree):
            if not is_known(name):
                unknown.append(f"{path.relative_to(ROOT)}:{line}: {name!r}")
    assert unknown == []


def test_the_scan_finds_a_misspelt_name() -> None:
    tree = ast.parse("def f(ctx):\n    return ctx.has('cpu-migratable')\n")
    assert [n for _, n in _literal_capability_uses(tree) if not is_known(n)] == \
        ["cpu-migratable"]


def test_flags_module_is_current() -> None:
    spec = importlib.util.spec_from_file_location(
        "gen_capability_flags", ROOT / "tools" / "gen_capability_flags.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (ROOT / "capsdb" / "flags.py").read_text() == gen.render()


def test_flags_constants_name_every_capability() -> None:
    values = {v for k, v in vars(flags).items() if k.isupper()}
    assert values == {c.name for c in CAPABILITIES}
    assert flags.BLOCKDEV == "blockdev" and flags.DEVICE_VGA == "VGA"
    assert flags.CPU_MIGRATABLE == "cpu.migratable"
