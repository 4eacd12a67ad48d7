"""IOThread objects (-object iothread), right after -smp as libvirt places them.

Branches (qemuBuildIOThreadCommandLine):
- [x] -object iothread per id, with poll-max-ns/grow/shrink, thread pool min/max;
      main-loop thread pool (-object main-loop)
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Elem
from ..props import Props


def iothread_ids(ctx: BuildContext) -> list[tuple[int, Elem | None]]:
    """Listed <iothread id=...> first, then the lowest free ids up to <iothreads> count."""
    d = ctx.domain
    listed = [(int(e.get("id", "0")), e) for e in
              (d.iothreadids.findall("iothread") if d.iothreadids is not None else [])]
    out: list[tuple[int, Elem | None]] = list(listed)
    used = {i for i, _ in listed}
    n = 1
    while len(out) < d.iothreads:
        if n not in used:
            out.append((n, None))
            used.add(n)
        n += 1
    return out


def _int_attr(e: Elem | None, name: str) -> int | None:
    if e is None or e.get(name) is None:
        return None
    return int(e.get(name) or "0")


def build_iothreads(ctx: BuildContext) -> None:
    for tid, e in iothread_ids(ctx):
        p = Props(("qom-type", "iothread"), ("id", f"iothread{tid}"))
        p.add("thread-pool-min", _int_attr(e, "thread_pool_min"))
        p.add("thread-pool-max", _int_attr(e, "thread_pool_max"))
        poll = e.find("poll") if e is not None else None
        p.add("poll-max-ns", _int_attr(poll, "max"))
        p.add("poll-grow", _int_attr(poll, "grow"))
        p.add("poll-shrink", _int_attr(poll, "shrink"))
        count = ctx.domain.root.find("iothreads") if ctx.domain.root is not None else None
        src = xml_source(e if e is not None else count, "/domain/iothreads")
        ctx.cmd.add_json("-object", p, src)
    _build_main_loop(ctx)


def _build_main_loop(ctx: BuildContext) -> None:
    """<defaultiothread> sizes the worker pool of QEMU's main loop (-object main-loop)."""
    e = ctx.domain.root.find("defaultiothread") if ctx.domain.root is not None else None
    lo, hi = _int_attr(e, "thread_pool_min"), _int_attr(e, "thread_pool_max")
    if e is None or (lo is None and hi is None):
        return
    p = Props(("qom-type", "main-loop"), ("id", "main-loop"),
              ("thread-pool-min", lo), ("thread-pool-max", hi))
    ctx.cmd.add_json("-object", p, xml_source(e))
