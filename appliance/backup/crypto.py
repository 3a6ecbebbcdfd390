"""The backup file's encryption: a key from the passphrase by scrypt, the stream cut into chunks each sealed with
AES-256-GCM, streamed both ways (a large journal never sits in memory).

    header  = MAGIC (8) | version (1) | scrypt log2 n, r, p (3 bytes) | salt (16) | nonce prefix (8)
    chunk   = length of the sealed chunk (4, big-endian) | AES-GCM(key, prefix + counter (4), data, AAD)
    AAD     = header | counter (4) | last (1: 1 for the final chunk, else 0)

Each chunk's nonce is unique (a random prefix per file and a counter), the header is authenticated with every chunk,
and the final chunk is marked: a changed, reordered, cut or extended file, or a wrong passphrase, is refused
(BackupError) before any of its data is used."""
from __future__ import annotations

import os
import struct
from typing import BinaryIO

MAGIC = b"CBXBKUP\x00"
VERSION = 1
SCRYPT = (15, 8, 1)         # log2 n, r, p: 32 MiB and a fraction of a second on the box, once per backup
CHUNK = 1 << 20
TAG = 16
MIN_PASSPHRASE = 10
HEADER = struct.Struct(">8sBBBB16s8s")


class BackupError(ValueError):
    """A backup that cannot be read: wrong passphrase, damaged, cut short, or not a backup; the message says which."""


def _aead(passphrase: str, salt: bytes, log_n: int, r: int, p: int):
    """AES-256-GCM with the key scrypt derives from the passphrase."""
    if log_n > 20 or r > 16 or p > 4:      # a file must not make us spend gigabytes
        raise BackupError("not a Callbox backup (scrypt parameters out of range)")
    # late: cryptography (its Rust core, ~5 MB of PSS) only while a backup is made or read, not in the web's pages
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
    return AESGCM(Scrypt(salt=salt, length=32, n=1 << log_n, r=r, p=p).derive(passphrase.encode("utf-8")))


class EncryptingWriter:
    """A write-only file object: what is written is encrypted to `out` chunk by chunk; close() seals the last one."""

    def __init__(self, out: BinaryIO, passphrase: str):
        if len(passphrase) < MIN_PASSPHRASE:
            raise BackupError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
        salt, self.prefix = os.urandom(16), os.urandom(8)
        self.header = HEADER.pack(MAGIC, VERSION, *SCRYPT, salt, self.prefix)
        self.aead = _aead(passphrase, salt, *SCRYPT)
        self.out, self.buf, self.counter, self.closed = out, bytearray(), 0, False
        out.write(self.header)

    def _seal(self, data: bytes, last: bool) -> None:
        counter = struct.pack(">I", self.counter)
        sealed = self.aead.encrypt(self.prefix + counter, data, self.header + counter + bytes([last]))
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def write(self, data: bytes) -> int:
        self.buf += data
        while len(self.buf) > CHUNK:       # keep at least one byte back: the last chunk is sealed by close()
            self._seal(bytes(self.buf[:CHUNK]), False)
            del self.buf[:CHUNK]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self.buf), True)
            self.buf.clear()
            self.closed = True


class DecryptingReader:
    """A read-only file object over an encrypted backup: read(n) gives the plain bytes, each chunk checked first."""

    def __init__(self, src: BinaryIO, passphrase: str):
        self.header = src.read(HEADER.size)
        if len(self.header) < HEADER.size or not self.header.startswith(MAGIC):
            raise BackupError("not a Callbox backup file")
        _magic, version, log_n, r, p, salt, self.prefix = HEADER.unpack(self.header)
        if version != VERSION:
            raise BackupError(f"backup format {version}: this release reads format {VERSION}")
        self.aead = _aead(passphrase, salt, log_n, r, p)
        self.src, self.buf, self.pos, self.counter, self.done = src, b"", 0, 0, False

    def _next(self) -> None:
        from cryptography.exceptions import InvalidTag   # late: as in _aead (loaded by then)
        size = self.src.read(4)
        if len(size) < 4:
            raise BackupError("the backup is cut short (its last part is missing)")
        (length,) = struct.unpack(">I", size)
        if not TAG <= length <= CHUNK + TAG:
            raise BackupError("the backup is damaged (a part of impossible length)")
        sealed = self.src.read(length)
        if len(sealed) < length:
            raise BackupError("the backup is cut short (its last part is missing)")
        counter = struct.pack(">I", self.counter)
        for last in (False, True):
            try:
                plain = self.aead.decrypt(self.prefix + counter, sealed, self.header + counter + bytes([last]))
            except InvalidTag:
                continue
            break
        else:
            raise BackupError("wrong passphrase, or the backup is damaged" if self.counter == 0 else
                              "the backup is damaged")
        self.counter += 1
        if last:
            if self.src.read(1):
                raise BackupError("the backup is damaged (data after its end)")
            self.done = True
        self.buf += plain

    def read(self, n: int = -1) -> bytes:
        while not self.done and (n < 0 or len(self.buf) - self.pos < n):
            if self.pos:                   # drop what was read before adding a chunk: no copy per small read
                self.buf, self.pos = self.buf[self.pos:], 0
            self._next()
        end = len(self.buf) if n < 0 else min(len(self.buf), self.pos + n)
        out = self.buf[self.pos:end]
        self.pos = end
        return out
