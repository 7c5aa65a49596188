"""The XSD value types K-MDS treats as numbers, defined once for the templates, the record schemas and
conformance.

XSD derives every integer type from ``xs:decimal`` by restriction (``xs:integer`` and the signed, unsigned,
positive and negative types below it); ``xs:double`` and ``xs:float`` are floating point. ``xs:duration`` is
not among them: K-MDS reads it as a number of seconds, but its lexical form is not a number's.
"""

from __future__ import annotations

from typing import Final

from aas_core3.types import DataTypeDefXSD

__all__ = ["INTEGER_TYPES", "NUMERIC_TYPES", "REAL_TYPES"]

#: Every XSD integer type (all derived from xs:integer).
INTEGER_TYPES: Final = frozenset(
    {
        DataTypeDefXSD.INTEGER,
        DataTypeDefXSD.LONG,
        DataTypeDefXSD.INT,
        DataTypeDefXSD.SHORT,
        DataTypeDefXSD.BYTE,
        DataTypeDefXSD.NON_NEGATIVE_INTEGER,
        DataTypeDefXSD.POSITIVE_INTEGER,
        DataTypeDefXSD.NON_POSITIVE_INTEGER,
        DataTypeDefXSD.NEGATIVE_INTEGER,
        DataTypeDefXSD.UNSIGNED_LONG,
        DataTypeDefXSD.UNSIGNED_INT,
        DataTypeDefXSD.UNSIGNED_SHORT,
        DataTypeDefXSD.UNSIGNED_BYTE,
    }
)

#: The XSD number types that are not integers: xs:decimal and the floating-point types.
REAL_TYPES: Final = frozenset({DataTypeDefXSD.DECIMAL, DataTypeDefXSD.DOUBLE, DataTypeDefXSD.FLOAT})

#: Every XSD number type.
NUMERIC_TYPES: Final = INTEGER_TYPES | REAL_TYPES
