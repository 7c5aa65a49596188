"""Our KPI formulas against the ISO 22400-2 ontology, the oracle: same IRI, same elements in the same places of
the fraction, and the same value on random elements.

The ontology (../shared/standards/iso22400/ISO22400-2.owl) writes each formula as text, such as
"Technical efficiency = APT / (APT + ADET)" or "OEE index = Availability * Effectiveness * Quality rate". The
text is parsed here (names, +, *, /, parentheses), KPI names inside a formula are replaced by the ontology's own
formula for that KPI, and ontology acronyms are mapped to our element names.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from midas.kpi.compute import KPIS, ONTOLOGY, KpiDefinition, compute
from tests.services import missing

OWL_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "iso22400" / "ISO22400-2.owl"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = "http://www.w3.org/2002/07/owl#"

#: Ontology acronym -> our element. PRU_PQ and PQ_FIRST are what this test rewrites "PRU * PQ" and "PQ of the
#: first production order sequence" into before parsing.
ACRONYM_TO_ELEMENT: Mapping[str, str] = {
    "PBT": "pbt",
    "APT": "apt",
    "ASUT": "aust",  # the ontology's actual setup time; K-MDS calls it ActualUnitSetupTime
    "AUPT": "aupt",
    "ADET": "adet",
    "AUBT": "aubt",
    "ADOT": "adot",
    "AOET": "aoet",
    "APWT": "apwt",
    "APAT": "apat",
    "PQ": "pq",
    "GQ": "gq",
    "SQ": "sq",
    "RQ": "rq",
    "GP": "gp",
    "IP": "ip",
    "CM": "cm",
    "PRU_PQ": "pru_pq",
    "PQ_FIRST": "pq_first_operation",
}

#: KPI names used inside other formulas, and the ontology class whose formula they stand for.
KPI_REFERENCES: Mapping[str, str] = {
    "Availability": "Availability",
    "Effectiveness": "Effectiveness",
    "Quality rate": "QualityRatio",
}

#: Our KPIs whose formula is ours because the ontology's class has none (written in midas.kpi.compute).
OURS_ONLY = {"mtbf", "mttr"}


@dataclass(frozen=True, slots=True)
class OntologyClass:
    iri: str
    acronym: str | None
    formula: str | None


@cache
def read_ontology(path: Path) -> Mapping[str, OntologyClass]:
    """Every owl:Class of the ontology by IRI, with its acronym and formula annotations."""
    tree = etree.parse(str(path))
    classes = {}
    for element in tree.iter(f"{{{OWL}}}Class"):
        iri = element.get(f"{{{RDF}}}about")
        if iri:
            classes[iri] = OntologyClass(
                iri=iri, acronym=element.findtext(f"{{{ONTOLOGY}}}acronym"),
                formula=element.findtext(f"{{{ONTOLOGY}}}formula"),
            )
    return classes


@pytest.fixture(scope="module")
def ontology() -> Mapping[str, OntologyClass]:
    if not OWL_PATH.is_file():
        missing("../shared/standards", f"{OWL_PATH.name} not found beside the project")
    return read_ontology(OWL_PATH)


# --- a parser for the ontology's formula text -------------------------------------------------------------

Tree = tuple[str, ...] | tuple[str, "Tree", "Tree"]
TOKEN = re.compile(r"\s*(?:(?P<name>@?[A-Za-z_]+)|(?P<op>[-+*/()]))")


def tokens(text: str) -> list[str]:
    out, position = [], 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        assert match, f"cannot read {text[position:]!r}"
        out.append(match.group("name") or match.group("op"))
        position = match.end()
    return out


def parse(text: str) -> Tree:
    """'A / (A + B)' -> ('/', ('name', 'A'), ('+', ('name', 'A'), ('name', 'B'))), with * and / before +."""
    stream = tokens(text)
    position = 0

    def peek() -> str | None:
        return stream[position] if position < len(stream) else None

    def take() -> str:
        nonlocal position
        position += 1
        return stream[position - 1]

    def factor() -> Tree:
        token = take()
        if token == "(":
            inner = expression()
            assert take() == ")"
            return inner
        return ("name", token)

    def term() -> Tree:
        tree = factor()
        while peek() in ("*", "/"):
            tree = (take(), tree, factor())
        return tree

    def expression() -> Tree:
        tree = term()
        while peek() == "+":
            tree = (take(), tree, term())
        return tree

    tree = expression()
    assert position == len(stream), f"{text!r}: left over {stream[position:]}"
    return tree


def right_hand_side(formula: str, *, join_pru_pq: bool) -> str:
    """The formula's text after '=', rewritten into names the parser reads."""
    text = formula.split("=", 1)[1]
    text = text.replace("PQ of the first production order sequence", "PQ_FIRST")
    if join_pru_pq:
        text = text.replace("PRU * PQ", "PRU_PQ")
    for name, class_name in KPI_REFERENCES.items():
        text = re.sub(rf"\b{name}\b", "@" + class_name, text)
    return text


def ontology_tree(ontology: Mapping[str, OntologyClass], iri: str, *, join_pru_pq: bool) -> Tree:
    """The formula of a class as a tree, with references to other KPIs replaced by their own formula trees."""
    formula = ontology[iri].formula
    assert formula is not None, f"{iri} has no formula"
    return expand(ontology, parse(right_hand_side(formula, join_pru_pq=join_pru_pq)), join_pru_pq=join_pru_pq)


def expand(ontology: Mapping[str, OntologyClass], tree: Tree, *, join_pru_pq: bool) -> Tree:
    if tree[0] == "name":
        name = tree[1]
        assert isinstance(name, str)
        if name.startswith("@"):
            return ontology_tree(ontology, ONTOLOGY + name[1:], join_pru_pq=join_pru_pq)
        return tree
    op, left, right = tree
    assert isinstance(left, tuple)
    assert isinstance(right, tuple)
    return (op, expand(ontology, left, join_pru_pq=join_pru_pq), expand(ontology, right, join_pru_pq=join_pru_pq))


def places(tree: Tree) -> tuple[Counter[str], Counter[str]]:
    """Numerator and denominator terms of a product of ratios; a sum is one term, its elements sorted."""
    if tree[0] == "name":
        return Counter([ACRONYM_TO_ELEMENT[str(tree[1])]]), Counter()
    op, left, right = tree
    assert isinstance(left, tuple)
    assert isinstance(right, tuple)
    if op == "+":
        return Counter(["+".join(sorted(sum_terms(tree)))]), Counter()
    left_num, left_den = places(left)
    right_num, right_den = places(right)
    if op == "*":
        return left_num + right_num, left_den + right_den
    assert op == "/", op
    return left_num + right_den, left_den + right_num


def sum_terms(tree: Tree) -> Iterator[str]:
    if tree[0] == "name":
        yield ACRONYM_TO_ELEMENT[str(tree[1])]
        return
    assert tree[0] == "+", f"only sums of names are read inside a sum, not {tree[0]}"
    for side in tree[1:]:
        assert isinstance(side, tuple)
        yield from sum_terms(side)


def evaluate(tree: Tree, values: Mapping[str, float]) -> float:
    if tree[0] == "name":
        return values[str(tree[1])]
    op, left, right = tree
    assert isinstance(left, tuple)
    assert isinstance(right, tuple)
    a, b = evaluate(left, values), evaluate(right, values)
    return {"+": a + b, "*": a * b, "/": a / b if b else math.nan}[str(op)]


def our_places(kpi: KpiDefinition) -> tuple[Counter[str], Counter[str]]:
    numerator: Counter[str] = Counter()
    denominator: Counter[str] = Counter()
    for ratio in kpi.factors:
        numerator["+".join(sorted(ratio.numerator))] += 1
        denominator["+".join(sorted(ratio.denominator))] += 1
    return numerator, denominator


def with_formula() -> list[KpiDefinition]:
    return [kpi for kpi in KPIS if kpi.id not in OURS_ONLY]


# --- the checks ---------------------------------------------------------------------------------------------


def test_the_parser_reads_the_forms_the_ontology_uses() -> None:
    assert parse("APT / (APT + ADET)") == ("/", ("name", "APT"), ("+", ("name", "APT"), ("name", "ADET")))
    assert parse("PRU * PQ / APT") == ("/", ("*", ("name", "PRU"), ("name", "PQ")), ("name", "APT"))
    assert places(parse("AUPT / PBT * PRU_PQ / APT")) == (Counter(["aupt", "pru_pq"]), Counter(["pbt", "apt"]))


@pytest.mark.parametrize("kpi", KPIS, ids=lambda k: k.id)
def test_every_kpi_iri_is_a_class_of_the_ontology(kpi: KpiDefinition, ontology: Mapping[str, OntologyClass]) -> None:
    assert kpi.iri in ontology


@pytest.mark.parametrize("kpi", with_formula(), ids=lambda k: k.id)
def test_our_formula_text_is_the_ontologys(kpi: KpiDefinition, ontology: Mapping[str, OntologyClass]) -> None:
    assert kpi.formula_in_ontology
    assert kpi.formula == ontology[kpi.iri].formula


@pytest.mark.parametrize("kpi", [k for k in KPIS if k.id in OURS_ONLY], ids=lambda k: k.id)
def test_mtbf_and_mttr_are_ours_because_the_ontology_has_no_formula(
    kpi: KpiDefinition, ontology: Mapping[str, OntologyClass]
) -> None:
    assert not kpi.formula_in_ontology
    assert ontology[kpi.iri].formula is None


def test_every_acronym_we_map_is_an_ontology_element(ontology: Mapping[str, OntologyClass]) -> None:
    acronyms = {c.acronym for c in ontology.values() if c.acronym}
    assert {a for a in ACRONYM_TO_ELEMENT if "_" not in a} <= acronyms
    assert {"PRU", "PQ"} <= acronyms  # PRU_PQ is their product


@pytest.mark.parametrize("kpi", with_formula(), ids=lambda k: k.id)
def test_the_same_elements_stand_in_the_same_places(
    kpi: KpiDefinition, ontology: Mapping[str, OntologyClass]
) -> None:
    assert our_places(kpi) == places(ontology_tree(ontology, kpi.iri, join_pru_pq=True))


POSITIVE = st.floats(min_value=1.0, max_value=1e6, allow_nan=False, allow_infinity=False)
VALUES = st.fixed_dictionaries({name: POSITIVE for name in (*ACRONYM_TO_ELEMENT, "PRU") if name != "PRU_PQ"})


@pytest.mark.parametrize("kpi", with_formula(), ids=lambda k: k.id)
@settings(max_examples=60)
@given(values=VALUES)
def test_ours_and_the_ontologys_formula_give_the_same_value(
    kpi: KpiDefinition, ontology: Mapping[str, OntologyClass], values: dict[str, float]
) -> None:
    elements = {ACRONYM_TO_ELEMENT[a]: v for a, v in values.items() if a in ACRONYM_TO_ELEMENT}
    elements["pru_pq"] = values["PRU"] * values["PQ"]  # one record: the sum of PRU x PQ is the product
    elements["records"] = 1
    ours = compute(kpi, elements)
    assert ours.value is not None, ours.problem
    expected = evaluate(ontology_tree(ontology, kpi.iri, join_pru_pq=False), values)
    assert math.isclose(ours.value / kpi.scale, expected, rel_tol=1e-9)
