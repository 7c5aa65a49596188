"""Converters between formats, found by name or by file ending. Built-in: AAS JSON, AAS XML, AASX.

Other formats (B2MML, MTConnect, ...) register themselves here with :func:`register` under their own name.
"""

from __future__ import annotations

from pathlib import PurePath

from midas.standard.convert.aas import (
    AAS_JSON,
    AAS_XML,
    AASX,
    AasJsonConverter,
    AasxConverter,
    AasXmlConverter,
    environments_equal,
)
from midas.standard.convert.base import ConversionFailed, Converter

__all__ = [
    "AASX",
    "AAS_JSON",
    "AAS_XML",
    "AasJsonConverter",
    "AasXmlConverter",
    "AasxConverter",
    "ConversionFailed",
    "Converter",
    "converter",
    "converter_for_filename",
    "converters",
    "environments_equal",
    "register",
]

_REGISTRY: dict[str, Converter] = {}


def register(converter: Converter) -> None:
    """Make ``converter`` available under its name; a name is registered once."""
    if converter.name in _REGISTRY and _REGISTRY[converter.name] is not converter:
        raise ValueError(f"a converter named {converter.name!r} is already registered")
    _REGISTRY[converter.name] = converter


def converters() -> tuple[Converter, ...]:
    """Every registered converter, in the order they were registered."""
    return tuple(_REGISTRY.values())


def converter(name: str) -> Converter:
    """The converter registered as ``name``; KeyError names the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no converter {name!r}; known: {', '.join(_REGISTRY)}") from None


def converter_for_filename(filename: str) -> Converter:
    """The converter that claims the ending of ``filename`` (``.json``, ``.xml``, ``.aasx``, ...)."""
    suffix = PurePath(filename).suffix.lower()
    for candidate in _REGISTRY.values():
        if suffix in candidate.extensions:
            return candidate
    raise KeyError(
        f"no converter for files ending in {suffix or '(nothing)'!r}; known: "
        f"{', '.join(e for c in _REGISTRY.values() for e in c.extensions)}"
    )


for _builtin in (AAS_JSON, AAS_XML, AASX):
    register(_builtin)
