"""The K-MDS documentation and published files are what the model generates (like ``cog --check``), and the
reference tables cover every element in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aas_core3 import jsonization, verification, xmlization

from midas.standard.conformance import RULES, check_conformance
from midas.standard.model import TEMPLATES, VERSION
from midas.standard.reference_docs import (
    RULES_BEGIN,
    RULES_END,
    main,
    reference_markdown,
    stale_files,
    write_generated_files,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "kmds"
REGENERATE = "python -m midas.standard.reference_docs docs/kmds"


def test_the_committed_docs_are_what_the_model_generates() -> None:
    stale = [str(path.relative_to(DOCS)) for path in stale_files(DOCS)]
    assert stale == [], f"regenerate with `{REGENERATE}`: {', '.join(stale)}"


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_the_reference_has_every_element_of_every_template(locale: str) -> None:
    reference = reference_markdown(locale)  # type: ignore[arg-type]
    for template in TEMPLATES:
        assert f"(`{template.id_short}`)" in reference
        for spec in template.walk():
            assert f"`{spec.semantic_id}`" in reference, spec.id_short
            assert f"/{spec.id_short}`" in reference or f"`{spec.id_short}`" in reference, spec.id_short
            definition = spec.concept.definition_ko if locale == "ko" else spec.concept.definition_en
            assert definition in reference, spec.id_short
    for rule in RULES:
        assert f"`{rule.id}`" in reference


def test_the_korean_reference_is_in_korean() -> None:
    reference = reference_markdown("ko")
    assert reference.startswith(f"# K-MDS {VERSION} 참조")
    assert "| idShort | semanticId | 유형 | 단위 | 다중성 | 정의 |" in reference
    assert "| idShort | semanticId | Type | Unit | Cardinality | Definition |" in reference_markdown("en")


def test_the_readme_lists_every_rule_between_its_markers() -> None:
    readme = (DOCS / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(RULES_BEGIN) : readme.index(RULES_END)]
    for rule in RULES:
        assert block.count(f"`{rule.id}`") == 2, rule.id  # once in English, once in Korean


def test_the_published_templates_load_verify_and_conform() -> None:
    (json_file,) = (DOCS / "templates").glob("*.json")
    (xml_file,) = (DOCS / "templates").glob("*.xml")
    from_json = jsonization.environment_from_jsonable(json.loads(json_file.read_text(encoding="utf-8")))
    from_xml = xmlization.environment_from_str(xml_file.read_text(encoding="utf-8"))
    assert jsonization.to_jsonable(from_json) == jsonization.to_jsonable(from_xml)
    assert list(verification.verify(from_json)) == []
    assert list(check_conformance(from_json)) == []


def test_the_generator_writes_what_is_missing_and_check_reports_it(tmp_path: Path) -> None:
    assert main(["--check", str(tmp_path)]) == 1
    written = write_generated_files(tmp_path)
    assert tmp_path / "reference.ko.md" in written
    assert main(["--check", str(tmp_path)]) == 0
    (tmp_path / "reference.en.md").write_text("edited by hand\n", encoding="utf-8")
    assert stale_files(tmp_path) == [tmp_path / "reference.en.md"]


def test_the_generator_needs_one_directory() -> None:
    assert main([]) == 2
