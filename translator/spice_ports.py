"""Which ports an autoport SPICE display needs (qemuProcessSPICEAllocatePorts), shared by
the SPICE builder (which fills them in) and validation (which refuses a TLS port that
qemu.conf does not allow)."""

from __future__ import annotations

from .model import Elem
from .profiles import QemuConf


def spice_autoport_needs(e: Elem, conf: QemuConf) -> tuple[bool, bool]:
    """(plain port, TLS port) an autoport SPICE display needs: from the channel modes,
    the default mode and, for mode 'any', qemu.conf's spice_tls."""
    if e.get("autoport") != "yes":
        return False, False
    modes = [ch.get("mode") for ch in e.findall("channel")]
    default = e.get("defaultMode") or "any"
    tls_on = conf.spice_tls_for(_int(e.get("tlsPort")))
    need_tls = "secure" in modes or default == "secure" or (default == "any" and tls_on)
    need_plain = "insecure" in modes or default in ("insecure", "any")
    return need_plain, need_tls


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
