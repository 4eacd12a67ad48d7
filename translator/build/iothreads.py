"""IOThread objects (-object iothread), right after -smp as libvirt places them."""

from __future__ import annotations

from ..cmdline import default_source, xml_source
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
        src = xml_source(e) if e is not None else default_source("<iothreads> count")
        ctx.cmd.add_json("-object", p, src)
