"""One record through all four layers: the K-MDS example passes; each layer refuses what it should."""

from __future__ import annotations

from midas.standard import example_record
from midas.standard.records import RECORD_TEMPLATES, is_valid, validate_record
from midas.standard.report import Layer


def test_every_template_example_record_is_valid() -> None:
    for template in RECORD_TEMPLATES:
        findings = validate_record(template, example_record(template))
        assert is_valid(findings), (template, [f.english() for f in findings])


def test_each_layer_refuses_at_its_place() -> None:
    record = example_record("ProductionPerformance")
    unknown = validate_record("Nope", record)
    assert [(f.layer, f.path) for f in unknown] == [(Layer.READ, "template")]
    assert [f.layer for f in validate_record("ProductionPerformance", [record])] == [Layer.READ]
    schema = validate_record("ProductionPerformance", record | {"ProducedQuantity": "many"})
    assert [(f.layer, f.path) for f in schema] == [(Layer.SCHEMA, "/ProducedQuantity")]
    conformance = validate_record("ProductionPerformance", record | {"GoodQuantity": 10_000})
    assert not is_valid(conformance)
    assert {f.layer for f in conformance} == {Layer.CONFORMANCE}
    assert "10000" in conformance[0].english()
