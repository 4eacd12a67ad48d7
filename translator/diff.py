"""`xml2argv --diff`: an argument-aware comparison of two invocations.

Text diffs of command lines are hard to read: one property added to a JSON `-device`
rewrites the whole line, and a disk switching from `-blockdev` to `-drive` looks like
unrelated churn.  Here items are matched by their stable key (`translator.itemview`),
then compared property by property, and a property that now points at a different
object (`drive: libvirt-1-format -> drive-virtio-disk0`) is labelled as such.

The structured part (`diff_invocations`, `Diff`, `ToggleReport`, `diff_report`) is for
other front ends (the HTML page, the effects engine); `diff_command` is the CLI's
rendering of it.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import field
from typing import TYPE_CHECKING, Any, Callable

from capsdb import Caps

from capsdb.records import dataclass
from .cmdline import Item, Source
from .errors import InvalidCapabilityError, TranslationError
from .itemview import _ID_KEYS, ItemView, view_items
from .model import QemuNamespace

if TYPE_CHECKING:
    from .invocation import Invocation


# --- structured result ---------------------------------------------------------------


@dataclass(frozen=True)
class PropChange:
    """One property of a matched item: 'added' | 'removed' | 'changed' |
    'removed-not-present' (a `<qemu:override>` removal of a property the item lacks)."""

    path: str                      # dotted for nested JSON objects; '' = leading bare word
    kind: str
    old: Any = None
    new: Any = None
    source: Source | None = None   # where the new value came from, when it is a qemu: element
    ref: tuple[str, str] | None = None  # (old target, new target) of a renamed reference

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.kind in ("removed", "changed"):
            d["old"] = self.old
        if self.kind in ("added", "changed"):
            d["new"] = self.new
        if self.ref:
            d["reference"] = {"old": self.ref[0], "new": self.ref[1]}
        if self.source:
            d["source"] = _source_dict(self.source)
        return d


@dataclass(frozen=True)
class ItemChange:
    """One command-line item: 'added' | 'removed' | 'changed' | 'renamed' | 'moved' |
    'unchanged' (identical text, but a qemu: override touched it without effect)."""

    kind: str
    key: str                       # key on the new side (old side for 'removed')
    option: str
    label: str                     # readable name: '-device virtio-disk0', '-m'
    old: str | None = None         # the value (tokens after the option) on each side
    new: str | None = None
    props: tuple[PropChange, ...] = ()
    moved: bool = False
    after: str | None = None       # label of the item now preceding a moved one
    old_key: str | None = None     # for 'renamed'
    syntax_only: bool = False      # same properties, different spelling (JSON vs keyval)
    source: Source | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "key": self.key, "option": self.option}
        if self.old_key:
            d["old_key"] = self.old_key
        if self.kind != "added":
            d["old"] = self.old
        if self.kind != "removed":
            d["new"] = self.new
        if self.props:
            d["props"] = [p.to_dict() for p in self.props]
        if self.moved:
            d["moved"] = True
            d["after"] = self.after
        if self.syntax_only:
            d["syntax_only"] = True
        if self.source:
            d["source"] = _source_dict(self.source)
        return d


@dataclass(frozen=True)
class EnvChange:
    name: str
    kind: str                      # 'added' | 'removed' | 'changed'
    old: str | None = None
    new: str | None = None
    source: Source | None = None
    shadows: str | None = None     # an earlier value of the same name this one overrides

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind != "added":
            d["old"] = self.old or ""
        if self.kind != "removed":
            d["new"] = self.new or ""
        if self.shadows is not None:
            d["shadows"] = self.shadows
        if self.source:
            d["source"] = _source_dict(self.source)
        return d


@dataclass
class Diff:
    binary: tuple[str, str] | None = None
    env: list[EnvChange] = field(default_factory=list)
    items: list[ItemChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.binary is None and not self.env and not self.items

    def keys(self, kind: str) -> list[str]:
        """Keys of the item changes of one kind (handy in tests and front ends)."""
        return [c.key for c in self.items if c.kind == kind]

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for c in self.items:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        parts = [f"{n} {_KIND_WORDS.get(k, k)}" for k, n in counts.items()]
        if self.env:
            parts.append(f"{len(self.env)} environment variable{'s' * (len(self.env) != 1)}")
        if self.binary:
            parts.append("the binary")
        return ", ".join(parts) if parts else "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "binary": ({"old": self.binary[0], "new": self.binary[1]} if self.binary else None),
            "env": [e.to_dict() for e in self.env],
            "items": [c.to_dict() for c in self.items],
        }


_KIND_WORDS = {"unchanged": "overridden without effect"}


def _source_dict(src: Source) -> dict[str, Any]:
    return {"kind": src.kind, "detail": src.detail, "line": src.line}


# --- comparing two invocations -------------------------------------------------------


def diff_invocations(a: "Invocation", b: "Invocation") -> Diff:
    """What changes from invocation `a` (old) to `b` (new): binary, env and items."""
    return Diff(
        binary=(a.binary, b.binary) if a.binary != b.binary else None,
        env=diff_env(_env_of(a), _env_of(b)),
        items=diff_items(_items_of(a), _items_of(b)),
    )


def _env_of(inv: "Invocation") -> list[tuple[str, str | None, Source | None]]:
    if inv.env_vars is not None:
        return [(e.name, e.value, e.source) for e in inv.env_vars]
    return [(n, v, None) for n, v in inv.env]


def _items_of(inv: "Invocation") -> list[Item]:
    """The invocation's items; an invocation built by hand from `args` alone is split
    into option groups the way libvirt's .args layout does."""
    if inv.items is not None:
        from .effects import paired_items

        return paired_items(inv.items)
    items: list[Item] = []
    for arg in inv.args:
        if arg.startswith("-") or not items:
            items.append(Item((arg,), Source("host", "args")))
        else:
            items[-1] = Item(items[-1].tokens + (arg,), items[-1].source)
    return items


def diff_env(a: list[tuple[str, str | None, Source | None]],
             b: list[tuple[str, str | None, Source | None]]) -> list[EnvChange]:
    """Variables matched by name (a repeated name by occurrence), in the new order."""
    old = _keyed_env(a)
    new = _keyed_env(b)
    out: list[EnvChange] = []
    for key, (name, value, _src) in old.items():
        if key not in new:
            out.append(EnvChange(name, "removed", old=value))
    for key, (name, value, src) in new.items():
        if key not in old:
            earlier = new.get(name) if key != name else None
            out.append(EnvChange(name, "added", new=value, source=src,
                                 shadows=(earlier[1] or "") if earlier else None))
        elif (old[key][1] or "") != (value or ""):
            # a qemu:env that replaced libvirt's own variable keeps it in place
            old_src = old[key][2]
            shadows = (old[key][1] or "") if src is not None and src.kind == "qemu" and \
                (old_src is None or old_src.kind != "qemu") else None
            out.append(EnvChange(name, "changed", old=old[key][1], new=value, source=src,
                                 shadows=shadows))
    return out


def _keyed_env(env: list[tuple[str, str | None, Source | None]]
               ) -> dict[str, tuple[str, str | None, Source | None]]:
    seen: dict[str, int] = {}
    out: dict[str, tuple[str, str | None, Source | None]] = {}
    for name, value, src in env:
        n = seen.get(name, 0) + 1
        seen[name] = n
        out[name if n == 1 else f"{name}[{n}]"] = (name, value, src)
    return out


def diff_items(a: list[Item], b: list[Item]) -> list[ItemChange]:
    """Item changes in command-line order: removed items where they were, the others
    where they now are."""
    va, vb = view_items(a), view_items(b)
    by_key_a = {v.key: v for v in va}
    by_key_b = {v.key: v for v in vb}
    renamed = _pair_renamed([v for v in va if v.key not in by_key_b],
                            [v for v in vb if v.key not in by_key_a])
    old_of = {nk: by_key_a[ok] for ok, nk in renamed.items()}
    refs = _Refs(va, vb)
    moved = _moved_keys([v.key for v in va if v.key in by_key_b],
                        [v.key for v in vb if v.key in by_key_a])
    prev_label: dict[str, str | None] = {}
    for i, v in enumerate(vb):
        prev_label[v.key] = _label(vb[i - 1]) if i else None

    out: list[ItemChange] = []
    matcher = difflib.SequenceMatcher(None, [v.key for v in va], [v.key for v in vb],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for v in va[i1:i2]:
            if tag != "equal" and v.key not in by_key_b and v.key not in renamed:
                out.append(ItemChange("removed", v.key, v.option, _label(v), old=_value(v),
                                      source=v.source))
        for v in vb[j1:j2]:
            old = by_key_a.get(v.key) or old_of.get(v.key)
            if old is None:
                out.append(ItemChange("added", v.key, v.option, _label(v), new=_value(v),
                                      source=v.source))
                continue
            change = _compare(old, v, a[old.index], b[v.index], refs,
                              v.key in moved, prev_label[v.key])
            if change is not None:
                out.append(change)
    return out


def _compare(va: ItemView, vb: ItemView, ia: Item, ib: Item, refs: "_Refs", moved: bool,
             after: str | None) -> ItemChange | None:
    props = tuple(_prop_changes(va, vb, ib, refs)) + tuple(_noop_overrides(va, vb, ia, ib))
    renamed = va.key != vb.key
    changed = ia.tokens != ib.tokens
    if not (changed or renamed or moved or props):
        return None
    if renamed:
        kind = "renamed"
    elif changed:
        kind = "changed"
    elif moved:
        kind = "moved"
    else:
        kind = "unchanged"
    real = [p for p in props if p.kind != "removed-not-present"]
    return ItemChange(kind, vb.key, vb.option, _label(vb), old=_value(va), new=_value(vb),
                      props=props, moved=moved, after=after if moved else None,
                      old_key=va.key if renamed else None,
                      syntax_only=changed and not real and va.props is not None
                      and vb.props is not None, source=vb.source)


def _prop_changes(va: ItemView, vb: ItemView, ib: Item, refs: "_Refs") -> list[PropChange]:
    if va.props is None or vb.props is None:
        return []
    old, new = _flatten(va.props), _flatten(vb.props)
    out: list[PropChange] = []
    for path, value in old.items():
        if path not in new:
            out.append(PropChange(path, "removed", old=value, source=_qemu_source(ib, path)))
    for path, value in new.items():
        src = _qemu_source(ib, path)
        if path not in old:
            out.append(PropChange(path, "added", new=value, source=src))
        elif old[path] != value or type(old[path]) is not type(value):
            out.append(PropChange(path, "changed", old=old[path], new=value, source=src,
                                  ref=refs.renamed_ref(old[path], value)))
    return out


def _noop_overrides(va: ItemView, vb: ItemView, ia: Item, ib: Item) -> list[PropChange]:
    """Properties a new `<qemu:override>` removes although the item never had them: the
    text does not change, but the user asked for something, so say it did nothing."""
    out: list[PropChange] = []
    for name, src in ib.prop_sources.items():
        if src.kind != "qemu" or name in ia.prop_sources:
            continue
        if name not in (va.props or {}) and name not in (vb.props or {}):
            out.append(PropChange(name, "removed-not-present", source=src))
    return out


def _qemu_source(item: Item, path: str) -> Source | None:
    src = item.prop_sources.get(path.split(".", 1)[0])
    return src if src is not None and src.kind == "qemu" else None


def _flatten(props: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested JSON objects become dotted paths, so that a change deep inside a
    -blockdev names the property rather than the whole object."""
    out: dict[str, Any] = {}
    for k, v in props.items():
        path = f"{prefix}{k}"
        plain = v.as_dict() if hasattr(v, "as_dict") else v
        if isinstance(plain, dict) and plain:
            out.update(_flatten(plain, path + "."))
        else:
            out[path] = _plain(plain)
    return out


def _plain(v: Any) -> Any:
    if hasattr(v, "as_dict"):
        v = v.as_dict()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


class _Refs:
    """Which object names exist only on one side, to label renamed references."""

    def __init__(self, va: list[ItemView], vb: list[ItemView]) -> None:
        ids_b = {v.ident for v in vb if v.ident}
        self.gone = {v.ident: _label(v) for v in va if v.ident and v.ident not in ids_b}
        self.now = {v.ident: _label(v) for v in vb if v.ident}

    def renamed_ref(self, old: Any, new: Any) -> tuple[str, str] | None:
        """A reference whose old target disappeared and whose new one exists."""
        if isinstance(old, str) and isinstance(new, str) and old in self.gone \
                and new in self.now:
            return (self.gone[old], self.now[new])
        return None


def _pair_renamed(gone: list[ItemView], fresh: list[ItemView]) -> dict[str, str]:
    """old key -> new key for items that only changed their id (same option, otherwise
    the same properties)."""
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for g in gone:
        if g.props is None or g.ident is None:
            continue
        sig = _without_ids(g.props)
        for f in fresh:
            if f.key in taken or f.option != g.option or f.props is None or f.ident is None:
                continue
            if _without_ids(f.props) == sig:
                pairs[g.key] = f.key
                taken.add(f.key)
                break
    return pairs


def _without_ids(props: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in props.items() if k not in _ID_KEYS}


def _moved_keys(old_order: list[str], new_order: list[str]) -> set[str]:
    """Keys whose order relative to the other common items changed.  Items merely
    shifted by insertions or removals are not 'moved'."""
    m = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
    kept: set[str] = set()
    for block in m.get_matching_blocks():
        kept.update(new_order[block.b:block.b + block.size])
    return set(new_order) - kept


def _label(v: ItemView) -> str:
    return f"{v.option} {v.ident}" if v.ident else v.key


def _value(v: ItemView) -> str | None:
    rest = ((v.value,) if v.value is not None else ()) + v.extra_tokens
    return " ".join(rest) if rest else None


# --- capability toggles --------------------------------------------------------------


@dataclass(frozen=True)
class ToggleReport:
    """What one capability toggle does to this domain: status 'changed' (with the diff
    between the domain without and with it), 'no-effect' (with the reason), 'refused'
    (libvirt rejects the name), 'makes-refused' / 'makes-accepted' (libvirt refuses the
    domain with / without it) or 'not-evaluated' (the domain is refused anyway)."""

    action: str                    # 'add' | 'del'
    name: str
    origin: str                    # 'domain' (<qemu:capabilities>) | 'cli' (--add-cap/--del-cap)
    line: int | None
    status: str
    reason: str | None = None
    diff: Diff | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"action": self.action, "name": self.name,
                             "origin": self.origin, "line": self.line,
                             "status": self.status, "reason": self.reason}
        if self.diff is not None:
            d["diff"] = self.diff.to_dict()
        return d

    @property
    def label(self) -> str:
        if self.origin == "cli":
            return f"--{self.action}-cap {self.name}"
        where = f", line {self.line}" if self.line else ""
        return f"<qemu:{self.action} capability='{self.name}'>{where}"


@dataclass
class _Setup:
    """One translation's inputs, so a toggle can be taken out and the rest kept."""

    xml: bytes
    caps: Caps
    profile: str
    caps_add: list[str]
    caps_del: list[str]

    def translate(self, xml: bytes | None = None, caps_add: list[str] | None = None,
                  caps_del: list[str] | None = None, namespace: bool = True) -> "Invocation":
        from .translate import translate

        return translate(self.xml if xml is None else xml, self.caps, profile=self.profile,
                         caps_add=self.caps_add if caps_add is None else caps_add,
                         caps_del=self.caps_del if caps_del is None else caps_del,
                         namespace=namespace)


def report_toggles(setup: _Setup, main: "Invocation | None",
                   main_error: TranslationError | None) -> list[ToggleReport]:
    """Each toggle of the domain's <qemu:capabilities> (in document order), then each CLI
    toggle, judged by translating the domain with and without that single toggle.

    Names libvirt refuses are reported as such and left out while judging the others,
    so that one misspelt name does not hide what the rest do."""
    from capsdb.names import is_known

    from .parse import parse_domain

    ns = parse_domain(setup.xml).qemu
    domain = [(t.line or 0, action, n, t) for action, toggles in
              (("add", ns.caps_add), ("del", ns.caps_del)) for n, t in enumerate(toggles)]
    domain.sort(key=lambda d: d[0])
    bad = {(action, n) for _, action, n, t in domain if not is_known(t.name)}
    cli_add = [x for x in setup.caps_add if is_known(x)]
    cli_del = [x for x in setup.caps_del if is_known(x)]
    judged = setup
    if bad or cli_add != setup.caps_add or cli_del != setup.caps_del:
        judged = _Setup(_drop_toggles(setup.xml, bad), setup.caps, setup.profile,
                        cli_add, cli_del)
        main, main_error = _attempt(judged.translate)
    reports: list[ToggleReport] = []
    for _, action, n, t in domain:
        def without_toggle(a: str = action, n: int = n) -> Invocation:
            return judged.translate(xml=_drop_toggles(setup.xml, bad | {(a, n)}))
        reports.append(_judge(judged, main, main_error, action, t.name, "domain", t.line,
                              without_toggle, ns))
    for action, names in (("add", setup.caps_add), ("del", setup.caps_del)):
        for n, name in enumerate(names):
            rest = [x for i, x in enumerate(names) if i != n and is_known(x)]

            def without_cli(is_add: bool = action == "add", rest: list[str] = rest) -> Invocation:
                if is_add:
                    return judged.translate(caps_add=rest)
                return judged.translate(caps_del=rest)
            reports.append(_judge(judged, main, main_error, action, name, "cli", None,
                                  without_cli, ns))
    return reports


def _judge(setup: _Setup, main: "Invocation | None", main_error: TranslationError | None,
           action: str, name: str, origin: str, line: int | None,
           without: Callable[[], "Invocation"], ns: QemuNamespace) -> ToggleReport:
    from capsdb.names import by_name

    def report(status: str, reason: str | None = None, diff: Diff | None = None
               ) -> ToggleReport:
        return ToggleReport(action, name, origin, line, status, reason, diff)

    info = by_name(name)
    if info is None:
        return report("refused", _refusal(name))
    if main is None:
        # the domain is refused: is it this toggle's doing?
        _, still = _attempt(without)
        if still is None:
            return report("makes-refused", f"with it libvirt refuses the domain: {main_error}")
        return report("not-evaluated", f"the domain is refused: {main_error}")
    try:
        base = without()
    except TranslationError as exc:
        # without this toggle libvirt would refuse the domain: the toggle is what makes
        # it acceptable (e.g. a feature that needs the capability)
        return report("makes-accepted", f"without it libvirt refuses the domain: {exc}")
    diff = diff_invocations(base, main)
    if not diff.empty:
        return report("changed", None, diff)
    if info.retired and info.effect is None:
        return report("no-effect", "retired capability name: libvirt 11.3 no longer "
                      "looks at it")
    if base.caps is not None and main.caps is not None and base.caps.flags == main.caps.flags:
        return report("no-effect", _why_same_caps(setup, action, name, ns))
    why = "unused by this domain: its command line is the same with or without it"
    if info.effect is None:
        why += " (xml2argv models no effect for it)"
    return report("no-effect", why)


def _refusal(name: str) -> str:
    """libvirt's own message for an unknown capability name."""
    from .namespace import effective_caps

    try:
        effective_caps(Caps(version=0, arch="", flags=frozenset()), QemuNamespace(), [name])
    except InvalidCapabilityError as exc:
        return str(exc)
    return f"unknown capability '{name}'"


def _why_same_caps(setup: _Setup, action: str, name: str, ns: QemuNamespace) -> str:
    """The toggle left the effective capabilities as they were: say what did it."""
    version = setup.caps.version_string
    dels = [(f"<qemu:del capability='{t.name}'>", t.name) for t in ns.caps_del] + \
        [(f"--del-cap {n}", n) for n in setup.caps_del]
    adds = [t.name for t in ns.caps_add] + list(setup.caps_add)
    if action == "add":
        if any(n == name for _, n in dels):
            by = next(w for w, n in dels if n == name)
            return f"deleted again by {by} (deletions apply after additions)"
        if setup.caps.has(name):
            from capsdb.names import IMPLIED_FLAGS

            implied = " (libvirt 11.3 implies it)" if name in IMPLIED_FLAGS else ""
            return f"already on in QEMU {version}'s profile{implied}"
        return "added more than once"
    if not setup.caps.has(name) and name not in adds:
        return f"already off in QEMU {version}'s profile"
    return "deleted more than once"


def _drop_toggles(xml: bytes, which: set[tuple[str, int]]) -> bytes:
    """The document without the given (action, n-th) <qemu:add>/<qemu:del> elements.

    Each is replaced by a comment (which the parser drops) so that every other element
    keeps its line number."""
    from lxml import etree

    from .model import QEMU_NS
    from .xmlsafe import parse_document

    if not which:
        return xml
    root = parse_document(xml)
    for action in ("add", "del"):
        found = root.xpath(f"./q:capabilities/q:{action}", namespaces={"q": QEMU_NS})
        for n, el in enumerate(found):
            if (action, n) in which:
                stub = etree.Comment(" capability toggle taken out for the diff ")
                stub.tail = el.tail
                el.getparent().replace(el, stub)
    return etree.tostring(root, encoding="utf-8")


# --- the whole report ----------------------------------------------------------------


@dataclass
class DiffReport:
    """Everything `--diff` prints: the two sides, their diff and the toggle verdicts."""

    mode: str                      # 'namespace' | 'qemu' | 'caps'
    old_label: str
    new_label: str
    diff: Diff | None
    old_error: str | None = None
    new_error: str | None = None
    toggles: list[ToggleReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "mode": self.mode,
            "old": {"label": self.old_label, "error": self.old_error},
            "new": {"label": self.new_label, "error": self.new_error},
        }
        d.update(self.diff.to_dict() if self.diff else
                 {"binary": None, "env": [], "items": []})
        d["capabilities"] = [t.to_dict() for t in self.toggles]
        return d


def diff_report(xml: bytes, caps: Caps, *, profile: str = "host",
                caps_add: list[str] | None = None, caps_del: list[str] | None = None,
                against_caps: Caps | None = None) -> DiffReport:
    """Build both sides for the chosen comparison and judge every capability toggle.

    Raises `TranslationError` only when both sides are refused (nothing to compare)."""
    caps_add, caps_del = list(caps_add or ()), list(caps_del or ())
    setup = _Setup(xml, caps, profile, caps_add, caps_del)
    desc = f"QEMU {caps.version_string}, profile {profile}"
    make_old: Callable[[], Invocation]
    if against_caps is not None:
        mode = "qemu"
        other = _Setup(xml, against_caps, profile, caps_add, caps_del)
        old_label = f"QEMU {against_caps.version_string} (--against-qemu)"
        new_label = f"QEMU {caps.version_string}"
        make_old = other.translate
        make_new = setup.translate
    elif caps_add or caps_del:
        mode = "caps"
        flags = [f"--add-cap {n}" for n in caps_add] + [f"--del-cap {n}" for n in caps_del]
        old_label = f"as written ({desc})"
        new_label = "with " + " ".join(flags)
        make_old = lambda: setup.translate(caps_add=[], caps_del=[])  # noqa: E731
        make_new = setup.translate
    else:
        mode = "namespace"
        old_label = "without the qemu: namespace"
        new_label = f"as written ({desc})"
        make_old = lambda: setup.translate(namespace=False)  # noqa: E731
        make_new = setup.translate
    old, old_err = _attempt(make_old)
    new, new_err = _attempt(make_new)
    if old_err is not None and new_err is not None:
        raise new_err
    diff = diff_invocations(old, new) if old is not None and new is not None else None
    toggles = report_toggles(setup, new, new_err)
    return DiffReport(mode, old_label, new_label, diff,
                      str(old_err) if old_err else None, str(new_err) if new_err else None,
                      toggles)


def _attempt(make: Callable[[], "Invocation"]
             ) -> tuple["Invocation | None", TranslationError | None]:
    try:
        return make(), None
    except TranslationError as exc:
        return None, exc


def diff_command(xml: bytes, caps: Caps, *, profile: str, caps_add: list[str],
                 caps_del: list[str], against_caps: Caps | None, fmt: str) -> str:
    """The `--diff` output: JSON for fmt 'json', readable text otherwise."""
    report = diff_report(xml, caps, profile=profile, caps_add=caps_add, caps_del=caps_del,
                         against_caps=against_caps)
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    text = render_text(report)
    if fmt == "html":
        import html

        return ("<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>xml2argv --diff"
                f"</title></head><body><pre>{html.escape(text)}</pre></body></html>\n")
    return text


# --- text rendering ------------------------------------------------------------------


def render_text(report: DiffReport) -> str:
    lines = [f"--- {report.old_label}" + _refused(report.old_error),
             f"+++ {report.new_label}" + _refused(report.new_error)]
    if report.diff is not None:
        lines.append(f"changes: {report.diff.summary()}")
        lines.extend(render_diff_lines(report.diff, ""))
    if report.toggles:
        lines.append("")
        lines.append("capability toggles:")
        for t in report.toggles:
            same = (t.diff is not None and report.diff is not None
                    and t.diff.to_dict() == report.diff.to_dict())
            lines.extend(_toggle_lines(t, same_as_main=same))
    return "\n".join(lines) + "\n"


def _refused(error: str | None) -> str:
    return f"  [refused: {' '.join(error.split())}]" if error else ""


def render_diff_lines(diff: Diff, indent: str) -> list[str]:
    """The diff as text lines: '+' added, '-' removed, '~' changed, '>' moved."""
    lines: list[str] = []
    if diff.binary:
        lines.append(f"{indent}binary:")
        lines.append(f"{indent}  ~ {diff.binary[0]} -> {diff.binary[1]}")
    if diff.env:
        lines.append(f"{indent}environment:")
        for e in diff.env:
            lines.append(indent + "  " + _env_line(e))
    if diff.items:
        lines.append(f"{indent}arguments:")
        for c in diff.items:
            lines.extend(indent + "  " + s for s in _item_lines(c))
    return lines


def _env_line(e: EnvChange) -> str:
    if e.kind == "added":
        text = f"+ {e.name}={e.new or ''}"
        if e.shadows is not None:
            text += f" (overrides the earlier {e.name}={e.shadows})"
    elif e.kind == "removed":
        text = f"- {e.name}={e.old or ''}"
    else:
        text = f"~ {e.name}: {e.old or ''!r} -> {e.new or ''!r}"
    return _with_source(text, e.source)


def _item_lines(c: ItemChange) -> list[str]:
    if c.kind == "added":
        return [_with_source(_spell("+", c.option, c.new), c.source)]
    if c.kind == "removed":
        return [_spell("-", c.option, c.old)]
    head = f"~ {c.label}"
    notes: list[str] = []
    if c.kind == "renamed":
        head += f" (was {c.old_key})"
    if c.moved:
        notes.append("moved: now " + (f"after {c.after}" if c.after else "first"))
    if c.syntax_only:
        notes.append("same properties, " + _syntax(c.old) + " syntax -> " + _syntax(c.new))
    if c.kind == "unchanged":
        notes.append("text unchanged")
    if notes:
        head += ": " + "; ".join(notes)
    out = [head]
    if c.props:
        out.extend("    " + _prop_line(p) for p in c.props)
    elif c.kind in ("changed", "renamed") and not c.syntax_only:
        out.append(f"    {c.old or ''} -> {c.new or ''}")
    return out


def _syntax(value: str | None) -> str:
    return "JSON" if (value or "").lstrip().startswith("{") else "key=value"


def _spell(mark: str, option: str, value: str | None) -> str:
    return f"{mark} {option}" + (f" {value}" if value is not None else "")


def _prop_line(p: PropChange) -> str:
    name = p.path or "(leading word)"
    if p.kind == "added":
        text = f"+ {name}: {_js(p.new)}"
    elif p.kind == "removed":
        text = f"- {name}: {_js(p.old)}"
    elif p.kind == "removed-not-present":
        text = f"- {name}: removal had no effect (the property was not present)"
    else:
        text = f"~ {name}: {_js(p.old)} -> {_js(p.new)}"
        if p.ref:
            text += f" (now refers to {p.ref[1]} instead of {p.ref[0]})"
    return _with_source(text, p.source, _SOURCE_COLUMN - 4)


def _js(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


_SOURCE_COLUMN = 40  # where the "[qemu:...]" provenance starts when the text is short


def _with_source(text: str, src: Source | None, column: int = _SOURCE_COLUMN) -> str:
    """Name the qemu: element behind a change; other provenance is --explain's job."""
    if src is None or src.kind != "qemu":
        return text
    where = _short_source(src.detail) + (f", line {src.line}" if src.line else "")
    return f"{text.ljust(column)}  [{where}]"


def _short_source(detail: str) -> str:
    steps = [s.split("[", 1)[0] for s in detail.split("/")]
    named = [s for s in steps if s.startswith("qemu:")]
    return named[-1] if named else detail


def _toggle_lines(t: ToggleReport, same_as_main: bool = False) -> list[str]:
    if same_as_main:
        return [f"  {t.label}: changed: exactly the changes above"]
    if t.status == "changed" and t.diff is not None:
        out = [f"  {t.label}: changed: {t.diff.summary()}"]
        out.extend(render_diff_lines(t.diff, "      "))
        return out
    if t.status.startswith("makes-"):
        return [f"  {t.label}: {t.reason}"]
    verdict = t.status.replace("-", " ")
    return [f"  {t.label}: {verdict}: {t.reason}"]
