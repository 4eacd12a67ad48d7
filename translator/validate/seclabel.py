"""libvirt's parser rules for <seclabel> (virSecurityLabelDefsParseXML and
virSecurityDeviceLabelDefParseXML): one label per security model, a model on each label
when there are several, and a device label that relabels names its label."""

from __future__ import annotations

from ..context import BuildContext
from ..errors import ErrorCode, refuse
from ..model import Elem


def _check_label_set(labels: list[Elem], device: bool) -> None:
    seen: set[str] = set()
    for lab in labels:
        model = lab.get("model")
        if model is not None:
            if model in seen:
                refuse(ErrorCode.XML_DETAIL, f"seclabel for model {model} is already provided")
            seen.add(model)
        if device and lab.get("relabel") == "no" and lab.findtext("label"):
            refuse(ErrorCode.XML_ERROR, "Cannot specify a label if relabelling is turned "
                   f"off. model={model or '<null>'}")
        if device and lab.get("relabel") == "yes" and lab.find("label") is None:
            refuse(ErrorCode.XML_ERROR,
                   f"Cannot specify relabel if label is missing. model={model or ''}")
    if len(labels) > 1 and any(lab.get("model") is None for lab in labels):
        refuse(ErrorCode.XML_ERROR, "missing security model when using multiple labels")


def check_seclabels(ctx: BuildContext) -> None:
    """The domain's labels, then each device's (on the device or on its <source>)."""
    _check_label_set(list(ctx.domain.seclabels), device=False)
    for dev in ctx.domain.devices.items:
        elem = getattr(dev, "elem", None)
        if elem is None:
            continue
        for holder in (elem, elem.find("source")):
            if holder is not None and holder.findall("seclabel"):
                _check_label_set(holder.findall("seclabel"), device=True)
