"""The import service: files in every encoding and format Korean offices produce, row-level reports, and
nothing written unless the person chose to import the valid rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import SYSTEM, Actor, Role, actor_for
from midas.errors import PermissionDenied
from midas.registry import Factory, Organization, format_brn
from midas.registry.importing import (
    EXAMPLE_BRN,
    FACTORY_COLUMNS,
    ORGANIZATION_COLUMNS,
    ImportColumn,
    ImportKind,
    ImportMode,
    ImportReport,
    import_registry_file,
    template_file,
)
from midas.registry.spreadsheets import TemplateFormat, read_table
from tests.factories import factory_fields, make_organization, make_user, next_brn, organization_fields

LIMIT = 5 * 1024 * 1024
ORGANIZATION_HEADERS = [c.header for c in ORGANIZATION_COLUMNS]
FACTORY_HEADERS = [c.header for c in FACTORY_COLUMNS]


# Files built the way people make them --------------------------------------------------------------------


def organization_row(**overrides: Any) -> list[object]:
    """One row of an organization file, in template column order, from the test factories' fields."""
    return _row(ORGANIZATION_COLUMNS, organization_fields(**overrides))


def factory_row(organization_brn: str, **overrides: Any) -> list[object]:
    return _row(FACTORY_COLUMNS, {"organization_brn": organization_brn, **factory_fields(**overrides)})


def _row(columns: Sequence[ImportColumn], values: dict[str, Any]) -> list[object]:
    return [values.get(c.field) for c in columns]


def csv_file(rows: Sequence[Sequence[object]], headers: Sequence[str] = ORGANIZATION_HEADERS,
             encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: Sequence[Sequence[object] | None], headers: Sequence[str] = ORGANIZATION_HEADERS) -> bytes:
    """A workbook whose first sheet holds the header and the rows (None leaves a blank row)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row) if row is not None else [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(session: Session, data: bytes, file_name: str = "기업.csv", *,
               kind: ImportKind = ImportKind.ORGANIZATIONS, mode: ImportMode = ImportMode.ALL_OR_NOTHING,
               actor: Actor = SYSTEM, max_bytes: int = LIMIT) -> ImportReport:
    return import_registry_file(session, actor=actor, kind=kind, data=data, file_name=file_name,
                                max_bytes=max_bytes, mode=mode)


def count(session: Session, model: type[Organization] | type[Factory] | type[AuditEvent]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def organization(session: Session, brn: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.brn == brn))


def places(report: ImportReport) -> set[tuple[int | None, str | None, str]]:
    return {(p.row, p.column, p.message) for p in report.problems}


def operator(session: Session) -> Actor:
    return actor_for(make_user(session, Role.OPERATOR))


# Reading files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_a_csv_in_each_encoding_korean_excel_writes_imports_with_korean_intact(
    session: Session, encoding: str
) -> None:
    brn = next_brn()
    data = csv_file([organization_row(brn=format_brn(brn), name="(주)대한정밀공업", kind="중소기업",
                                      region_code="경상남도", representative="박서연")], encoding=encoding)
    report = run_import(session, data, actor=operator(session))
    assert report.committed, report.problems
    assert (report.total_rows, report.imported_rows, report.rejected_rows) == (1, 1, 0)
    saved = organization(session, brn)
    assert saved is not None
    assert (saved.name, saved.representative, saved.region_code) == ("(주)대한정밀공업", "박서연", "48")


def test_cp949_characters_beyond_euc_kr_survive(session: Session) -> None:
    brn = next_brn()
    data = csv_file([organization_row(brn=brn, name="똠방각하 햏정밀")], encoding="cp949")
    assert run_import(session, data).committed
    saved = organization(session, brn)
    assert saved is not None
    assert saved.name == "똠방각하 햏정밀"


def test_an_xlsx_with_numbers_in_cells_imports(session: Session) -> None:
    brn = next_brn()
    row = organization_row(brn=int(brn), ksic_code=29, region_code=41, employees=120.0, founded_year=1998,
                           annual_revenue_krw=12_000_000_000)
    report = run_import(session, xlsx_file([row]), "기업.xlsx")
    assert report.committed, report.problems
    saved = organization(session, brn)
    assert saved is not None
    assert (saved.ksic_code, saved.region_code, saved.employees, saved.founded_year) == ("29", "41", 120, 1998)
    assert saved.annual_revenue_krw == 12_000_000_000


def test_english_field_names_are_accepted_as_headers(session: Session) -> None:
    brn = next_brn()
    headers = [c.field for c in ORGANIZATION_COLUMNS]
    assert run_import(session, csv_file([organization_row(brn=brn)], headers=headers)).committed
    assert organization(session, brn) is not None


def test_wrong_and_missing_headers_refuse_the_file_naming_them(session: Session) -> None:
    headers = [h for h in ORGANIZATION_HEADERS if h != "지역"] + ["비고"]
    rows = [[*organization_row(brn=next_brn())[:5], *organization_row()[6:], "메모"]]
    before = count(session, Organization)
    report = run_import(session, csv_file(rows, headers=headers))
    assert not report.committed
    assert places(report) == {
        (1, "비고", "Unknown column {header}: use the headers of the template"),
        (1, "지역", "The required column {header} is missing"),
    }
    assert count(session, Organization) == before


def test_a_column_given_twice_refuses_the_file(session: Session) -> None:
    headers = [*ORGANIZATION_HEADERS, "brn"]
    report = run_import(session, csv_file([[*organization_row(), next_brn()]], headers=headers))
    assert not report.committed
    assert [(p.column, p.params) for p in report.problems] == [("brn", {"first": "사업자등록번호", "second": "brn"})]


def test_bytes_that_are_neither_utf8_nor_cp949_are_refused_naming_the_line(session: Session) -> None:
    good = csv_file([organization_row(brn=next_brn())])
    data = good + b"1234567890,\x80\xff broken,sme\r\n"
    before = count(session, Organization)
    report = run_import(session, data)
    assert not report.committed
    assert [(p.field, p.message, p.params) for p in report.problems] == [
        ("file", "Line {line} is neither UTF-8 nor CP949 (EUC-KR) text; save the file as \"CSV UTF-8\" and "
                 "upload it again", {"line": 3}),
    ]
    assert count(session, Organization) == before


@pytest.mark.parametrize("data", [b"this is not a workbook", b"PK\x03\x04 truncated zip"])
def test_a_file_that_is_not_an_xlsx_is_refused(session: Session, data: bytes) -> None:
    report = run_import(session, data, "기업.xlsx")
    assert not report.committed
    assert [p.message for p in report.problems] == [
        "The file is not a valid Excel workbook (.xlsx); open it in Excel, save it as .xlsx and upload it again"]


def test_a_truncated_xlsx_is_refused(session: Session) -> None:
    data = xlsx_file([organization_row()])
    report = run_import(session, data[: len(data) // 2], "기업.xlsx")
    assert not report.committed
    assert report.problems[0].message.startswith("The file is not a valid Excel workbook")


def test_a_file_over_the_size_limit_is_refused(session: Session) -> None:
    data = csv_file([organization_row(brn=next_brn())])
    before = count(session, Organization)
    report = run_import(session, data, max_bytes=len(data) - 1)
    assert not report.committed
    assert [p.message for p in report.problems] == ["The file is {size} bytes, more than the limit of {limit} bytes"]
    assert count(session, Organization) == before


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "", "Choose a file to upload"),
    (b"  \r\n", "empty.csv", "The file is empty"),
    (b"x", "old.xls", "Excel 97-2003 files (.xls) cannot be read; save the file as .xlsx or CSV and upload it again"),
    (b"x", "list.pdf", "Upload a .csv or .xlsx file, not {name}"),
    ("사업자등록번호,상호(기업명),기업 구분,업종(KSIC),지역,종업원 수\r\n".encode(), "header.csv",
     "The file has a header but no data rows"),
])
def test_files_without_rows_are_refused_with_a_reason(session: Session, data: bytes, name: str, message: str) -> None:
    report = run_import(session, data, name)
    assert not report.committed
    assert [p.message for p in report.problems] == [message]


# Row problems -------------------------------------------------------------------------------------------


def test_each_row_problem_names_its_row_and_column(session: Session) -> None:
    good = next_brn()
    rows = [
        organization_row(brn=good),
        organization_row(brn="123-45-67890"),
        organization_row(ksic_code="99"),
        organization_row(region_code="화성"),
        organization_row(employees=-5),
    ]
    before = count(session, Organization)
    report = run_import(session, csv_file(rows))
    assert not report.committed
    assert (report.total_rows, report.imported_rows, report.rejected_rows) == (5, 0, 4)
    assert places(report) == {
        (3, "사업자등록번호", "The check digit of business registration number {value} is wrong"),
        (4, "업종(KSIC)", "Unknown KSIC manufacturing division {value} (10-34)"),
        (5, "지역", "Unknown region {value}"),
        (6, "종업원 수", "Must be at least {n}"),
    }
    assert count(session, Organization) == before
    assert organization(session, good) is None


def test_problems_point_at_the_header_the_file_used(session: Session) -> None:
    headers = [c.field for c in ORGANIZATION_COLUMNS]
    report = run_import(session, csv_file([organization_row(ksic_code="C99")], headers=headers))
    assert places(report) == {(2, "ksic_code", "Unknown KSIC manufacturing division {value} (10-34)")}


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(session: Session) -> None:
    rows = [organization_row(brn=next_brn()), None, None, organization_row(employees="many")]
    report = run_import(session, xlsx_file(rows), "기업.xlsx")
    assert report.total_rows == 2
    assert places(report) == {(5, "종업원 수", "Enter a whole number, not {value}")}


def test_a_brn_twice_in_the_file_refuses_both_rows_naming_them(session: Session) -> None:
    brn = next_brn()
    rows = [organization_row(brn=brn), organization_row(brn=next_brn()), organization_row(brn=format_brn(brn))]
    report = run_import(session, csv_file(rows), mode=ImportMode.VALID_ROWS)
    assert report.committed
    assert (report.imported_rows, report.rejected_rows) == (1, 2)
    assert {(p.row, p.column, p.params["rows"]) for p in report.problems} == {
        (2, "사업자등록번호", "2, 4"), (4, "사업자등록번호", "2, 4")}
    assert organization(session, brn) is None


def test_a_brn_registered_already_is_refused(session: Session) -> None:
    existing = make_organization(session)
    report = run_import(session, csv_file([organization_row(brn=existing.brn)]))
    assert not report.committed
    assert places(report) == {(2, "사업자등록번호", "Business registration number {value} is registered already")}
    assert report.problems[0].params == {"value": format_brn(existing.brn)}


def test_all_or_nothing_writes_nothing_when_one_row_is_wrong(session: Session) -> None:
    rows = [organization_row(brn=next_brn()) for _ in range(20)] + [organization_row(kind="재벌")]
    before = (count(session, Organization), count(session, AuditEvent))
    report = run_import(session, csv_file(rows))
    assert not report.committed
    assert (report.total_rows, report.imported_rows, report.rejected_rows) == (21, 0, 1)
    assert places(report) == {(22, "기업 구분", "Unknown organization kind {value}")}
    assert (count(session, Organization), count(session, AuditEvent)) == before


def test_valid_rows_mode_writes_the_valid_rows_only(session: Session) -> None:
    brns = [next_brn() for _ in range(3)]
    rows = [organization_row(brn=brns[0]), organization_row(brn=brns[1], name=""), organization_row(brn=brns[2])]
    report = run_import(session, csv_file(rows), mode=ImportMode.VALID_ROWS)
    assert report.committed
    assert (report.total_rows, report.imported_rows, report.rejected_rows) == (3, 2, 1)
    assert places(report) == {(3, "상호(기업명)", "This field is required")}
    assert [organization(session, b) is not None for b in brns] == [True, False, True]


def test_valid_rows_mode_with_no_valid_row_commits_nothing(session: Session) -> None:
    report = run_import(session, csv_file([organization_row(employees=-1)]), mode=ImportMode.VALID_ROWS)
    assert not report.committed
    assert report.imported_rows == 0


def test_values_right_of_the_last_header_refuse_the_row(session: Session) -> None:
    rows = [[*organization_row(brn=next_brn()), "stray"]]
    report = run_import(session, csv_file(rows))
    assert not report.committed
    assert places(report) == {(2, None, "This row has values to the right of the last column with a header")}


# What was written ---------------------------------------------------------------------------------------


def test_one_audit_event_records_the_import_and_what_it_created(session: Session) -> None:
    actor = operator(session)
    brns = [next_brn(), next_brn()]
    rows = [organization_row(brn=brns[0], name="(주)가나다 정밀"), organization_row(brn=brns[1]),
            organization_row(ksic_code="7")]
    before = count(session, AuditEvent)
    report = run_import(session, csv_file(rows), "3월 신규.csv", actor=actor, mode=ImportMode.VALID_ROWS)
    assert count(session, AuditEvent) == before + 1
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.actor_user_id, event.object_id) == ("registry.import", actor.user_id,
                                                                     report.import_id)
    assert {k: v for k, v in event.details.items() if k != "created_ids"} == {
        "kind": "organizations", "mode": "valid_rows", "file_name": "3월 신규.csv", "rows_imported": 2,
        "rows_rejected": 1, "created_type": "organization"}
    created = session.scalars(select(Organization).where(Organization.id.in_(event.details["created_ids"]))).all()
    assert sorted(o.brn for o in created) == sorted(brns)
    assert event.details["created_ids"] == report.created_ids


def test_imported_organizations_get_the_same_search_keys_as_the_form(session: Session) -> None:
    brn = next_brn()
    run_import(session, csv_file([organization_row(brn=brn, name="(주) 한빛 정밀", name_en="Hanbit Co., Ltd.")]))
    saved = organization(session, brn)
    assert saved is not None
    assert (saved.name_key, saved.name_en_key, saved.is_active) == ("한빛정밀", "hanbit", True)
    assert saved.created_at is not None


@pytest.mark.parametrize("role", [Role.COMPANY_MEMBER, Role.EXPERT])
def test_people_without_the_import_permission_cannot_import(session: Session, role: Role) -> None:
    actor = actor_for(make_user(session, role))
    brn = next_brn()
    before = count(session, Organization)
    with pytest.raises(PermissionDenied):
        run_import(session, csv_file([organization_row(brn=brn)]), actor=actor)
    assert count(session, Organization) == before
    assert organization(session, brn) is None


# Factories ----------------------------------------------------------------------------------------------


def test_factories_are_attached_to_organizations_by_brn(session: Session) -> None:
    owner = make_organization(session)
    rows = [factory_row(format_brn(owner.brn), name="제1공장"), factory_row(owner.brn, name="제2공장",
                                                                           main_processes="사출,  도장 ,")]
    report = run_import(session, csv_file(rows, headers=FACTORY_HEADERS, encoding="cp949"), "공장.csv",
                        kind=ImportKind.FACTORIES)
    assert report.committed, report.problems
    factories = session.scalars(select(Factory).where(Factory.organization_id == owner.id)
                                .order_by(Factory.name)).all()
    assert [(f.name, f.main_processes) for f in factories] == [
        ("제1공장", "가공, 조립, 검사"), ("제2공장", "사출, 도장")]


def test_a_factory_of_an_unknown_organization_is_refused(session: Session) -> None:
    owner = make_organization(session)
    unknown = next_brn()
    rows = [factory_row(owner.brn), factory_row(unknown), factory_row("123-45-67890"),
            factory_row(owner.brn, name="", production_lines=-1)]
    before = count(session, Factory)
    report = run_import(session, xlsx_file(rows, headers=FACTORY_HEADERS), "공장.xlsx", kind=ImportKind.FACTORIES)
    assert not report.committed
    assert places(report) == {
        (3, "사업자등록번호", "No organization with business registration number {value} is registered; "
                        "import the organizations first"),
        (4, "사업자등록번호", "The check digit of business registration number {value} is wrong"),
        (5, "공장명", "This field is required"),
        (5, "생산라인 수", "Must be at least {n}"),
    }
    assert count(session, Factory) == before
    valid_only = run_import(session, xlsx_file(rows, headers=FACTORY_HEADERS), "공장.xlsx",
                            kind=ImportKind.FACTORIES, mode=ImportMode.VALID_ROWS)
    assert (valid_only.imported_rows, valid_only.rejected_rows) == (1, 3)
    assert count(session, Factory) == before + 1


def test_a_factory_registered_already_or_twice_in_the_file_is_refused(session: Session) -> None:
    owner = make_organization(session)
    first = run_import(session, csv_file([factory_row(owner.brn, name="본사공장")], headers=FACTORY_HEADERS),
                       kind=ImportKind.FACTORIES)
    assert first.committed
    rows = [factory_row(owner.brn, name="본사공장"), factory_row(owner.brn, name="제2공장"),
            factory_row(owner.brn, name="제2공장")]
    again = run_import(session, csv_file(rows, headers=FACTORY_HEADERS), kind=ImportKind.FACTORIES)
    assert places(again) == {
        (2, "공장명", "Organization {brn} has a factory named {value} already"),
        (3, "공장명", "Factory {value} is in the file more than once (rows {rows})"),
        (4, "공장명", "Factory {value} is in the file more than once (rows {rows})"),
    }


# Templates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(TemplateFormat))
def test_templates_read_back_and_their_example_rows_import(session: Session, fmt: TemplateFormat) -> None:
    for kind, headers in ((ImportKind.ORGANIZATIONS, ORGANIZATION_HEADERS), (ImportKind.FACTORIES, FACTORY_HEADERS)):
        table = read_table(template_file(kind, fmt), file_name=f"template.{fmt.value}", max_bytes=LIMIT)
        assert list(table.headers) == headers
        assert [r.number for r in table.rows] == [2]
    organizations = run_import(session, template_file(ImportKind.ORGANIZATIONS, fmt), f"양식.{fmt.value}")
    assert organizations.committed, organizations.problems
    factories = run_import(session, template_file(ImportKind.FACTORIES, fmt), f"양식.{fmt.value}",
                           kind=ImportKind.FACTORIES)
    assert factories.committed, factories.problems
    saved = organization(session, EXAMPLE_BRN)
    assert saved is not None
    assert saved.name == "(주)한빛정밀"
    assert [f.name for f in saved.factories] == ["제1공장"]


def test_the_csv_template_starts_with_a_byte_order_mark() -> None:
    data = template_file(ImportKind.ORGANIZATIONS, TemplateFormat.CSV)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == ",".join(ORGANIZATION_HEADERS)


def test_the_xlsx_template_has_a_bold_frozen_header_and_a_code_sheet() -> None:
    workbook = load_workbook(io.BytesIO(template_file(ImportKind.ORGANIZATIONS, TemplateFormat.XLSX)))
    sheet, codes = workbook.worksheets
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["B"].width == 24
    assert codes.title == "코드표"
    listed = {str(row[0]) for row in codes.iter_rows(values_only=True) if row[0] is not None}
    assert {"11", "41", "50"} <= listed  # regions
    assert {str(n) for n in range(10, 35)} <= listed  # every KSIC manufacturing division
    assert {"sme", "large_enterprise", "institute"} <= listed  # organization kinds

