"""How much a reader accepts before it refuses: sizes, member counts and compression ratios."""

from __future__ import annotations

from dataclasses import dataclass

from midas.standard.io.errors import UnreadableFile

__all__ = ["DEFAULT_MAX_BYTES", "ReadLimits", "check_size", "oversize"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Limits for one file. ``max_bytes`` bounds the file as received and every part unpacked from a package;
    ``max_unpacked_bytes`` bounds the sum of a package's parts, ``max_ratio`` one part's compression ratio
    (a zip bomb packs gigabytes into kilobytes), ``max_members`` the number of parts."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked_bytes: int = 4 * DEFAULT_MAX_BYTES
    max_ratio: int = 200
    max_members: int = 10_000

    @classmethod
    def for_size(cls, max_bytes: int) -> ReadLimits:
        """Limits scaled from one size: a package may unpack to four times the size of a file."""
        return cls(max_bytes=max_bytes, max_unpacked_bytes=4 * max_bytes)


def oversize(size: int, limit: int) -> UnreadableFile:
    """The refusal of a file of ``size`` bytes (for callers that know the size before reading the bytes)."""
    return UnreadableFile(
        "READ-SIZE", "The file is {size} bytes; the limit is {limit} bytes", {"size": size, "limit": limit}
    )


def check_size(data: bytes, max_bytes: int) -> None:
    """Refuse ``data`` larger than ``max_bytes``."""
    if len(data) > max_bytes:
        raise oversize(len(data), max_bytes)
