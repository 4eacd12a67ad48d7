"""Effect analysis: what QEMU and libvirt will really make of the qemu: namespace.

`analyse(inv)` reads a finished translation (its items with provenance, its environment,
the prepared domain, the effective capabilities and the input document) and returns
warnings for what users get wrong in practice: a <qemu:arg> option that silently
replaces or merges with one libvirt generated, an option the chosen QEMU does not have,
duplicate ids, `-set` aimed at a JSON device, an override alias that matches nothing, a
<qemu:env> shadowing libvirt's variable, the taint flags libvirt sets, packed tokens,
qemu: elements libvirt never reads, and what each capability toggle amounts to.

How QEMU treats a repeated option comes from the project's own table
(`translator.qemu_options`).
"""

from __future__ import annotations

import bisect
import json
from collections import deque
from dataclasses import field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from capsdb.records import dataclass
from .cmdline import Item
from .errors import InternalError
from .invocation import register_analyser
from .itemview import parse_value
from .qemu_options import REMOVED_VALUES, QemuOption, Version, format_version, lookup

if TYPE_CHECKING:
    from capsdb import Caps
    from lxml import etree

    from .invocation import Invocation
    from .model import QemuNamespace

__all__ = ["EffectWarning", "Warning", "analyse", "analyse_source", "paired_items", "TAINTS",
           "SEVERITIES"]

_NS_ARG = "qemu:commandline/qemu:arg"

# libvirt's taint flags for the qemu namespace, with libvirt's own description of each
TAINTS = {
    "custom-argv": "custom configuration parameters specified",
    "custom-hypervisor-feature": "hypervisor feature autodetection override",
    "custom-device": "custom device configuration",
}


# How bad each finding is: "error" when QEMU or libvirt will refuse or stop, "warning" when
# the domain starts but not the way it reads, "info" for what is only worth knowing.
SEVERITIES = ("info", "warning", "error")
_SEVERITY = {
    "error": ("unknown-option", "missing-argument", "option-removed", "option-too-new",
              "value-removed", "duplicate-id", "set-syntax", "set-no-target", "set-json",
              "accel-conflict", "packed-arg", "bare-argument", "cap-unknown", "override-type"),
    "info": ("taint", "cap-effective"),
}
SEVERITY_OF = {code: sev for sev, codes in _SEVERITY.items() for code in codes}


@dataclass(frozen=True)
class EffectWarning:
    """One finding: a stable code, a one-line message and the XML line it is about."""
    code: str
    message: str
    line: int | None = None

    @property
    def severity(self) -> str:
        """'error', 'warning' or 'info' (see SEVERITIES)."""
        return SEVERITY_OF.get(self.code, "warning")

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": self.severity, "line": self.line,
                "message": self.message}

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.message} [{self.code}]"


Warning = EffectWarning  # the name the CLI and the other views use


@dataclass
class Occurrence:
    """One option as QEMU will read it: libvirt's own, or rebuilt from <qemu:arg> tokens."""
    token: str
    opt: QemuOption | None
    value: str | None
    appended: bool
    line: int | None
    item: Item | None = None
    missing_value: bool = False
    props_cache: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def spelled(self) -> str:
        return self.token if self.value is None else f"{self.token} {self.value}"

    @property
    def is_json(self) -> bool:
        return bool(self.value and self.value.lstrip().startswith("{"))

    def props(self) -> dict[str, Any]:
        """The value as an ordered dict, with a bare leading word under the implied key."""
        if self.props_cache is None:
            self.props_cache = _props_of(self)
        return self.props_cache

    def ident(self) -> str | None:
        if self.opt is None or self.opt.id_key is None:
            return None
        v = self.props().get(self.opt.id_key)
        return v if isinstance(v, str) else None

    def who(self) -> str:
        return "<qemu:arg>" if self.appended else "libvirt's"


def _props_of(occ: Occurrence) -> dict[str, Any]:
    if occ.item is not None and occ.item.props is not None:
        return dict(occ.item.props.as_dict())
    if occ.value is None:
        return {}
    implied = occ.opt.implied_key if occ.opt else None
    parsed = parse_value(occ.token, occ.value)
    if parsed is None:
        return {implied or "": occ.value}
    out: dict[str, Any] = {}
    for k, v in parsed.items():
        out[implied if (k == "" and implied) else k] = v
    if implied and occ.value and "=" not in occ.value.split(",", 1)[0] and implied not in out:
        # a bare first word that parse_value kept as a flag (option not in its list)
        first = occ.value.split(",", 1)[0]
        out.pop(first, None)
        out = {implied: first, **out}
    return out


# --- turning items into occurrences -----------------------------------------------------

def _is_ns_arg(it: Item) -> bool:
    return it.source.kind == "qemu" and it.source.detail.startswith(_NS_ARG)


def occurrences(items: list[Item]) -> tuple[list[Occurrence], list[EffectWarning]]:
    """Every option QEMU will read, in order; <qemu:arg> tokens are grouped the way
    QEMU's own parser groups argv (an option that takes an argument eats the next one)."""
    out: list[Occurrence] = []
    warns: list[EffectWarning] = []
    i = 0
    while i < len(items):
        if _is_ns_arg(items[i]):
            j = i
            while j < len(items) and _is_ns_arg(items[j]):
                j += 1
            occ, w = _group_appended(items[i:j])
            out.extend(occ)
            warns.extend(w)
            i = j
            continue
        it = items[i]
        value = it.tokens[1] if len(it.tokens) > 1 else None
        out.append(Occurrence(it.tokens[0], lookup(it.tokens[0]), value, False,
                              it.source.line, it))
        i += 1
    return out, warns


def _group_appended(run: list[Item]) -> tuple[list[Occurrence], list[EffectWarning]]:
    out: list[Occurrence] = []
    warns: list[EffectWarning] = []
    k = 0
    while k < len(run):
        tok, line = run[k].tokens[0], run[k].source.line
        k += 1
        if tok.startswith("-") and len(tok.split()) > 1:
            warns.append(_packed_warning(tok, line))
            continue
        if not tok.startswith("-") or tok in ("-", "--"):
            warns.append(EffectWarning(
                "bare-argument", f"<qemu:arg value='{tok}'> is not an option and no option "
                "before it takes an argument: QEMU treats a bare argument as a disk image "
                f"(like -hda {tok})", line))
            continue
        opt = lookup(tok)
        takes_arg = opt.takes_arg if opt else _unknown_takes_arg(run, k)
        if not takes_arg:
            out.append(Occurrence(tok, opt, None, True, line))
            continue
        if k >= len(run):
            out.append(Occurrence(tok, opt, None, True, line, missing_value=True))
            continue
        out.append(Occurrence(tok, opt, run[k].tokens[0], True, line))
        k += 1
    return out, warns


def paired_items(items: list[Item]) -> list[Item]:
    """The items with each run of <qemu:arg> tokens grouped the way QEMU reads them: an
    option that takes an argument and its value become one item (at the option's source),
    as libvirt's own options are; for the views that list the command line (--diff, HTML)."""
    out: list[Item] = []
    k = 0
    while k < len(items):
        it = items[k]
        k += 1
        tok = it.tokens[0]
        if not _is_ns_arg(it) or len(it.tokens) != 1 or not tok.startswith("-") \
                or tok in ("-", "--") or len(tok.split()) > 1:
            out.append(it)
            continue
        opt = lookup(tok)
        run = items[k:k + 1]
        nxt = run[0] if run and _is_ns_arg(run[0]) and len(run[0].tokens) == 1 else None
        takes = opt.takes_arg if opt else (nxt is not None and not nxt.tokens[0].startswith("-"))
        if takes and nxt is not None:
            out.append(Item((tok, nxt.tokens[0]), it.source))
            k += 1
        else:
            out.append(it)
    return out


def _unknown_takes_arg(run: list[Item], k: int) -> bool:
    """For an option QEMU does not know, guess that a following non-option is its value."""
    return k < len(run) and not run[k].tokens[0].startswith("-")


def _packed_warning(tok: str, line: int | None) -> EffectWarning:
    words = tok.split()
    split = "".join(f"<qemu:arg value='{w}'/>" for w in words)
    return EffectWarning(
        "packed-arg", f"<qemu:arg value='{tok}'> packs {len(words)} tokens into one "
        f"argument: QEMU receives the single word '{tok}' and stops with 'invalid option'; "
        f"write one <qemu:arg> per token: {split}", line)


# --- options the chosen QEMU does not have ----------------------------------------------

def check_availability(occs: list[Occurrence], version: Version,
                       version_label: str) -> list[EffectWarning]:
    out: list[EffectWarning] = []
    for o in occs:
        if not o.appended:
            continue
        if o.opt is None:
            out.append(EffectWarning(
                "unknown-option", f"<qemu:arg> '{o.token}' is not a QEMU system-emulator "
                "option xml2argv knows: QEMU stops with 'invalid option'", o.line))
            continue
        if o.missing_value:
            out.append(EffectWarning(
                "missing-argument", f"<qemu:arg> '{o.token}' takes an argument but is the "
                "last one: QEMU stops with 'requires an argument'", o.line))
        out.extend(_version_warnings(o, o.opt, version, version_label))
        out.extend(_removed_values(o, version, version_label))
    return out


def _version_warnings(o: Occurrence, opt: QemuOption, version: Version,
                      label: str) -> list[EffectWarning]:
    instead = f"; use {opt.replacement} instead" if opt.replacement else ""
    if opt.removed is not None and version >= opt.removed:
        return [EffectWarning(
            "option-removed", f"<qemu:arg> '{o.token}' was removed in QEMU "
            f"{format_version(opt.removed)}: QEMU {label} stops with 'invalid option'{instead}",
            o.line)]
    if opt.introduced is not None and version < opt.introduced:
        return [EffectWarning(
            "option-too-new", f"<qemu:arg> '{o.token}' only exists since QEMU "
            f"{format_version(opt.introduced)}: QEMU {label} stops with 'invalid option'",
            o.line)]
    if opt.deprecated_in(version):
        assert opt.deprecated is not None and opt.removed is not None
        return [EffectWarning(
            "option-deprecated", f"<qemu:arg> '{o.token}' is deprecated since QEMU "
            f"{format_version(opt.deprecated)} and removed in "
            f"{format_version(opt.removed)}{instead}", o.line)]
    return []


_REMOVED_VALUE_OPTIONS = frozenset(rv.option for rv in REMOVED_VALUES)


def _removed_values(o: Occurrence, version: Version, label: str) -> list[EffectWarning]:
    if o.opt is None or o.value is None or o.opt.name not in _REMOVED_VALUE_OPTIONS:
        return []
    props = o.props()
    first = next(iter(props.values()), None) if props else None
    out: list[EffectWarning] = []
    for rv in REMOVED_VALUES:
        if rv.option != o.opt.name or version < rv.removed:
            continue
        hit = (first == rv.name or props.get("backend") == rv.name
               or props.get("type") == rv.name) if rv.kind == "backend" else rv.name in props
        if hit:
            out.append(EffectWarning(
                "value-removed", f"<qemu:arg> '{o.spelled}': {rv.kind} '{rv.name}' was "
                f"removed in QEMU {format_version(rv.removed)} (QEMU {label} refuses it); "
                f"use {rv.replacement}", o.line))
    return out


# --- appended options that replace or merge with libvirt's --------------------------------

def check_repeats(occs: list[Occurrence]) -> list[EffectWarning]:
    out: list[EffectWarning] = []
    by_name: dict[str, list[Occurrence]] = {}
    for o in occs:
        if o.opt is not None and not o.missing_value:
            by_name.setdefault(o.opt.name, []).append(o)
    for group in by_name.values():
        if len(group) < 2 or not any(o.appended for o in group):
            continue
        kind = group[0].opt.repeat if group[0].opt else ""
        if kind == "last":
            out.append(_last_wins(group))
        elif kind == "merge":
            out.extend(_merged(group))
        elif kind == "fallback":
            out.append(_fallback(group))
        elif kind == "keyed":
            out.extend(_keyed(group))
    out.extend(_accel_conflict(by_name))
    return out


def _last_wins(group: list[Occurrence]) -> EffectWarning:
    final = group[-1]
    lost = ", ".join(f"{o.who()} '{o.spelled}'" for o in group[:-1])
    return EffectWarning(
        "arg-override", f"{final.token} appears {len(group)} times and QEMU keeps only the "
        f"last one: it uses '{final.spelled}' ({final.who()}); {lost} is ignored", final.line)


def _merged(group: list[Occurrence]) -> list[EffectWarning]:
    merged: dict[str, Any] = {}
    for o in group:
        merged.update(o.props())
    out: list[EffectWarning] = []
    for n, o in enumerate(group):
        if not o.appended:
            continue
        earlier: dict[str, Any] = {}
        for prev in group[:n]:
            earlier.update(prev.props())
        changed = [k for k, v in o.props().items() if k in earlier and earlier[k] != v]
        added = [k for k in o.props() if k not in earlier]
        parts = [f"{k}={_show(o.props()[k])} replaces {k}={_show(earlier[k])}" for k in changed]
        parts += [f"adds {k}={_show(o.props()[k])}" for k in added]
        what = "; ".join(parts) if parts else "changes nothing"
        out.append(EffectWarning(
            "arg-override", f"<qemu:arg> '{o.spelled}' is merged key by key into the "
            f"earlier {o.token}: {what}; QEMU ends up with {o.token} {_keyval(merged)}",
            o.line))
    return out


def _fallback(group: list[Occurrence]) -> EffectWarning:
    first = group[0]
    name = _show(first.props().get("accel", first.value))
    extra = [o for o in group[1:] if o.appended]
    line = extra[0].line if extra else group[-1].line
    return EffectWarning(
        "accel-fallback", f"-accel appears {len(group)} times: QEMU tries the accelerators in "
        f"order and uses the first that works, '{name}' ({first.who()}); "
        + ", ".join(f"'{o.spelled}'" for o in extra) + " only adds a fallback", line)


def _keyed(group: list[Occurrence]) -> list[EffectWarning]:
    by_key: dict[str, list[Occurrence]] = {}
    for o in group:
        key = (o.value or "").partition("=")[0]
        by_key.setdefault(key, []).append(o)
    out: list[EffectWarning] = []
    for key, same in by_key.items():
        if len(same) > 1 and any(o.appended for o in same):
            final = same[-1]
            out.append(EffectWarning(
                "arg-override", f"-global {key} is set {len(same)} times: the last value wins, "
                f"QEMU uses '{final.value}' ({final.who()})", final.line))
    return out


def _accel_conflict(by_name: dict[str, list[Occurrence]]) -> list[EffectWarning]:
    accels = by_name.get("accel", [])
    machine_accel = [o for o in by_name.get("machine", []) if "accel" in o.props()]
    if not accels or not machine_accel:
        return []
    culprit = next((o for o in machine_accel + accels if o.appended), None)
    if culprit is None:
        return []
    return [EffectWarning(
        "accel-conflict", f"'{culprit.spelled}': QEMU refuses -accel together with "
        "'-machine accel=...'; use only -accel", culprit.line)]


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def _keyval(props: dict[str, Any]) -> str:
    return ",".join(f"{k}={_show(v)}" if v is not True else k for k, v in props.items())


# --- duplicate ids ------------------------------------------------------------------------

def check_duplicate_ids(occs: list[Occurrence]) -> list[EffectWarning]:
    seen: dict[tuple[str, str], list[Occurrence]] = {}
    for o in occs:
        ident = o.ident()
        if ident is not None and o.opt is not None:
            seen.setdefault((o.opt.name, ident), []).append(o)
    out: list[EffectWarning] = []
    for (name, ident), same in seen.items():
        if len(same) < 2:
            continue
        culprit = next((o for o in same if o.appended), same[-1])
        whose = " and ".join(o.who() for o in same)
        key = same[0].opt.id_key if same[0].opt else "id"
        out.append(EffectWarning(
            "duplicate-id", f"-{name} {key} '{ident}' is defined {len(same)} times ({whose}): "
            "QEMU refuses to start with a duplicate id", culprit.line))
    return out


# --- -set aimed at JSON options -------------------------------------------------------------

def check_set(occs: list[Occurrence]) -> list[EffectWarning]:
    out: list[EffectWarning] = []
    by_target: dict[tuple[str, str | None], list[int]] | None = None
    sets = [n for n, o in enumerate(occs)
            if o.appended and o.opt is not None and o.opt.name == "set" and o.value]
    if not sets:
        return out
    # imported only here: most domains append no -set, and the CLI analyses every call
    from .overrides import infer_property, parse_set, xml_attr

    for n in sets:
        o = occs[n]
        assert o.value is not None
        parsed = parse_set(o.value)
        if parsed is None:
            out.append(EffectWarning(
                "set-syntax", f"-set '{o.value}' is not GROUP.ID.PROP=VALUE: QEMU refuses it",
                o.line))
            continue
        group, ident, prop, value = parsed
        if by_target is None:
            by_target = _positions(occs)
        where = by_target.get((group, ident), [])
        before = bisect.bisect_left(where, n)
        if before == 0:
            why = (" (-set is applied when it is read; the option comes later)"
                   if where and where[-1] > n else "")
            out.append(EffectWarning(
                "set-no-target", f"-set {o.value}: there is no -{group} with id '{ident}' "
                f"before it{why}: QEMU stops with 'there is no {group} \"{ident}\" defined'",
                o.line))
            continue
        target = occs[where[before - 1]]
        if not target.is_json:
            continue
        hint = ""
        if group == "device":
            p = infer_property(prop, value)
            p = _typed_like(p, target.props().get(prop))
            hint = (f"; use <qemu:override><qemu:device alias={xml_attr(ident)}><qemu:frontend>"
                    f"<qemu:property name={xml_attr(p.name)} type='{p.type}' "
                    f"value={xml_attr(p.value)}/></qemu:frontend></qemu:device></qemu:override>"
                    " instead")
        out.append(EffectWarning(
            "set-json", f"-set {o.value} does not apply: libvirt renders -{group} '{ident}' in "
            f"JSON syntax, which -set cannot edit (QEMU stops with 'there is no {group} "
            f"\"{ident}\" defined'){hint}", o.line))
    return out


def _positions(occs: list[Occurrence]) -> dict[tuple[str, str | None], list[int]]:
    """Where each (option, id) occurs, in order: one pass, so that finding what a -set
    refers to does not rescan the command line for every -set."""
    out: dict[tuple[str, str | None], list[int]] = {}
    for i, t in enumerate(occs):
        if t.opt is not None and t.opt.id_key is not None:
            out.setdefault((t.opt.name, t.ident()), []).append(i)
    return out


def _typed_like(p: Any, current: Any) -> Any:
    """Prefer the type of the value libvirt already generates for that property."""
    from .overrides import Property

    if isinstance(current, bool) and p.type != "bool":
        return p
    if isinstance(current, str) and p.type != "string":
        return Property(p.name, "string", p.value)
    return p


# --- <qemu:override> --------------------------------------------------------------------

_INT_TYPES = ("signed", "unsigned")


def check_overrides(inv: "Invocation", occs: list[Occurrence]) -> list[EffectWarning]:
    ns = _ns(inv)
    if ns is None or not ns.overrides:
        return []
    devices = {o.ident(): o for o in occs if o.opt is not None and o.opt.name == "device"
               and o.ident() is not None}
    out: list[EffectWarning] = []
    originals: dict[str, dict[str, Any]] | None = None
    for ov in ns.overrides:
        target = devices.get(ov.alias)
        if target is None:
            import difflib  # only for this hint: not worth its import on every call

            close = difflib.get_close_matches(ov.alias, [d for d in devices if d], n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            out.append(EffectWarning(
                "override-no-device", f"<qemu:override> device alias '{ov.alias}' matches no "
                f"device: libvirt silently applies nothing{hint}", ov.line))
        for prop in ov.frontend:  # (a value that misfits its type was refused already)
            if target is None or not target.is_json or prop.type == "remove":
                continue
            if originals is None:
                originals = _original_devices(inv)
            orig = originals.get(ov.alias, {}).get(prop.name)
            clash = _type_clash(prop.type, orig)
            if clash:
                out.append(EffectWarning(
                    "override-type", f"<qemu:property name='{prop.name}' type='{prop.type}'> "
                    f"on '{ov.alias}': libvirt generates it as {clash} ({_show(orig)}); "
                    "QEMU's JSON -device parsing is strictly typed and will likely reject "
                    "the new value", prop.line))
    return out


def _type_clash(ptype: str, orig: Any) -> str | None:
    if orig is None:
        return None
    if isinstance(orig, bool):
        return None if ptype == "bool" else "a boolean"
    if isinstance(orig, int):
        return None if ptype in _INT_TYPES else "a number"
    if isinstance(orig, str):
        return None if ptype == "string" else "a string"
    return None


def _original_devices(inv: "Invocation") -> dict[str, dict[str, Any]]:
    """-device properties before any override: the same domain translated without its
    qemu: namespace (the capabilities are already the effective ones)."""
    if inv.source_xml is None or inv.caps is None:
        return {}
    from .errors import TranslationError
    from .translate import translate

    try:
        plain = translate(inv.source_xml, inv.caps, profile=inv.host or inv.profile,
                          namespace=False, **inv.start_options)  # type: ignore[arg-type]
    except TranslationError:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for o in occurrences(plain.items or [])[0]:
        if o.opt is not None and o.opt.name == "device" and o.ident():
            out[str(o.ident())] = o.props()
    return out


# --- <qemu:env> ---------------------------------------------------------------------------

def check_env(inv: "Invocation") -> list[EffectWarning]:
    """<qemu:env> replacing a variable libvirt sets, or itself given more than once.

    libvirt's command builder overwrites a variable of the same name in place, so the
    process sees the last value; `EnvVar.history()` keeps what was replaced.
    """
    out: list[EffectWarning] = []
    for e in inv.env_vars or []:
        if e.source.kind != "qemu":
            continue
        earlier = e.history()
        sees = e.value or ""
        repeats = [x for x in earlier if x.source.kind == "qemu"]
        if repeats:
            out.append(EffectWarning(
                "env-repeated", f"<qemu:env name='{e.name}'> is given {len(repeats) + 1} times: "
                f"each replaces the previous, QEMU sees {e.name}={sees}", e.source.line))
        base = next((x for x in earlier if x.source.kind != "qemu"), None)
        if base is not None:
            first = repeats[0] if repeats else e
            out.append(EffectWarning(
                "env-shadow", f"<qemu:env name='{e.name}'> replaces the {e.name} libvirt sets "
                f"({e.name}={base.value or ''}): libvirt's command builder overwrites a "
                f"variable of the same name in place, so QEMU sees {e.name}={sees}",
                first.source.line))
    return out


# QEMU's legacy audio configuration by environment variable, deprecated in QEMU 4.0 and
# removed in 8.2 in favour of -audiodev (which libvirt generates from <audio>)
_AUDIO_ENV_PREFIXES = ("QEMU_AUDIO_", "QEMU_ALSA_", "QEMU_COREAUDIO_", "QEMU_DSOUND_",
                       "QEMU_OSS_", "QEMU_PA_", "QEMU_SDL_", "QEMU_WAV_")
_AUDIO_ENV_DEPRECATED, _AUDIO_ENV_REMOVED = (4, 0), (8, 2)


def check_obsolete_env(inv: "Invocation") -> list[EffectWarning]:
    """<qemu:env> variables QEMU no longer reads (still in many guides)."""
    ver = _version(inv)
    if inv.domain is None or ver is None or ver[0] < _AUDIO_ENV_DEPRECATED:
        return []
    version, label = ver
    out: list[EffectWarning] = []
    for e in inv.domain.qemu.env:
        if not e.name.startswith(_AUDIO_ENV_PREFIXES):
            continue
        if version >= _AUDIO_ENV_REMOVED:
            status = (f"QEMU {label} no longer reads it (audio settings by environment "
                      f"variable were removed in QEMU {format_version(_AUDIO_ENV_REMOVED)})")
        else:
            status = (f"deprecated since QEMU {format_version(_AUDIO_ENV_DEPRECATED)} and "
                      f"ignored from {format_version(_AUDIO_ENV_REMOVED)} on")
        out.append(EffectWarning(
            "env-obsolete", f"<qemu:env name='{e.name}'>: {status}; configure audio with an "
            "<audio> element (libvirt turns it into -audiodev) instead", e.line))
    return out


# --- taint flags --------------------------------------------------------------------------

def taint_flags(ns: "QemuNamespace | None") -> list[str]:
    """The taint flags libvirt sets on a running domain because of its qemu: namespace."""
    if ns is None:
        return []
    flags = []
    if ns.args or ns.env:
        flags.append("custom-argv")
    if ns.caps_add or ns.caps_del:
        flags.append("custom-hypervisor-feature")
    if ns.overrides:
        flags.append("custom-device")
    return flags


def check_taint(inv: "Invocation") -> list[EffectWarning]:
    return [EffectWarning("taint", f"libvirt taints the domain '{f}' ({TAINTS[f]}): it is "
                          "logged and shown by virsh, and distributions may not support it")
            for f in taint_flags(_ns(inv))]


# --- <qemu:capabilities> -------------------------------------------------------------------

def check_capabilities(inv: "Invocation") -> list[EffectWarning]:
    ns = _ns(inv)
    if ns is None or not (ns.caps_add or ns.caps_del):
        return []
    base = _base_flags(inv.caps)
    label = _label(inv.caps)
    deleted = {t.name for t in ns.caps_del}
    out: list[EffectWarning] = []
    for action, toggles in (("add", ns.caps_add), ("del", ns.caps_del)):
        for t in toggles:
            out.append(_cap_status(action, t.name, t.line, base, label, deleted))
    return out


def _cap_status(action: str, name: str, line: int | None, base: frozenset[str] | None,
                label: str, deleted: set[str]) -> EffectWarning:
    from capsdb.names import by_name

    info = by_name(name)
    tag = f"<qemu:{action} capability='{name}'>"
    if info is None:
        return EffectWarning("cap-unknown", f"{tag}: unknown capability, libvirt refuses the "
                             "domain ('invalid qemu namespace capability')", line)
    if info.retired and not info.effect:
        return EffectWarning("cap-retired", f"{tag}: retired capability, libvirt accepts the "
                             "name but no longer looks at it (no effect)", line)
    if action == "add" and name in deleted:
        return EffectWarning("cap-no-effect", f"{tag}: also deleted with <qemu:del>, and "
                             "deletes are applied after adds (no effect)", line)
    if base is not None and action == "add" and name in base:
        return EffectWarning("cap-already-on", f"{tag}: already on by default for QEMU "
                             f"{label} (no effect)", line)
    if base is not None and action == "del" and name not in base:
        return EffectWarning("cap-already-off", f"{tag}: already off for QEMU {label} "
                             "(no effect)", line)
    what = _effect_half(info.effect, action)
    return EffectWarning("cap-effective", f"{tag}: effective for QEMU {label}: {what}", line)


def _effect_half(effect: str | None, action: str) -> str:
    """The 'present: ...' half of an effect sentence for an add, 'absent: ...' for a del."""
    if not effect:
        return "libvirt's use of it is not modelled by xml2argv"
    present, sep, absent = effect.partition("; absent")
    if not sep:
        return effect
    return present if action == "add" else "absent" + absent


def _base_flags(caps: "Caps | None") -> frozenset[str] | None:
    """The profile's own flags before any toggle, when it is an embedded profile."""
    if caps is None:
        return None
    import capsdb

    try:
        label = caps.version_string + (f"+{caps.variant}" if caps.variant else "")
        base = capsdb.get(label, caps.arch)
    except (LookupError, ValueError, OSError):
        return None
    if base.version != caps.version or base.variant != caps.variant:
        return None
    return base.flags


def _label(caps: "Caps | None") -> str:
    return caps.version_string if caps is not None else "?"


# --- the raw document: qemu: elements libvirt never reads ----------------------------------

_QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
# what libvirt reads, as paths of local names below <domain>
_READ = {("commandline",), ("commandline", "arg"), ("commandline", "env"),
         ("capabilities",), ("capabilities", "add"), ("capabilities", "del"),
         ("override",), ("override", "device"), ("override", "device", "frontend"),
         ("override", "device", "frontend", "property"), ("deprecation",)}
_TOP = {p[0] for p in _READ}


def check_document(data: bytes | None) -> list[EffectWarning]:
    if not data:
        return []
    from .errors import XMLInputError
    from .xmlsafe import parse_document

    try:
        root = parse_document(data)
    except XMLInputError:
        return []
    return _walk(root)


def _undeclared(node: Any, tag: str) -> EffectWarning:
    return EffectWarning(
        "qemu-ns-undeclared", f"<{tag}> uses the qemu: prefix but the document never declares "
        f"it: libvirt accepts the domain and silently drops every qemu: element; add "
        f"xmlns:qemu='{_QEMU_NS}' to <domain>", node.sourceline)


def _walk(root: "etree._Element") -> list[EffectWarning]:
    out: list[EffectWarning] = []
    queue: deque[tuple[etree._Element, tuple[str, ...] | None]] = deque((c, ()) for c in root)
    while queue:
        node, path = queue.popleft()
        tag = node.tag
        if not isinstance(tag, str):
            continue
        uri, _, local = tag[1:].partition("}") if tag[0] == "{" else ("", "", tag)
        if uri == _QEMU_NS:
            here = (path + (local,)) if path is not None else None
            if here not in _READ:
                out.append(_ignored(node, local, path))
                continue
            if len(node):
                queue.extend((c, here) for c in node)
            continue
        if uri and uri != _QEMU_NS and _looks_qemu(uri):
            out.append(EffectWarning(
                "qemu-ns-misspelt", f"<{local}> is in namespace '{uri}', not libvirt's "
                f"'{_QEMU_NS}': libvirt ignores it", node.sourceline))
            continue
        if not uri and local.startswith("qemu:"):
            out.append(_undeclared(node, local))
            continue
        if not uri and path == () and local in _TOP and node.prefix is None:
            out.append(EffectWarning(
                "qemu-ns-missing", f"<{local}> directly under <domain> has no qemu: namespace: "
                f"libvirt ignores it (write <qemu:{local}> with xmlns:qemu on <domain>)",
                node.sourceline))
            continue
        queue.extend((c, None) for c in node)
    return out


def _ignored(node: Any, local: str, path: tuple[str, ...] | None) -> EffectWarning:
    if path is None:
        where = f"inside <{node.getparent().tag.split('}')[-1]}>"
        why = "only qemu: elements directly under <domain> are read"
    else:
        where = "here"
        why = "libvirt does not know this element at this place"
    return EffectWarning("qemu-ignored", f"<qemu:{local}> {where} is silently ignored by "
                         f"libvirt: {why}", node.sourceline)


def _looks_qemu(uri: str) -> bool:
    u = uri.lower().rstrip("/")
    return "libvirt.org" in u and "qemu" in u


# --- entry points ---------------------------------------------------------------------------

def _ns(inv: "Invocation") -> "QemuNamespace | None":
    return inv.domain.qemu if inv.domain is not None else None


def _version(inv: "Invocation") -> tuple[Version, str] | None:
    if inv.caps is None:
        return None
    major, minor, _ = inv.caps.version_tuple
    return (major, minor), inv.caps.version_string


def analyse(inv: "Invocation") -> list[EffectWarning]:
    """Every finding for a translated domain, in document order where there is one.

    A check that fails on a successful translation is a bug in xml2argv: it surfaces as
    `InternalError` (the CLI's one-line "internal error", exit 70), never as a finding
    that would hide it."""
    try:
        return _analyse(inv)
    except InternalError:
        raise
    except Exception as exc:  # noqa: BLE001 - any other exception is a bug
        raise InternalError(f"effect analysis: {type(exc).__name__}: {exc}") from exc


def _analyse(inv: "Invocation") -> list[EffectWarning]:
    occs, out = occurrences(inv.items or [])
    ver = _version(inv)
    checks: list[Callable[[], list[EffectWarning]]] = [
        lambda: check_availability(occs, *ver) if ver is not None else [],
        lambda: check_repeats(occs),
        lambda: check_duplicate_ids(occs),
        lambda: check_set(occs),
        lambda: check_overrides(inv, occs),
        lambda: check_env(inv),
        lambda: check_obsolete_env(inv),
        lambda: check_capabilities(inv),
        lambda: check_document(inv.source_xml),
    ]
    for check in checks:
        out += check()
    return _ordered(out) + check_taint(inv)


def analyse_source(data: bytes) -> list[EffectWarning]:
    """Only the document checks, for input that libvirt would accept but that cannot be
    translated (a qemu: prefix with no namespace declaration, for instance)."""
    return _ordered(check_document(data))


def _ordered(ws: Iterable[EffectWarning]) -> list[EffectWarning]:
    unique = list(dict.fromkeys(ws))
    return sorted(unique, key=lambda w: (w.line is None, w.line or 0))


register_analyser(analyse)
