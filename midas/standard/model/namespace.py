"""The K-MDS namespace: the ids K-MDS gives to what no international standard names yet.

K-MDS ids are URNs, ``urn:kr:midas:kmds:<major>:<minor>:<kind>:<Name>``. A URN because K-MDS has no web home
that would resolve an http IRI, and an IRI that looks resolvable but is not misleads; ``kr:midas`` because
the model belongs to this project. The version in an id is the K-MDS version that introduced the id: an id
keeps its version for as long as its meaning stays the same, so data written against 1.0 stays valid in 1.x.
"""

from __future__ import annotations

from typing import Final

__all__ = ["NAMESPACE", "VERSION", "kmds_code_id", "kmds_concept_id", "kmds_template_id"]

#: The semantic version of the K-MDS model (see CHANGELOG.md beside this package).
VERSION: Final = "1.0.0"

#: Every K-MDS id starts with this.
NAMESPACE: Final = "urn:kr:midas:kmds:"

_ID_VERSION: Final = "1:0"


def kmds_template_id(name: str) -> str:
    """The semanticId (and the template id) of a K-MDS submodel template."""
    return f"{NAMESPACE}{_ID_VERSION}:template:{name}"


def kmds_concept_id(name: str) -> str:
    """The semanticId of a concept K-MDS adds."""
    return f"{NAMESPACE}{_ID_VERSION}:concept:{name}"


def kmds_code_id(concept_id: str, code: str) -> str:
    """The valueId of one code of a K-MDS code list, derived from its concept's id."""
    name = concept_id.rsplit(":", 1)[-1]
    return f"{NAMESPACE}{_ID_VERSION}:code:{name}:{code}"
