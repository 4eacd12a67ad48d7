"""Domain-wide settings outside <devices>: boot order default, firmware, security labels."""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, TranslationError
from ..model import Elem
from .firmware import check_firmware_config


def prepare_machine(ctx: BuildContext) -> None:
    _default_boot_order(ctx)
    _check_seclabels(ctx)
    check_firmware_config(ctx)


def _default_boot_order(ctx: BuildContext) -> None:
    """An HVM domain with neither <boot dev> nor per-device <boot order> boots from disk."""
    os_ = ctx.domain.os
    if os_.boot_devs or os_.type != "hvm":
        return
    if any(getattr(d.info, "boot_order", None) for d in ctx.domain.devices.items):
        return
    os_.boot_devs = ("hd",)


def _check_label_set(labels: list[Elem], device: bool) -> None:
    seen: set[str] = set()
    for lab in labels:
        model = lab.get("model")
        if model is not None:
            if model in seen:
                raise TranslationError(f"seclabel for model {model} is already provided")
            seen.add(model)
        if device and lab.get("relabel") == "yes" and lab.find("label") is None:
            raise TranslationError(ErrorCode.XML_ERROR, "Cannot specify relabel if label is missing. "
                                   f"model={model or ''}")
    if len(labels) > 1 and any(lab.get("model") is None for lab in labels):
        raise TranslationError(ErrorCode.XML_ERROR, "missing security model when using multiple labels")


def _check_seclabels(ctx: BuildContext) -> None:
    """libvirt's parser rules for <seclabel>: one per model, a model on each when several."""
    _check_label_set(list(ctx.domain.seclabels), device=False)
    for dev in ctx.domain.devices.items:
        elem = getattr(dev, "elem", None)
        if elem is None:
            continue
        for holder in (elem, elem.find("source")):
            if holder is not None and holder.findall("seclabel"):
                _check_label_set(holder.findall("seclabel"), device=True)
