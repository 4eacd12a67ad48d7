"""<launchSecurity>: the confidential-guest object the -machine property points to.

-machine names it `confidential-guest-support=lsec0` early; the object itself is created
late in the command line, after the devices.

Branches (qemuBuildSecCommandLine):
- [x] sev-guest (cbitpos, reduced-phys-bits, policy, dh-cert, session, kernel hashes),
      sev-snp-guest (policy, guest-visible workarounds, id block/auth, host data),
      s390-pv-guest
"""

from __future__ import annotations

from ..cmdline import xml_source
from ..context import BuildContext
from ..model import Elem
from ..props import Props

LSEC_ID = "lsec0"


def _int(e: Elem, tag: str, base: int = 10) -> int | None:
    """A number validate/ checked (libvirt reads the policy in hex, the rest in decimal)."""
    text = e.findtext(tag)
    if text is None or not text.strip():
        return None
    return int(text.strip(), base)


def _yes_no(e: Elem, attr: str) -> bool | None:
    v = e.get(attr)
    return None if v is None else v == "yes"


def _platform(ctx: BuildContext, ls: Elem) -> tuple[int | None, int | None]:
    """cbitpos and reduced-phys-bits: as written, else the host's SEV facts (QEMU needs
    both, so libvirt fills them in from the capabilities)."""
    cbitpos = _int(ls, "cbitpos")
    reduced = _int(ls, "reducedPhysBits")
    return (ctx.caps.sev_cbitpos if cbitpos is None else cbitpos,
            ctx.caps.sev_reduced_phys_bits if reduced is None else reduced)


def _sev_props(ctx: BuildContext, ls: Elem) -> Props:
    cbitpos, reduced = _platform(ctx, ls)
    p = Props(("qom-type", "sev-guest"), ("id", LSEC_ID), ("cbitpos", cbitpos),
              ("reduced-phys-bits", reduced), ("policy", _int(ls, "policy", 16)))
    # libvirt writes the base64 blobs into files in the domain's private directory
    if ls.findtext("dhCert"):
        p.add("dh-cert-file", f"{ctx.domain_dir}/dh_cert.base64")
    if ls.findtext("session"):
        p.add("session-file", f"{ctx.domain_dir}/session.base64")
    p.add("kernel-hashes", _yes_no(ls, "kernelHashes"))
    return p


def _sev_snp_props(ctx: BuildContext, ls: Elem) -> Props:
    cbitpos, reduced = _platform(ctx, ls)
    p = Props(("qom-type", "sev-snp-guest"), ("id", LSEC_ID), ("cbitpos", cbitpos),
              ("reduced-phys-bits", reduced), ("policy", _int(ls, "policy", 16)))
    for tag, key in (("guestVisibleWorkarounds", "guest-visible-workarounds"),
                     ("idBlock", "id-block"), ("idAuth", "id-auth"), ("hostData", "host-data")):
        p.str(key, ls.findtext(tag))
    p.bool_true("author-key-enabled", _yes_no(ls, "authorKey"))
    vcek = _yes_no(ls, "vcek")
    p.bool_true("vcek-disabled", vcek is False)
    p.add("kernel-hashes", _yes_no(ls, "kernelHashes"))
    return p


def build_launch_security(ctx: BuildContext) -> None:
    ls = ctx.domain.launch_security
    if ls is None:
        return
    kind = ls.get("type")
    if kind == "sev":
        props = _sev_props(ctx, ls)
    elif kind == "sev-snp":
        props = _sev_snp_props(ctx, ls)
    elif kind == "s390-pv":  # IBM Secure Execution: an object without parameters
        props = Props(("qom-type", "s390-pv-guest"), ("id", LSEC_ID))
    else:
        return
    ctx.cmd.add_json("-object", props, xml_source(ls))
