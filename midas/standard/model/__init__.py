"""K-MDS v1, the Korean standard model for production data: its concepts and submodel templates, defined once.

Everything K-MDS publishes (template AAS files, JSON Schemas of the record forms, the reference documentation)
and everything it checks (layer 3 conformance) is generated from :data:`TEMPLATES`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from midas.standard.model.elements import (
    Cardinality,
    CodeValue,
    Concept,
    ElementKind,
    ElementSpec,
    SubmodelTemplate,
    TextFormat,
)
from midas.standard.model.energy_carbon import ENERGY_CARBON
from midas.standard.model.equipment import EQUIPMENT_IDENTITY
from midas.standard.model.namespace import NAMESPACE, VERSION
from midas.standard.model.production_calendar import PRODUCTION_CALENDAR
from midas.standard.model.production_performance import PRODUCTION_PERFORMANCE
from midas.standard.model.quality import QUALITY
from midas.standard.model.structure import FACTORY_STRUCTURE
from midas.standard.model.time_series import TIME_SERIES

__all__ = [
    "ENERGY_CARBON",
    "EQUIPMENT_IDENTITY",
    "FACTORY_STRUCTURE",
    "NAMESPACE",
    "PRODUCTION_CALENDAR",
    "PRODUCTION_PERFORMANCE",
    "QUALITY",
    "TEMPLATES",
    "TIME_SERIES",
    "VERSION",
    "Cardinality",
    "CodeValue",
    "Concept",
    "ElementKind",
    "ElementSpec",
    "SubmodelTemplate",
    "TextFormat",
    "all_concepts",
    "template_by_id_short",
    "template_by_semantic_id",
]

#: The K-MDS templates in the order the documentation lists them.
TEMPLATES: Final = (
    FACTORY_STRUCTURE,
    EQUIPMENT_IDENTITY,
    PRODUCTION_PERFORMANCE,
    QUALITY,
    ENERGY_CARBON,
    TIME_SERIES,
    PRODUCTION_CALENDAR,
)

_BY_ID_SHORT: Final = {template.id_short: template for template in TEMPLATES}
_BY_SEMANTIC_ID: Final = {template.semantic_id: template for template in TEMPLATES}


def template_by_id_short(id_short: str) -> SubmodelTemplate:
    """The K-MDS template with this idShort; a KeyError lists the templates there are."""
    try:
        return _BY_ID_SHORT[id_short]
    except KeyError:
        raise KeyError(f"no K-MDS template {id_short!r}; there are {', '.join(_BY_ID_SHORT)}") from None


def template_by_semantic_id(semantic_id: str) -> SubmodelTemplate | None:
    """The K-MDS template a submodel with this semanticId follows, or None when it is not a K-MDS submodel."""
    return _BY_SEMANTIC_ID.get(semantic_id)


def all_concepts() -> Iterator[Concept]:
    """Every concept of every template once, in template order."""
    seen: set[str] = set()
    for template in TEMPLATES:
        for concept in template.concepts():
            if concept.id not in seen:
                seen.add(concept.id)
                yield concept
