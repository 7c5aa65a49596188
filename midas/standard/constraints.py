"""Layer 2: the constraints of the AAS metamodel (AASd-xxx, AASc-xxx), checked by aas-core3.0's verification.

Each verification error becomes a finding with the constraint id taken from its cause ("Constraint AASd-119:
..."); invariants of the metamodel that have no constraint id (non-empty lists, unique languages, string lengths)
get the rule ``AAS-META``. Paths use aas-core's notation (``.submodels[0].submodel_elements[2]``), like layer 3.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aas_core3 import types as aas_types
from aas_core3 import verification

from midas.standard.report import Finding, Layer, Severity

__all__ = ["METAMODEL_RULE", "constraint_findings", "constraint_id"]

METAMODEL_RULE = "AAS-META"
_CONSTRAINT_ID = re.compile(r"\b(AAS[a-z]-(?:[0-9a-z]+-)?[0-9]{3}[a-z]?)\b")


def constraint_id(cause: str) -> str:
    """The constraint id a verification cause names (``AASd-119``, ``AASc-3a-010``), else ``AAS-META``."""
    match = _CONSTRAINT_ID.search(cause)
    return match.group(1) if match else METAMODEL_RULE


def constraint_findings(environment: aas_types.Environment) -> Iterator[Finding]:
    """Every metamodel constraint ``environment`` breaks, in the order aas-core finds them."""
    for error in verification.verify(environment):
        yield Finding(
            Layer.CONSTRAINTS,
            constraint_id(error.cause),
            str(error.path),
            "{cause}",
            {"cause": error.cause},
            Severity.ERROR,
        )
