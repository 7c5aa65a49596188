"""Where the K-MDS model meets the AAS metamodel (aas-core3.0): element classes, references and texts.

Shared by the template generator, the record converter and the conformance checker, so all three agree on
which aas_core3 class an element kind is and on how a semanticId is written.
"""

from __future__ import annotations

from typing import Final

from aas_core3 import types as aas

from midas.standard.model.elements import Concept, ElementKind

__all__ = [
    "ELEMENT_CLASSES",
    "IEC_61360_DATA_SPECIFICATION",
    "INTENTIONALLY_EMPTY",
    "LIST_ELEMENT_TYPES",
    "definition_texts",
    "first_key_value",
    "global_reference",
    "name_texts",
]

#: The aas_core3 class each element kind must be an instance of.
ELEMENT_CLASSES: Final[dict[ElementKind, type[aas.SubmodelElement]]] = {
    ElementKind.PROPERTY: aas.Property,
    ElementKind.MULTI_LANGUAGE_PROPERTY: aas.MultiLanguageProperty,
    ElementKind.RANGE: aas.Range,
    ElementKind.COLLECTION: aas.SubmodelElementCollection,
    ElementKind.LIST: aas.SubmodelElementList,
    ElementKind.ENTITY: aas.Entity,
    ElementKind.REFERENCE: aas.ReferenceElement,
    ElementKind.RELATIONSHIP: aas.RelationshipElement,
    ElementKind.FILE: aas.File,
    ElementKind.BLOB: aas.Blob,
}

#: The ``typeValueListElement`` a SubmodelElementList of items of each kind declares.
LIST_ELEMENT_TYPES: Final[dict[ElementKind, aas.AASSubmodelElements]] = {
    ElementKind.PROPERTY: aas.AASSubmodelElements.PROPERTY,
    ElementKind.MULTI_LANGUAGE_PROPERTY: aas.AASSubmodelElements.MULTI_LANGUAGE_PROPERTY,
    ElementKind.RANGE: aas.AASSubmodelElements.RANGE,
    ElementKind.COLLECTION: aas.AASSubmodelElements.SUBMODEL_ELEMENT_COLLECTION,
    ElementKind.LIST: aas.AASSubmodelElements.SUBMODEL_ELEMENT_LIST,
    ElementKind.ENTITY: aas.AASSubmodelElements.ENTITY,
    ElementKind.REFERENCE: aas.AASSubmodelElements.REFERENCE_ELEMENT,
    ElementKind.RELATIONSHIP: aas.AASSubmodelElements.RELATIONSHIP_ELEMENT,
    ElementKind.FILE: aas.AASSubmodelElements.FILE,
    ElementKind.BLOB: aas.AASSubmodelElements.BLOB,
}

IEC_61360_DATA_SPECIFICATION: Final = "https://admin-shell.io/DataSpecificationTemplates/DataSpecificationIec61360/3/0"

#: IDTA's placeholder for a reference a template cannot fill (e.g. the two ends of a template relationship).
INTENTIONALLY_EMPTY: Final = "https://admin-shell.io/SMT/General/IntentionallyEmpty"


def global_reference(value: str) -> aas.Reference:
    """An external reference to a global id (how semanticIds and valueIds are written)."""
    return aas.Reference(
        type=aas.ReferenceTypes.EXTERNAL_REFERENCE,
        keys=[aas.Key(type=aas.KeyTypes.GLOBAL_REFERENCE, value=value)],
    )


def first_key_value(reference: aas.Reference | None) -> str | None:
    """The value of a reference's first key: the id a semanticId names (None when there is none)."""
    if reference is None or not reference.keys:
        return None
    return reference.keys[0].value


def name_texts(concept: Concept) -> list[aas.LangStringNameType]:
    """The concept's names as a displayName, English first."""
    return [
        aas.LangStringNameType(language="en", text=concept.name_en),
        aas.LangStringNameType(language="ko", text=concept.name_ko),
    ]


def definition_texts(concept: Concept) -> list[aas.LangStringTextType]:
    """The concept's definitions as a description, English first."""
    return [
        aas.LangStringTextType(language="en", text=concept.definition_en),
        aas.LangStringTextType(language="ko", text=concept.definition_ko),
    ]
