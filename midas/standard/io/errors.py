"""Why a file could not be read at all: one :class:`UnreadableFile` per refusal, carrying its finding."""

from __future__ import annotations

from collections.abc import Mapping

from midas.standard.report import Finding, Layer, Severity

__all__ = ["UnreadableFile"]


class UnreadableFile(Exception):
    """The bytes are not a file we can (or may) read: wrong encoding, broken syntax, too large, unsafe.

    ``rule`` is a stable id (``READ-...``), ``message`` an English message id with ``{name}`` parameters, and
    ``path`` says where in the file (a package member, or empty for the whole file).
    """

    def __init__(
        self, rule: str, message: str, params: Mapping[str, str | int | float] | None = None, *, path: str = ""
    ) -> None:
        self.rule = rule
        self.message = message
        self.params: Mapping[str, str | int | float] = dict(params or {})
        self.path = path
        super().__init__(message.format(**self.params))

    def finding(self) -> Finding:
        """The refusal as a finding of the read layer."""
        return Finding(Layer.READ, self.rule, self.path, self.message, self.params, Severity.ERROR)
