"""One protocol for every converter: bytes in one format to an AAS environment and back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aas_core3 import types as aas_types

from midas.standard.report import Finding

__all__ = ["ConversionFailed", "Converter"]


class ConversionFailed(Exception):
    """The input was read but does not make an environment; ``findings`` say where and why."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        first = self.findings[0].english() if self.findings else "no environment"
        super().__init__(f"{len(self.findings)} problem(s); first: {first}")


class Converter(Protocol):
    """Reads and writes one format. ``name`` is the registry key, ``extensions`` the file endings it claims."""

    @property
    def name(self) -> str: ...

    @property
    def media_type(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    def read(self, data: bytes) -> aas_types.Environment:
        """The environment in ``data``; raises UnreadableFile or ConversionFailed."""
        ...

    def write(self, environment: aas_types.Environment) -> bytes:
        """``environment`` in this format."""
        ...
