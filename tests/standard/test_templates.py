"""The generated K-MDS templates: clean under aas-core3.0 and K-MDS conformance, stable through JSON and XML,
and every element described in Korean and English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aas_core3 import jsonization, verification, xmlization
from aas_core3 import types as aas

from midas.standard.conformance import check_conformance
from midas.standard.model import TEMPLATES, SubmodelTemplate
from midas.standard.model.aas import IEC_61360_DATA_SPECIFICATION
from midas.standard.templates import (
    example_environment,
    example_record,
    example_submodel,
    production_performance_submodel,
    template_concept_descriptions,
    template_environment,
    template_submodels,
)

KST = timezone(timedelta(hours=9))


def semantic_references(environment: aas.Environment) -> Iterator[tuple[str, aas.Reference | None]]:
    """The semanticId of every submodel and submodel element (and of every list's items), with a label."""
    for submodel in environment.submodels or ():
        yield submodel.id_short or submodel.id, submodel.semantic_id
        for element in submodel.descend():
            if isinstance(element, aas.SubmodelElement):
                yield element.id_short or "(list item)", element.semantic_id
            if isinstance(element, aas.SubmodelElementList):
                yield f"{element.id_short} items", element.semantic_id_list_element


def test_the_templates_verify_clean_with_aas_core() -> None:
    assert [f"{error.path}: {error.cause}" for error in verification.verify(template_environment())] == []


def test_the_templates_conform_to_k_mds() -> None:
    assert list(check_conformance(template_environment())) == []


def test_the_templates_round_trip_through_json() -> None:
    jsonable = jsonization.to_jsonable(template_environment())
    assert jsonization.to_jsonable(jsonization.environment_from_jsonable(jsonable)) == jsonable


def test_the_templates_round_trip_through_xml() -> None:
    environment = template_environment()
    again = xmlization.environment_from_str(xmlization.to_str(environment))
    assert jsonization.to_jsonable(again) == jsonization.to_jsonable(environment)


def test_there_is_one_template_submodel_per_template() -> None:
    submodels = template_submodels()
    assert [submodel.id_short for submodel in submodels] == [template.id_short for template in TEMPLATES]
    for submodel, template in zip(submodels, TEMPLATES, strict=True):
        assert submodel.kind is aas.ModellingKind.TEMPLATE
        assert submodel.semantic_id is not None
        assert submodel.semantic_id.keys[0].value == template.semantic_id
        assert submodel.administration is not None
        assert (submodel.administration.version, submodel.administration.revision) == ("1", "0")


def test_every_template_element_carries_its_cardinality() -> None:
    for submodel, template in zip(template_submodels(), TEMPLATES, strict=True):
        expected = [spec.cardinality.value for spec in template.walk()]
        found = [
            qualifier.value
            for element in submodel.descend()
            if isinstance(element, aas.SubmodelElement)
            for qualifier in element.qualifiers or ()
            if qualifier.type == "SMT/Cardinality"
        ]
        assert found == expected, template.id_short


def test_every_element_has_a_concept_description_in_korean_and_english() -> None:
    environment = template_environment()
    descriptions = {concept.id: concept for concept in environment.concept_descriptions or ()}
    for label, reference in semantic_references(environment):
        assert reference is not None, label
        assert reference.keys, label
        concept = descriptions[reference.keys[0].value]
        (specification,) = concept.embedded_data_specifications or []
        assert specification.data_specification.keys[0].value == IEC_61360_DATA_SPECIFICATION
        content = specification.data_specification_content
        assert isinstance(content, aas.DataSpecificationIEC61360), label
        assert {text.language for text in content.preferred_name} == {"en", "ko"}, label
        assert {text.language for text in content.definition or ()} == {"en", "ko"}, label
        assert all(text.text.strip() for text in [*content.preferred_name, *(content.definition or ())]), label


def test_every_concept_description_is_used() -> None:
    environment = template_environment()
    used = {reference.keys[0].value for _label, reference in semantic_references(environment) if reference}
    assert {concept.id for concept in template_concept_descriptions()} == used


def test_concept_descriptions_carry_units_and_code_lists() -> None:
    descriptions = {concept.id: concept for concept in template_concept_descriptions()}
    for template in TEMPLATES:
        for spec in template.walk():
            (specification,) = descriptions[spec.semantic_id].embedded_data_specifications or []
            content = specification.data_specification_content
            assert isinstance(content, aas.DataSpecificationIEC61360)
            assert content.unit == spec.unit, spec.id_short
            listed = [pair.value for pair in content.value_list.value_reference_pairs] if content.value_list else []
            assert listed == [code.code for code in spec.codes], spec.id_short


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.id_short)
def test_each_template_has_an_example_that_verifies_and_conforms(template: SubmodelTemplate) -> None:
    environment = aas.Environment(submodels=[example_submodel(template.id_short)])
    assert [f"{error.path}: {error.cause}" for error in verification.verify(environment)] == []
    assert list(check_conformance(environment)) == []


def test_the_example_environment_verifies_and_conforms() -> None:
    environment = example_environment()
    assert [submodel.id_short for submodel in environment.submodels or ()] == [t.id_short for t in TEMPLATES]
    assert list(verification.verify(environment)) == []
    assert list(check_conformance(environment)) == []


def test_example_records_are_copies() -> None:
    record = example_record("ProductionPerformance")
    record["ProducedQuantity"] = -1
    assert example_record("ProductionPerformance")["ProducedQuantity"] == 780


def shift_values() -> dict[str, float | int]:
    return {
        "PlannedBusyTime": 27000,
        "ActualProductionTime": 20000,
        "ActualUnitSetupTime": 1000,
        "ActualUnitProcessingTime": 21000,
        "ActualUnitDelayTime": 500,
        "ActualUnitBusyTime": 21500,
        "ActualUnitDownTime": 3000,
        "ProducedQuantity": 500,
        "GoodQuantity": 480.5,
        "ScrapQuantity": 19.5,
    }


def test_production_performance_submodel_is_a_clean_instance() -> None:
    submodel = production_performance_submodel(
        work_unit_id="WU-1",
        period_start=datetime(2025, 1, 6, 8, tzinfo=KST),
        period_end=datetime(2025, 1, 6, 16, tzinfo=KST),
        values=shift_values(),
        order_id="PO-1",
    )
    environment = aas.Environment(submodels=[submodel])
    assert list(verification.verify(environment)) == []
    assert list(check_conformance(environment)) == []
    assert submodel.kind is aas.ModellingKind.INSTANCE
    values = {element.id_short: element for element in submodel.submodel_elements or ()}
    planned = values["PlannedBusyTime"]
    assert isinstance(planned, aas.SubmodelElementCollection)
    parts = {part.id_short: part for part in planned.value or ()}
    assert isinstance(parts["key"], aas.Property)
    assert parts["key"].value == "PBT"
    assert isinstance(parts["currentValue"], aas.Property)
    assert parts["currentValue"].value == "PT27000S"
    good = values["GoodQuantity"]
    assert isinstance(good, aas.SubmodelElementCollection)
    assert good.value is not None
    assert [part.value for part in good.value if isinstance(part, aas.Property)] == ["GQ", "480.5"]


def test_production_performance_submodel_ids_follow_the_content() -> None:
    start, end = datetime(2025, 1, 6, 8, tzinfo=UTC), datetime(2025, 1, 6, 16, tzinfo=UTC)

    def made(work_unit: str) -> str:
        return production_performance_submodel(
            work_unit_id=work_unit, period_start=start, period_end=end, values=shift_values()
        ).id

    assert made("WU-1") == made("WU-1")
    assert made("WU-1") != made("WU-2")


def test_production_performance_submodel_refuses_unknown_variables_and_naive_times() -> None:
    start, end = datetime(2025, 1, 6, 8, tzinfo=UTC), datetime(2025, 1, 6, 16, tzinfo=UTC)
    with pytest.raises(ValueError, match="OEE"):
        production_performance_submodel(work_unit_id="WU-1", period_start=start, period_end=end, values={"OEE": 1})
    with pytest.raises(ValueError, match="time zone"):
        production_performance_submodel(
            work_unit_id="WU-1",
            period_start=datetime(2025, 1, 6, 8),  # noqa: DTZ001 - the naive time is the point
            period_end=end,
            values={},
        )
