"""The K-MDS model: well-formed, bilingual, and reusing the international ids exactly as the published files
write them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from aas_core3 import jsonization, verification
from aas_core3 import types as aas
from lxml import etree

from midas.standard.model import (
    NAMESPACE,
    TEMPLATES,
    VERSION,
    ElementKind,
    ElementSpec,
    all_concepts,
    template_by_id_short,
    template_by_semantic_id,
)
from midas.standard.model.concepts import IDTA_02067, ISO_22400_2, TS_UTC_TIME
from midas.standard.model.production_calendar import PRODUCTION_CALENDAR
from midas.standard.model.production_performance import PROCESS_VARIABLES, PRODUCTION_PERFORMANCE

IDTA_02066 = "idta-templates/IDTA_02066_Template_PVM.json"
IDTA_02067_FILE = "idta-templates/IDTA_02067_Template_ProductionCalendar.json"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def all_specs() -> Iterator[ElementSpec]:
    for template in TEMPLATES:
        yield from template.walk()


def load_environment(path: Path) -> aas.Environment:
    return jsonization.environment_from_jsonable(json.loads(path.read_text(encoding="utf-8")))


def published_elements(shared_standards: Path) -> Iterator[aas.Class]:
    """Every submodel element of every IDTA template file beside the project."""
    for path in sorted((shared_standards / "idta-templates").glob("*.json")):
        for submodel in load_environment(path).submodels or ():
            yield from submodel.descend()


def test_template_id_shorts_and_semantic_ids_are_unique() -> None:
    assert len({template.id_short for template in TEMPLATES}) == len(TEMPLATES)
    assert len({template.semantic_id for template in TEMPLATES}) == len(TEMPLATES)
    for template in TEMPLATES:
        assert template_by_id_short(template.id_short) is template
        assert template_by_semantic_id(template.semantic_id) is template
        assert template.version == VERSION


def test_unknown_template_names_the_ones_there_are() -> None:
    with pytest.raises(KeyError, match="ProductionPerformance"):
        template_by_id_short("Nope")
    assert template_by_semantic_id("https://admin-shell.io/idta/SubmodelTemplate/DigitalNameplate/3/0") is None


def test_every_element_is_well_formed() -> None:
    for spec in all_specs():
        assert verification.matches_id_short(spec.id_short), spec.id_short
        assert spec.semantic_id, spec.id_short
        if spec.kind is ElementKind.PROPERTY:
            assert spec.value_type is not None, spec.id_short
        if spec.kind is ElementKind.LIST:
            assert len(spec.children) == 1, spec.id_short
        if spec.kind not in (ElementKind.COLLECTION, ElementKind.LIST, ElementKind.ENTITY):
            assert not spec.children, spec.id_short
        if spec.fixed_value is not None and spec.codes:
            assert spec.concept.code(spec.fixed_value) is not None, spec.id_short
        if spec.unit_from is not None:
            assert spec.kind is ElementKind.PROPERTY, spec.id_short


def test_id_shorts_are_unique_within_each_container() -> None:
    containers = [template.elements for template in TEMPLATES]
    containers += [spec.children for spec in all_specs() if spec.kind is not ElementKind.LIST]
    for children in containers:
        names = [spec.id_short for spec in children]
        assert len(names) == len(set(names)), names


def test_unit_from_names_a_sibling() -> None:
    def check(children: tuple[ElementSpec, ...]) -> None:
        names = {spec.id_short for spec in children}
        for spec in children:
            if spec.unit_from is not None:
                assert spec.unit_from in names or spec.id_short == "currentValue", spec.id_short
            check(spec.children)

    for template in TEMPLATES:
        check(template.elements)


def test_a_concept_id_means_one_thing() -> None:
    by_id: dict[str, object] = {}
    for template in TEMPLATES:
        for concept in template.concepts():
            assert by_id.setdefault(concept.id, concept) == concept, concept.id


def test_every_concept_is_named_and_defined_in_korean_and_english() -> None:
    for concept in all_concepts():
        assert concept.name_en.strip(), concept.id
        assert concept.definition_en.strip(), concept.id
        assert HANGUL.search(concept.name_ko), concept.id
        assert HANGUL.search(concept.definition_ko), concept.id
        assert not HANGUL.search(concept.name_en + concept.definition_en), concept.id
        for code in concept.codes:
            assert code.code, concept.id
            assert code.name_en, concept.id
            assert code.name_ko, concept.id


def test_codes_are_unique_within_a_code_list() -> None:
    for concept in all_concepts():
        codes = [code.code for code in concept.codes]
        assert len(codes) == len(set(codes)), concept.id


def test_kmds_ids_are_in_the_kmds_namespace_and_say_what_they_are() -> None:
    for concept in all_concepts():
        if concept.is_kmds:
            assert re.fullmatch(rf"{re.escape(NAMESPACE)}1:0:(template|concept):[A-Z][A-Za-z0-9]+", concept.id)
            assert concept.source.startswith("K-MDS")
        else:
            assert not concept.source.startswith("K-MDS"), concept.id
    for template in TEMPLATES:
        assert template.concept.is_kmds


def test_process_variables_are_those_of_idta_02066_exactly(shared_standards: Path) -> None:
    (published,) = load_environment(shared_standards / IDTA_02066).submodels or []
    variables = {
        element.id_short: element
        for element in published.submodel_elements or ()
        if isinstance(element, aas.SubmodelElementCollection)
    }
    assert {variable.id_short for variable in PROCESS_VARIABLES} == set(variables)
    for variable in PROCESS_VARIABLES:
        collection = variables[variable.id_short]
        assert collection.semantic_id is not None
        assert collection.semantic_id.keys[0].value == variable.concept.id
        parts = {part.id_short or "": part for part in collection.value or ()}
        assert isinstance(parts["key"], aas.Property)
        assert parts["key"].value == variable.key
        assert isinstance(parts["currentValue"], aas.Property)
        assert parts["currentValue"].value_type is variable.value_type
        spec = PRODUCTION_PERFORMANCE.element(variable.id_short)
        for name, part in parts.items():
            assert part.semantic_id is not None
            assert spec.child(name).semantic_id == part.semantic_id.keys[0].value


def test_iso_22400_iris_name_classes_of_the_ontology(shared_standards: Path) -> None:
    ontology = etree.parse(str(shared_standards / "iso22400" / "ISO22400-2.owl"))
    classes = set(
        ontology.xpath(
            "//owl:Class/@rdf:about",
            namespaces={
                "owl": "http://www.w3.org/2002/07/owl#",
                "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            },
        )
    )
    used = {concept.id for concept in all_concepts() if concept.id.startswith(ISO_22400_2)}
    assert used
    assert used <= classes


def test_every_international_id_is_one_the_published_templates_use(shared_standards: Path) -> None:
    published: set[str] = set()
    for element in published_elements(shared_standards):
        for attribute in ("semantic_id", "semantic_id_list_element"):
            reference = getattr(element, attribute, None)
            if isinstance(reference, aas.Reference):
                # Two published files write some ids with a trailing space (02067 calendar, 02008 EndTime);
                # their concept descriptions, and K-MDS, write them without.
                published.update(key.value.strip() for key in reference.keys)
    international = {
        concept.id for concept in all_concepts() if not concept.is_kmds and not concept.id.startswith(ISO_22400_2)
    }
    # UtcTime is defined in IDTA 02008-1-1 (Table 10) but the published template file shows only relative time.
    assert international - published == {TS_UTC_TIME.id}


def test_reused_properties_keep_the_published_value_type(shared_standards: Path) -> None:
    published: dict[str, set[aas.DataTypeDefXSD]] = {}
    for element in published_elements(shared_standards):
        if isinstance(element, aas.Property) and element.semantic_id is not None:
            published.setdefault(element.semantic_id.keys[0].value, set()).add(element.value_type)
    compared = 0
    for spec in all_specs():
        if spec.kind is ElementKind.PROPERTY and spec.semantic_id in published and not spec.concept.is_kmds:
            # IDTA 02066's currentValue is a duration for times and a decimal for quantities: one of them.
            assert spec.value_type in published[spec.semantic_id], spec.id_short
            compared += 1
    assert compared >= 20


def test_reused_code_lists_are_the_published_ones(shared_standards: Path) -> None:
    published: dict[str, set[str]] = {}
    for path in sorted((shared_standards / "idta-templates").glob("*.json")):
        for description in load_environment(path).concept_descriptions or ():
            for specification in description.embedded_data_specifications or ():
                content = specification.data_specification_content
                if isinstance(content, aas.DataSpecificationIEC61360) and content.value_list is not None:
                    published[description.id] = {pair.value for pair in content.value_list.value_reference_pairs}
    for concept in all_concepts():
        if concept.codes and concept.id in published:
            assert {code.code for code in concept.codes} == published[concept.id], concept.id


def test_the_changelog_records_this_version() -> None:
    changelog = Path(__file__).resolve().parents[2] / "midas" / "standard" / "CHANGELOG.md"
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert released[0] == VERSION


def calendar_elements(
    elements: list[aas.SubmodelElement], parents: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], aas.SubmodelElement]]:
    """Each element of a calendar with its path of idShorts; a list's items are ``*``."""
    for element in elements:
        path = (*parents, element.id_short or "*")
        yield path, element
        if isinstance(element, aas.SubmodelElementCollection | aas.SubmodelElementList):
            yield from calendar_elements(element.value or [], path)


def test_the_calendar_has_every_element_of_idta_02067(shared_standards: Path) -> None:
    (published,) = load_environment(shared_standards / IDTA_02067_FILE).submodels or []
    by_path: dict[tuple[str, ...], aas.SubmodelElement] = {}
    for path, element in calendar_elements(published.submodel_elements or [], ()):
        by_path.setdefault(path, element)  # 02067 shows three variables; they have the same form
    kmds: dict[tuple[str, ...], ElementSpec] = {}

    def collect(specs: tuple[ElementSpec, ...], parents: tuple[str, ...], *, in_list: bool) -> None:
        for spec in specs:
            path = (*parents, "*" if in_list else spec.id_short)
            kmds[path] = spec
            collect(spec.children, path, in_list=spec.kind is ElementKind.LIST)

    collect(PRODUCTION_CALENDAR.elements, (), in_list=False)
    assert set(by_path) <= set(kmds)
    # 02067 requires its extension variables; K-MDS does not, as it does not require the calendar file.
    published_cardinality = {("specificationExtensionVariables",): "One"}
    for path, element in by_path.items():
        spec = kmds[path]
        assert element.semantic_id is not None
        assert spec.semantic_id == element.semantic_id.keys[0].value.strip(), path
        assert type(element).__name__ == spec.kind.value, path
        if isinstance(element, aas.Property):
            assert element.value_type is spec.value_type, path
        if isinstance(element, aas.File):
            assert element.content_type == spec.content_type, path
        qualifiers = {qualifier.type: qualifier.value for qualifier in element.qualifiers or ()}
        assert qualifiers["SMT/Cardinality"] == published_cardinality.get(path, spec.cardinality.value), path
    from_02067 = {path for path, spec in kmds.items() if spec.semantic_id.startswith(IDTA_02067)}
    assert from_02067 == set(by_path)
