"""The building blocks of the K-MDS model: concepts, element specifications and submodel templates.

A :class:`Concept` says what something means (its semanticId, names and definitions in Korean and English, its
unit and code list) and becomes one ConceptDescription. An :class:`ElementSpec` says how a concept appears in a
template (idShort, kind of element, value type, cardinality, allowed values). A :class:`SubmodelTemplate` is a
tree of element specifications. Everything K-MDS publishes is generated from these objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from aas_core3.types import DataTypeDefXSD

from midas.standard.model.namespace import NAMESPACE, kmds_code_id

__all__ = [
    "Cardinality",
    "CodeValue",
    "Concept",
    "ElementKind",
    "ElementSpec",
    "SubmodelTemplate",
    "TextFormat",
    "collection_spec",
    "entity_spec",
    "file_spec",
    "list_spec",
    "property_spec",
    "reference_spec",
    "relationship_spec",
    "text_spec",
]


class ElementKind(StrEnum):
    """The AAS submodel element class a template element must be (the JSON ``modelType``)."""

    PROPERTY = "Property"
    MULTI_LANGUAGE_PROPERTY = "MultiLanguageProperty"
    RANGE = "Range"
    COLLECTION = "SubmodelElementCollection"
    LIST = "SubmodelElementList"
    ENTITY = "Entity"
    REFERENCE = "ReferenceElement"
    RELATIONSHIP = "RelationshipElement"
    FILE = "File"
    BLOB = "Blob"


class Cardinality(StrEnum):
    """How often an element occurs in its container (the IDTA ``SMT/Cardinality`` qualifier values)."""

    ONE = "One"
    ZERO_TO_ONE = "ZeroToOne"
    ZERO_TO_MANY = "ZeroToMany"
    ONE_TO_MANY = "OneToMany"

    @property
    def required(self) -> bool:
        return self in (Cardinality.ONE, Cardinality.ONE_TO_MANY)

    @property
    def repeatable(self) -> bool:
        return self in (Cardinality.ZERO_TO_MANY, Cardinality.ONE_TO_MANY)


class TextFormat(StrEnum):
    """A format K-MDS requires of a value beyond its XSD type (e.g. a timestamp kept in an ``xs:string``)."""

    DATE_TIME_WITH_OFFSET = "date-time"


@dataclass(frozen=True, slots=True)
class CodeValue:
    """One entry of a code list: the value written in the data, its names, and the id of its meaning."""

    code: str
    name_en: str
    name_ko: str
    value_id: str = ""

    def identifier(self, concept_id: str) -> str:
        """The valueId of this code: the given one (e.g. an ECLASS value IRDI) or one in the K-MDS namespace."""
        return self.value_id or kmds_code_id(concept_id, self.code)


@dataclass(frozen=True, slots=True)
class Concept:
    """One meaning with one global id; published as a ConceptDescription with an IEC 61360 data specification.

    ``source`` names where the id comes from (e.g. "ISO 22400-2 via IDTA 02066"); concepts in the K-MDS namespace
    are K-MDS's own additions.
    """

    id: str
    name_en: str
    name_ko: str
    definition_en: str
    definition_ko: str
    source: str
    unit: str | None = None
    codes: tuple[CodeValue, ...] = ()

    @property
    def is_kmds(self) -> bool:
        return self.id.startswith(NAMESPACE)

    def code(self, value: str) -> CodeValue | None:
        return next((code for code in self.codes if code.code == value), None)


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """How one concept appears in a template.

    ``record_value`` names the child whose value stands for the whole collection in the plain-JSON record form
    (the IDTA 02066 pattern: a collection of key, currentValue and comment is written as its current value).
    ``extensible`` containers accept further elements of any semantics (e.g. the signals of a time series
    record) without a finding. ``unit_from`` names a sibling element whose value is the unit of this one.
    ``self_managed_entity`` marks an Entity that stands for an asset with its own AAS (IDTA 02011's entry node).
    A collection that does not ``hold_values`` declares elements and their value types only (IDTA 02008's
    metadata record, which lists the signals a time series records).
    """

    id_short: str
    kind: ElementKind
    concept: Concept
    cardinality: Cardinality
    value_type: DataTypeDefXSD | None = None
    children: tuple[ElementSpec, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    fixed_value: str | None = None
    pattern: str | None = None
    text_format: TextFormat | None = None
    content_type: str | None = None
    extensible: bool = False
    record_value: str | None = None
    unit_from: str | None = None
    self_managed_entity: bool = False
    holds_values: bool = True

    @property
    def semantic_id(self) -> str:
        return self.concept.id

    @property
    def unit(self) -> str | None:
        return self.concept.unit

    @property
    def codes(self) -> tuple[CodeValue, ...]:
        return self.concept.codes

    def child(self, id_short: str) -> ElementSpec:
        """The child with this idShort; a KeyError names the template element that is not there."""
        for spec in self.children:
            if spec.id_short == id_short:
                return spec
        raise KeyError(f"{self.id_short} has no element {id_short}")

    @property
    def item(self) -> ElementSpec:
        """The one element specification of a SubmodelElementList's items."""
        if self.kind is not ElementKind.LIST or len(self.children) != 1:
            raise TypeError(f"{self.id_short} is not a list with one item specification")
        return self.children[0]

    def walk(self) -> Iterator[ElementSpec]:
        """This specification and all below it, depth first."""
        yield self
        for spec in self.children:
            yield from spec.walk()


@dataclass(frozen=True, slots=True)
class SubmodelTemplate:
    """One K-MDS submodel template: its concept (whose id is the submodel's semanticId) and its elements."""

    id_short: str
    concept: Concept
    elements: tuple[ElementSpec, ...]
    version: str

    @property
    def semantic_id(self) -> str:
        return self.concept.id

    def element(self, id_short: str) -> ElementSpec:
        """The top-level element with this idShort; a KeyError names the element that is not there."""
        for spec in self.elements:
            if spec.id_short == id_short:
                return spec
        raise KeyError(f"{self.id_short} has no element {id_short}")

    def walk(self) -> Iterator[ElementSpec]:
        """Every element specification of the template, depth first."""
        for spec in self.elements:
            yield from spec.walk()

    def concepts(self) -> Iterator[Concept]:
        """The template's own concept, then every element's, in template order (repeats included)."""
        yield self.concept
        for spec in self.walk():
            yield spec.concept


def property_spec(
    id_short: str,
    concept: Concept,
    value_type: DataTypeDefXSD,
    cardinality: Cardinality,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    fixed_value: str | None = None,
    pattern: str | None = None,
    text_format: TextFormat | None = None,
    unit_from: str | None = None,
) -> ElementSpec:
    """A Property element."""
    return ElementSpec(
        id_short=id_short,
        kind=ElementKind.PROPERTY,
        concept=concept,
        cardinality=cardinality,
        value_type=value_type,
        minimum=minimum,
        maximum=maximum,
        fixed_value=fixed_value,
        pattern=pattern,
        text_format=text_format,
        unit_from=unit_from,
    )


def text_spec(id_short: str, concept: Concept, cardinality: Cardinality) -> ElementSpec:
    """A MultiLanguageProperty element (a text given in several languages)."""
    return ElementSpec(
        id_short=id_short, kind=ElementKind.MULTI_LANGUAGE_PROPERTY, concept=concept, cardinality=cardinality
    )


def collection_spec(
    id_short: str,
    concept: Concept,
    cardinality: Cardinality,
    children: tuple[ElementSpec, ...],
    *,
    extensible: bool = False,
    record_value: str | None = None,
    holds_values: bool = True,
) -> ElementSpec:
    """A SubmodelElementCollection element with the given children."""
    return ElementSpec(
        id_short=id_short,
        kind=ElementKind.COLLECTION,
        concept=concept,
        cardinality=cardinality,
        children=children,
        extensible=extensible,
        record_value=record_value,
        holds_values=holds_values,
    )


def list_spec(id_short: str, concept: Concept, cardinality: Cardinality, item: ElementSpec) -> ElementSpec:
    """A SubmodelElementList element whose items all follow ``item`` (whose idShort names items in docs only)."""
    return ElementSpec(
        id_short=id_short, kind=ElementKind.LIST, concept=concept, cardinality=cardinality, children=(item,)
    )


def entity_spec(
    id_short: str,
    concept: Concept,
    cardinality: Cardinality,
    statements: tuple[ElementSpec, ...],
    *,
    self_managed: bool = False,
) -> ElementSpec:
    """An Entity element whose statements follow ``statements``."""
    return ElementSpec(
        id_short=id_short,
        kind=ElementKind.ENTITY,
        concept=concept,
        cardinality=cardinality,
        children=statements,
        self_managed_entity=self_managed,
    )


def relationship_spec(id_short: str, concept: Concept, cardinality: Cardinality) -> ElementSpec:
    """A RelationshipElement."""
    return ElementSpec(id_short=id_short, kind=ElementKind.RELATIONSHIP, concept=concept, cardinality=cardinality)


def file_spec(id_short: str, concept: Concept, cardinality: Cardinality, *, content_type: str) -> ElementSpec:
    """A File element whose content must be of ``content_type``."""
    return ElementSpec(
        id_short=id_short, kind=ElementKind.FILE, concept=concept, cardinality=cardinality, content_type=content_type
    )


def reference_spec(id_short: str, concept: Concept, cardinality: Cardinality) -> ElementSpec:
    """A ReferenceElement."""
    return ElementSpec(id_short=id_short, kind=ElementKind.REFERENCE, concept=concept, cardinality=cardinality)
