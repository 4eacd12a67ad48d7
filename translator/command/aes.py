"""AES-256-CBC encryption (PKCS#7 padding), pure Python.

libvirt hands secrets to QEMU encrypted with the per-domain master key (`masterKey0`) and
a random IV; reproducing `-object secret,...,data=...` needs the same cipher. Only
encryption of short values is needed, so a small table-driven implementation suffices.
"""

from __future__ import annotations


def _xtime(a: int) -> int:
    a <<= 1
    return (a ^ 0x1B) & 0xFF if a & 0x100 else a


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


SBOX = _sbox()


def _expand_key(key: bytes) -> list[list[int]]:
    nk, nr = len(key) // 4, {16: 10, 24: 12, 32: 14}[len(key)]
    w = [list(key[4 * i:4 * i + 4]) for i in range(nk)]
    rcon = 1
    for i in range(nk, 4 * (nr + 1)):
        t = list(w[i - 1])
        if i % nk == 0:
            t = [SBOX[b] for b in t[1:] + t[:1]]
            t[0] ^= rcon
            rcon = _xtime(rcon)
        elif nk > 6 and i % nk == 4:
            t = [SBOX[b] for b in t]
        w.append([a ^ b for a, b in zip(w[i - nk], t)])
    return [sum(w[4 * r:4 * r + 4], []) for r in range(nr + 1)]


def _encrypt_block(block: list[int], rounds: list[list[int]]) -> list[int]:
    s = [b ^ k for b, k in zip(block, rounds[0])]
    for r in range(1, len(rounds)):
        s = [SBOX[b] for b in s]
        # shift rows (state is column-major: index = 4*col + row)
        s = [s[4 * ((c + row) % 4) + row] for c in range(4) for row in range(4)]
        if r != len(rounds) - 1:
            out = []
            for c in range(4):
                a = s[4 * c:4 * c + 4]
                t = a[0] ^ a[1] ^ a[2] ^ a[3]
                out += [a[i] ^ t ^ _xtime(a[i] ^ a[(i + 1) % 4]) for i in range(4)]
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
