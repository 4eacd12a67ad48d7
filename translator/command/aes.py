"""AES-256-CBC encryption (PKCS#7 padding), pure Python.

libvirt hands secrets to QEMU encrypted with the per-domain master key (`masterKey0`) and
a random IV; reproducing `-object secret,...,data=...` needs the same cipher. Only
encryption of short values is needed, so a small table-driven implementation suffices.
"""

from __future__ import annotations


import functools


def _xtime(a: int) -> int:
    a <<= 1
    return (a ^ 0x1B) & 0xFF if a & 0x100 else a


@functools.cache
def _tables() -> tuple[list[int], list[int]]:
    """The S-box and the xtime (multiply by 2 in GF(2^8)) table, made on first use: most
    domains have no secret, so importing the builders should not build them."""
    return _sbox(), [_xtime(a) for a in range(256)]


def _sbox() -> list[int]:
    sbox = [0] * 256
    p = q = 1
    while True:
        p = p ^ ((p << 1) & 0xFF) ^ (0x1B if p & 0x80 else 0)  # p * 3
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        if q & 0x80:
            q ^= 0x09
        x = q ^ _rotl8(q, 1) ^ _rotl8(q, 2) ^ _rotl8(q, 3) ^ _rotl8(q, 4)
        sbox[p] = x ^ 0x63
        if p == 1:
            break
    sbox[0] = 0x63
    return sbox


def _rotl8(x: int, s: int) -> int:
    return ((x << s) | (x >> (8 - s))) & 0xFF


def _expand_key(key: bytes) -> list[list[int]]:
    sbox = _tables()[0]
    nk, nr = len(key) // 4, {16: 10, 24: 12, 32: 14}[len(key)]
    w = [list(key[4 * i:4 * i + 4]) for i in range(nk)]
    rcon = 1
    for i in range(nk, 4 * (nr + 1)):
        t = list(w[i - 1])
        if i % nk == 0:
            t = [sbox[b] for b in t[1:] + t[:1]]
            t[0] ^= rcon
            rcon = _xtime(rcon)
        elif nk > 6 and i % nk == 4:
            t = [sbox[b] for b in t]
        w.append([a ^ b for a, b in zip(w[i - nk], t)])
    return [sum(w[4 * r:4 * r + 4], []) for r in range(nr + 1)]


# ShiftRows as a permutation of the column-major state (index = 4*col + row)
_SHIFT_ROWS = tuple(4 * ((c + row) % 4) + row for c in range(4) for row in range(4))


def _encrypt_block(block: list[int], rounds: list[list[int]]) -> list[int]:
    sbox, xtime = _tables()
    s = [b ^ k for b, k in zip(block, rounds[0])]
    last = len(rounds) - 1
    for r in range(1, len(rounds)):
        s = [sbox[s[i]] for i in _SHIFT_ROWS]  # SubBytes and ShiftRows (they commute)
        if r != last:
            out: list[int] = []
            for c in range(0, 16, 4):
                a0, a1, a2, a3 = s[c:c + 4]
                t = a0 ^ a1 ^ a2 ^ a3
                out += (a0 ^ t ^ xtime[a0 ^ a1], a1 ^ t ^ xtime[a1 ^ a2],
                        a2 ^ t ^ xtime[a2 ^ a3], a3 ^ t ^ xtime[a3 ^ a0])
            s = out
        s = [b ^ k for b, k in zip(s, rounds[r])]
    return s


def aes_cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    rounds = _expand_key(key)
    pad = 16 - len(data) % 16
    data += bytes([pad]) * pad
    prev = list(iv)
    out = bytearray()
    for i in range(0, len(data), 16):
        block = [b ^ p for b, p in zip(data[i:i + 16], prev)]
        prev = _encrypt_block(block, rounds)
        out += bytes(prev)
    return bytes(out)
