"""Layer 2: aas-core3.0's verification as findings, each with its constraint id and path."""

from __future__ import annotations

import inspect
import re

import aas_core3.verification
import pytest
from aas_core3 import types as aas

from midas.standard.constraints import METAMODEL_RULE, constraint_findings, constraint_id
from midas.standard.render import CONSTRAINTS_KO
from midas.standard.report import Layer, Severity

# Every constraint id aas-core3.0 can report, read from its source so that a new release cannot slip one past.
CONSTRAINT_IDS = sorted(
    set(re.findall(r"Constraint (AAS[a-z]-(?:3a-)?\d{3})", inspect.getsource(aas_core3.verification)))
)


@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        ("Constraint AASd-119: If any qualifier kind value of ...", "AASd-119"),
        ("Constraint AASc-3a-010: If value is not empty then value list shall be empty and vice versa.", "AASc-3a-010"),
        ("ID-shorts need to be defined for all the items of value according to AASd-117 (ID-short of ...)", "AASd-117"),
        ("Description must specify unique languages.", METAMODEL_RULE),
        ("String shall have a maximum length of 128 characters.", METAMODEL_RULE),
    ],
)
def test_the_constraint_id_is_taken_from_the_cause(cause: str, expected: str) -> None:
    assert constraint_id(cause) == expected


def test_aas_core_reports_the_constraints_we_know() -> None:
    assert len(CONSTRAINT_IDS) >= 35
    assert {"AASd-119", "AASd-130", "AASc-3a-002"} <= set(CONSTRAINT_IDS)


@pytest.mark.parametrize("identifier", CONSTRAINT_IDS)
def test_every_constraint_aas_core_checks_has_a_korean_description(identifier: str) -> None:
    assert CONSTRAINTS_KO.get(identifier), f"{identifier} has no Korean line in render_texts.json"


def _instance_with_template_qualifier() -> aas.Environment:
    qualifier = aas.Qualifier(
        type="SMT/Cardinality",
        value_type=aas.DataTypeDefXSD.STRING,
        value="One",
        kind=aas.QualifierKind.TEMPLATE_QUALIFIER,
    )
    element = aas.Property(aas.DataTypeDefXSD.INT, id_short="Count", value="3", qualifiers=[qualifier])
    submodel = aas.Submodel(
        "urn:kr:midas:test:sm", id_short="Test", kind=aas.ModellingKind.INSTANCE, submodel_elements=[element]
    )
    return aas.Environment(submodels=[submodel])


def test_a_broken_constraint_becomes_a_finding_with_id_and_path() -> None:
    findings = list(constraint_findings(_instance_with_template_qualifier()))
    # aas-core checks AASd-129 on the submodel that holds the template-qualified element.
    assert [(f.rule, f.path) for f in findings] == [("AASd-129", ".submodels[0]")]
    (finding,) = findings
    assert finding.layer is Layer.CONSTRAINTS
    assert finding.severity is Severity.ERROR
    assert finding.english().startswith("Constraint AASd-129:")


def test_a_clean_environment_has_no_constraint_findings() -> None:
    environment = _instance_with_template_qualifier()
    environment.submodels[0].kind = aas.ModellingKind.TEMPLATE
    assert list(constraint_findings(environment)) == []
