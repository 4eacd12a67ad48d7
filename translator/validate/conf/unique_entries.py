"""Entries of the domain's own lists that may appear only once (virDomainDefParseIOThreads and
virDomainKeyWrapCipherDefParseXML in domain_conf.c).
"""

from __future__ import annotations

from ...errors import ErrorCode, refuse
from ...model.elem import Elem
from .numbers import number


def _earlier(e: Elem, parent: Elem) -> list[Elem]:
    """The siblings of `e` with its tag that come before it."""
    out: list[Elem] = []
    for sibling in parent.findall(e.tag):
        if sibling is e:
            break
        out.append(sibling)
    return out


def iothread_id(e: Elem, chain: list[Elem]) -> None:
    """<iothreadids><iothread id=...>: each id once."""
    tid = number(e.get("id") or "", "uip")
    if tid is not None and any(number(s.get("id") or "", "uip") == tid
                               for s in _earlier(e, chain[-1])):
        refuse(ErrorCode.XML_ERROR, f"duplicate iothread id '{tid}' found")


def keywrap_cipher(e: Elem, chain: list[Elem]) -> None:
    """<keywrap><cipher name=...>: each cipher once."""
    name = e.get("name")
    if any(s.get("name") == name for s in _earlier(e, chain[-1])):
        refuse(ErrorCode.INTERNAL_ERROR, "A domain definition can have no more than one "
                                         f"cipher node with name {name}")


UNIQUE_ENTRY_RULES = {
    ("domain", "iothreadids", "iothread"): (iothread_id,),
    ("domain", "keywrap", "cipher"): (keywrap_cipher,),
}
