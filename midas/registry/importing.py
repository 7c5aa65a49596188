"""Bulk import of organizations and factories from CSV and Excel (.xlsx) files, and the templates for them.

A file is read whole (the upload limit bounds it), every row is checked with the same parsers as the forms
and the API, and only then is anything written: all rows, only the valid rows (when the person chose that),
or nothing. Each problem names the row as the spreadsheet shows it (the header is row 1) and the column
header the person wrote, so it can be found and fixed in the file.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from midas.audit import record
from midas.auth import Actor, Permission
from midas.errors import Conflict, InvalidInput, Problem
from midas.registry.enums import ORGANIZATION_KIND_LABELS, OrganizationKind
from midas.registry.models import Factory, Organization
from midas.registry.reference import (
    brn_checksum_ok,
    complete_brn,
    format_brn,
    ksic_divisions,
    normalize_brn,
    regions,
)
from midas.registry.service import organization_ids_by_brn, organization_values
from midas.registry.spreadsheets import (
    FILE_FIELD,
    SourceRow,
    Table,
    TemplateFormat,
    is_blank,
    read_table,
    refuse_file,
)
from midas.registry.validation import parse_factory, parse_organization

WRITE_BATCH = 1000
PROGRESS_EVERY = 500
EXAMPLE_BRN = complete_brn("123456789")


class ImportKind(StrEnum):
    ORGANIZATIONS = "organizations"
    FACTORIES = "factories"


IMPORT_KIND_LABELS: dict[ImportKind, str] = {
    ImportKind.ORGANIZATIONS: "Organization list",
    ImportKind.FACTORIES: "Factory list",
}


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    VALID_ROWS = "valid_rows"


class ImportPhase(StrEnum):
    CHECK = "check"
    WRITE = "write"


ProgressCallback = Callable[[ImportPhase, int, int], None]


@dataclass(frozen=True, slots=True)
class ImportColumn:
    """One column of an import file: the field it fills, its Korean template header, and how to fill it."""

    field: str
    header: str
    required: bool
    example: str | int
    width: int
    note: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportLayout:
    """What a file of one kind looks like: the columns in template order."""

    kind: ImportKind
    columns: tuple[ImportColumn, ...]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: how many rows were read, written and refused, and every problem with its place."""

    kind: ImportKind
    mode: ImportMode
    file_name: str
    total_rows: int
    imported_rows: int
    rejected_rows: int
    problems: list[Problem]
    committed: bool
    created_ids: list[int] = field(default_factory=list)
    import_id: str | None = None


# The template's headers are Korean; the English field names (brn, name, ...) and a few common variants are
# accepted too. Notes are written into the template for the person filling it in, so they are Korean.
ORGANIZATION_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("brn", "사업자등록번호", True, format_brn(EXAMPLE_BRN), 16,
                 "10자리 숫자입니다. 하이픈(-)은 있어도 됩니다.", ("사업자번호",)),
    ImportColumn("name", "상호(기업명)", True, "(주)한빛정밀", 24, "사업자등록증의 상호", ("상호", "기업명", "회사명")),
    ImportColumn("name_en", "영문 상호", False, "Hanbit Precision Co., Ltd.", 28, "영문 상호 (선택)",
                 ("영문명", "영문 기업명")),
    ImportColumn("kind", "기업 구분", True, "중소기업", 14,
                 "중소기업, 중견기업, 대기업, 기술공급기업, 연구기관 중 하나 (코드표 참조)", ("구분", "기업구분")),
    ImportColumn("ksic_code", "업종(KSIC)", True, "29", 12,
                 "한국표준산업분류 제조업 중분류 코드 10~34 (예: 29 또는 C29, 코드표 참조)",
                 ("업종", "KSIC", "업종코드")),
    ImportColumn("region_code", "지역", True, "경기도", 16, "시·도 이름 또는 행정구역 코드 (코드표 참조)",
                 ("지역코드", "시도")),
    ImportColumn("employees", "종업원 수", True, 42, 12, "0 이상의 정수", ("직원 수",)),
    ImportColumn("annual_revenue_krw", "연매출(원)", False, 8_500_000_000, 18, "원 단위 정수 (선택)",
                 ("연매출", "매출액")),
    ImportColumn("founded_year", "설립연도", False, 2004, 10, "네 자리 연도 (선택)", ("설립년도",)),
    ImportColumn("representative", "대표자", False, "김민준", 12, "대표자 이름 (선택)", ("대표자명",)),
    ImportColumn("address", "주소", False, "경기도 화성시 팔탄면 공단로 12", 36, "본사 주소 (선택)"),
    ImportColumn("website", "홈페이지", False, "https://example.kr", 28, "홈페이지 주소 (선택)", ("웹사이트",)),
)

FACTORY_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("organization_brn", "사업자등록번호", True, format_brn(EXAMPLE_BRN), 16,
                 "공장을 가진 기업의 사업자등록번호. 기업이 먼저 등록되어 있어야 합니다.", ("brn", "사업자번호")),
    ImportColumn("name", "공장명", True, "제1공장", 20, "공장 이름"),
    ImportColumn("address", "주소", True, "경기도 화성시 팔탄면 공단로 12", 36, "공장 소재지 주소"),
    ImportColumn("region_code", "지역", True, "경기도", 16, "시·도 이름 또는 행정구역 코드 (코드표 참조)",
                 ("지역코드", "시도")),
    ImportColumn("industrial_complex", "산업단지", False, "화성 팔탄산업단지", 22, "입주한 산업단지 (선택)"),
    ImportColumn("main_processes", "주요 공정", False, "가공, 조립, 검사", 24, "쉼표(,)로 구분 (선택)"),
    ImportColumn("production_lines", "생산라인 수", True, 3, 12, "0 이상의 정수"),
)

LAYOUTS: dict[ImportKind, ImportLayout] = {
    ImportKind.ORGANIZATIONS: ImportLayout(ImportKind.ORGANIZATIONS, ORGANIZATION_COLUMNS),
    ImportKind.FACTORIES: ImportLayout(ImportKind.FACTORIES, FACTORY_COLUMNS),
}

SHEET_TITLES: dict[ImportKind, str] = {ImportKind.ORGANIZATIONS: "기업", ImportKind.FACTORIES: "공장"}

KIND_NAMES_KO: dict[OrganizationKind, str] = {
    OrganizationKind.SME: "중소기업",
    OrganizationKind.MIDSIZE: "중견기업",
    OrganizationKind.LARGE_ENTERPRISE: "대기업",
    OrganizationKind.TECHNOLOGY_SUPPLIER: "기술공급기업",
    OrganizationKind.INSTITUTE: "연구기관",
}


def list_import_layouts(*, actor: Actor) -> list[ImportLayout]:
    """The columns of each kind of import file, for the page that explains them."""
    actor.require(Permission.REGISTRY_IMPORT)
    return list(LAYOUTS.values())


# Reading files -----------------------------------------------------------------------------------------


# Matching headers to fields ----------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return re.sub(r"[\s*]", "", text).lower()


def _header_lookup(layout: ImportLayout) -> dict[str, ImportColumn]:
    lookup: dict[str, ImportColumn] = {}
    for column in layout.columns:
        for name in (column.header, column.field, *column.aliases):
            lookup[_header_key(name)] = column
    return lookup


@dataclass(frozen=True, slots=True)
class MatchedColumn:
    """A column of the file: where it is, the header as written, and the field it fills."""

    index: int
    header: str
    column: ImportColumn


def match_headers(layout: ImportLayout, table: Table) -> list[MatchedColumn]:
    """The file's columns matched to fields; unknown, repeated or missing required headers refuse the file."""
    lookup = _header_lookup(layout)
    matched: list[MatchedColumn] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        letter = get_column_letter(index + 1)
        if not header:
            if any(index < len(r.cells) and not is_blank(r.cells[index]) for r in table.rows):
                problems.append(Problem(FILE_FIELD, "Column {letter} has values but no header",
                                        {"letter": letter}, row=table.header_row, column=letter))
            continue
        column = lookup.get(_header_key(header))
        if column is None:
            problems.append(Problem(FILE_FIELD, "Unknown column {header}: use the headers of the template",
                                    {"header": header}, row=table.header_row, column=header))
        elif column.field in seen:
            problems.append(Problem(FILE_FIELD, "Columns {first} and {second} are the same field",
                                    {"first": seen[column.field], "second": header},
                                    row=table.header_row, column=header))
        else:
            seen[column.field] = header
            matched.append(MatchedColumn(index, header, column))
    for column in layout.columns:
        if column.required and column.field not in seen:
            problems.append(Problem(FILE_FIELD, "The required column {header} is missing",
                                    {"header": column.header}, row=table.header_row, column=column.header))
    if problems:
        raise InvalidInput(problems)
    return matched


# Checking rows -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class RowOutcome:
    """One row after checking: the column values to write, or the problems that keep it out."""

    number: int
    raw: dict[str, object]
    values: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.values = None


def _raw_values(row: SourceRow, matched: Sequence[MatchedColumn]) -> dict[str, object]:
    return {m.column.field: row.cells[m.index] if m.index < len(row.cells) else None for m in matched}


def _extra_cells(row: SourceRow, width: int) -> bool:
    return any(not is_blank(c) for c in row.cells[width:])


def _outcome(row: SourceRow, matched: Sequence[MatchedColumn], width: int,
             parse: Callable[[dict[str, object]], dict[str, Any]]) -> RowOutcome:
    raw = _raw_values(row, matched)
    outcome = RowOutcome(number=row.number, raw=raw, values=None)
    try:
        outcome.values = parse(raw)
    except InvalidInput as invalid:
        outcome.problems.extend(invalid.problems)
    if _extra_cells(row, width):
        outcome.refuse(Problem(FILE_FIELD, "This row has values to the right of the last column with a header"))
    return outcome


def brn_digits(value: object) -> str | None:
    """The ten digits of a BRN cell (text, a number, or Excel's 1234567890.0), or None if it is not one."""
    text = "" if value is None else str(value).strip()
    text = text[:-2] if re.fullmatch(r"\d+\.0", text) else text
    digits = normalize_brn(text)
    return digits if len(digits) == 10 and digits.isdigit() else None


def valid_brn(value: object) -> str | None:
    """The digits of a BRN cell whose check digit is right: only those can match another row or the registry."""
    digits = brn_digits(value)
    return digits if digits is not None and brn_checksum_ok(digits) else None


def _parse_owner_brn(value: object) -> str:
    # The same messages as the organization form, so a factory file reads like the organization file.
    if is_blank(value):
        raise InvalidInput([Problem("organization_brn", "This field is required")])
    digits = brn_digits(value)
    shown = str(value).strip()[:20]
    if digits is None:
        raise InvalidInput([Problem("organization_brn", "A business registration number has 10 digits, not {value}",
                                    {"value": shown})])
    if not brn_checksum_ok(digits):
        raise InvalidInput([Problem("organization_brn",
                                    "The check digit of business registration number {value} is wrong",
                                    {"value": shown})])
    return digits


def _organization_row(raw: dict[str, object]) -> dict[str, Any]:
    return organization_values(parse_organization(raw))


def _factory_row(raw: dict[str, object]) -> dict[str, Any]:
    problems: list[Problem] = []
    owner: str | None = None
    values: dict[str, Any] = {}
    try:
        owner = _parse_owner_brn(raw.get("organization_brn"))
    except InvalidInput as invalid:
        problems.extend(invalid.problems)
    try:
        values = asdict(parse_factory(raw))
    except InvalidInput as invalid:
        problems.extend(invalid.problems)
    if problems:
        raise InvalidInput(problems)
    return {"organization_brn": owner, **values}


def _rows_by_key(outcomes: Iterable[RowOutcome], key: Callable[[RowOutcome], object]) -> dict[object, list[RowOutcome]]:
    groups: dict[object, list[RowOutcome]] = defaultdict(list)
    for outcome in outcomes:
        value = key(outcome)
        if value is not None:
            groups[value].append(outcome)
    return groups


def _flag_repeated(outcomes: Sequence[RowOutcome], key: Callable[[RowOutcome], object], field_name: str,
                   message: str, shown: Callable[[RowOutcome], str]) -> None:
    """Every row of a group that appears more than once: none of them is imported, since which is right?"""
    for group in _rows_by_key(outcomes, key).values():
        if len(group) < 2:
            continue
        numbers = ", ".join(str(o.number) for o in group)
        for outcome in group:
            outcome.refuse(Problem(field_name, message, {"value": shown(outcome), "rows": numbers}))


def _check_organizations(session: Session, outcomes: Sequence[RowOutcome]) -> None:
    brns = {id(o): valid_brn(o.raw.get("brn")) for o in outcomes}

    def brn_of(outcome: RowOutcome) -> str | None:
        return brns[id(outcome)]

    _flag_repeated(outcomes, brn_of, "brn", "Business registration number {value} is in the file more than once "
                   "(rows {rows})", lambda o: format_brn(brn_of(o) or ""))
    registered = organization_ids_by_brn(session, sorted({b for b in brns.values() if b}))
    for outcome in outcomes:
        brn = brn_of(outcome)
        if brn in registered:
            outcome.refuse(Problem("brn", "Business registration number {value} is registered already",
                                   {"value": format_brn(brn)}))


def _factory_key(outcome: RowOutcome) -> tuple[str, str] | None:
    brn = valid_brn(outcome.raw.get("organization_brn"))
    name = str(outcome.raw.get("name") or "").strip()
    return (brn, name) if brn and name else None


def _check_factories(session: Session, outcomes: Sequence[RowOutcome]) -> None:
    _flag_repeated(outcomes, _factory_key, "name", "Factory {value} is in the file more than once (rows {rows})",
                   lambda o: str(o.raw.get("name") or "").strip())
    owners = organization_ids_by_brn(session, sorted({k[0] for o in outcomes if (k := _factory_key(o))}))
    existing = _existing_factory_names(session, sorted(set(owners.values())))
    for outcome in outcomes:
        key = _factory_key(outcome)
        if key is None:
            continue
        brn, name = key
        if brn not in owners:
            outcome.refuse(Problem("organization_brn", "No organization with business registration number {value} "
                                   "is registered; import the organizations first", {"value": format_brn(brn)}))
        elif (owners[brn], name) in existing:
            outcome.refuse(Problem("name", "Organization {brn} has a factory named {value} already",
                                   {"brn": format_brn(brn), "value": name}))
        elif outcome.values is not None:
            outcome.values = _factory_columns(outcome.values, owners[brn])


def _factory_columns(values: Mapping[str, Any], organization_id: int) -> dict[str, Any]:
    columns = {k: v for k, v in values.items() if k != "organization_brn"}
    columns["organization_id"] = organization_id
    return columns


def _existing_factory_names(session: Session, organization_ids: Sequence[int]) -> set[tuple[int, str]]:
    names: set[tuple[int, str]] = set()
    for start in range(0, len(organization_ids), 500):
        chunk = organization_ids[start:start + 500]
        names.update((org_id, name) for org_id, name in session.execute(
            select(Factory.organization_id, Factory.name).where(Factory.organization_id.in_(chunk))))
    return names


ROW_PARSERS: dict[ImportKind, Callable[[dict[str, object]], dict[str, Any]]] = {
    ImportKind.ORGANIZATIONS: _organization_row,
    ImportKind.FACTORIES: _factory_row,
}
CROSS_CHECKS: dict[ImportKind, Callable[[Session, Sequence[RowOutcome]], None]] = {
    ImportKind.ORGANIZATIONS: _check_organizations,
    ImportKind.FACTORIES: _check_factories,
}
TARGETS: dict[ImportKind, type[Organization] | type[Factory]] = {
    ImportKind.ORGANIZATIONS: Organization,
    ImportKind.FACTORIES: Factory,
}


def check_rows(session: Session, kind: ImportKind, table: Table, matched: Sequence[MatchedColumn],
               on_progress: ProgressCallback | None = None) -> list[RowOutcome]:
    """Every row checked on its own and against the others and the registry; nothing is written."""
    parse = ROW_PARSERS[kind]
    width = len(table.headers)
    outcomes: list[RowOutcome] = []
    total = len(table.rows)
    for done, row in enumerate(table.rows, start=1):
        outcomes.append(_outcome(row, matched, width, parse))
        if on_progress and (done % PROGRESS_EVERY == 0 or done == total):
            on_progress(ImportPhase.CHECK, done, total)
    CROSS_CHECKS[kind](session, outcomes)
    headers = {m.column.field: m.header for m in matched}
    for outcome in outcomes:
        outcome.problems = [_placed(p, outcome.number, headers) for p in outcome.problems]
    return outcomes


def _placed(problem: Problem, row: int, headers: Mapping[str, str]) -> Problem:
    return Problem(problem.field, problem.message, problem.params, row=row, column=headers.get(problem.field))


# Importing ---------------------------------------------------------------------------------------------


def import_registry_file(
    session: Session,
    *,
    actor: Actor,
    kind: ImportKind,
    data: bytes,
    file_name: str,
    max_bytes: int,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import the organizations or factories of a .csv or .xlsx file.

    Every row is checked before anything is written. In ALL_OR_NOTHING mode one problem anywhere keeps the
    whole file out; in VALID_ROWS mode the valid rows are written and the others reported. The report lists
    every problem with its row and column. One audit event records what was created.
    """
    actor.require(Permission.REGISTRY_IMPORT)
    try:
        table = read_table(data, file_name=file_name, max_bytes=max_bytes)
        matched = match_headers(LAYOUTS[kind], table)
        if not table.rows:
            raise refuse_file("The file has a header but no data rows")
    except InvalidInput as refused:
        return ImportReport(kind=kind, mode=mode, file_name=file_name, total_rows=0, imported_rows=0,
                            rejected_rows=0, problems=refused.problems, committed=False)
    outcomes = check_rows(session, kind, table, matched, on_progress)
    valid = [o.values for o in outcomes if o.values is not None and not o.problems]
    problems = [p for o in outcomes for p in o.problems]
    rejected = sum(1 for o in outcomes if o.problems)
    if not valid or (problems and mode is ImportMode.ALL_OR_NOTHING):
        return ImportReport(kind=kind, mode=mode, file_name=file_name, total_rows=len(outcomes), imported_rows=0,
                            rejected_rows=rejected, problems=problems, committed=False)
    created = _write(session, TARGETS[kind], valid, on_progress)
    import_id = uuid.uuid4().hex[:16]
    record(session, actor=actor, action="registry.import", object_type="registry_import", object_id=import_id,
           details={"kind": kind.value, "mode": mode.value, "file_name": file_name, "rows_imported": len(created),
                    "rows_rejected": rejected, "created_type": TARGETS[kind].__tablename__,
                    "created_ids": created})
    session.flush()
    return ImportReport(kind=kind, mode=mode, file_name=file_name, total_rows=len(outcomes),
                        imported_rows=len(created), rejected_rows=rejected, problems=problems, committed=True,
                        created_ids=created, import_id=import_id)


def _write(session: Session, target: type[Organization] | type[Factory], rows: Sequence[dict[str, Any]],
           on_progress: ProgressCallback | None) -> list[int]:
    """Bulk inserts in batches, inside a savepoint: a clash with a concurrent change leaves nothing behind."""
    created: list[int] = []
    try:
        with session.begin_nested():
            for start in range(0, len(rows), WRITE_BATCH):
                batch = rows[start:start + WRITE_BATCH]
                # Only the set of new ids is kept, not which row got which; without asking for the rows' order
                # SQLAlchemy can batch the INSERT ... RETURNING on SQLite too, instead of one row at a time.
                created.extend(session.scalars(insert(target).returning(target.id), list(batch)))
                if on_progress:
                    on_progress(ImportPhase.WRITE, len(created), len(rows))
    except IntegrityError:
        raise Conflict("Someone registered some of these rows while the file was being imported; nothing was "
                       "imported, try again") from None
    return created


# Templates ---------------------------------------------------------------------------------------------


def template_file(kind: ImportKind, fmt: TemplateFormat) -> bytes:
    """A template to fill in: Korean headers and an example row (xlsx: with a code sheet; csv: UTF-8 with BOM)."""
    layout = LAYOUTS[kind]
    if fmt is TemplateFormat.CSV:
        return _csv_template(layout)
    return _xlsx_template(layout)


def template_file_name(kind: ImportKind, fmt: TemplateFormat) -> str:
    """The name a downloaded template is saved under."""
    return f"midas-{kind.value}-template.{fmt.value}"


def _csv_template(layout: ImportLayout) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in layout.columns])
    writer.writerow([c.example for c in layout.columns])
    # The byte order mark makes Korean Excel open the file as UTF-8 instead of guessing CP949.
    return buffer.getvalue().encode("utf-8-sig")


REQUIRED_FILL = PatternFill("solid", start_color="FFE8F1FB", end_color="FFE8F1FB")
BOLD = Font(bold=True)


def _xlsx_template(layout: ImportLayout) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = SHEET_TITLES[layout.kind]
    sheet.append([c.header for c in layout.columns])
    sheet.append([c.example for c in layout.columns])
    for index, column in enumerate(layout.columns, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = BOLD
        if column.required:
            header.fill = REQUIRED_FILL
        header.comment = Comment(f"{'필수' if column.required else '선택'} · {column.note}", "MIDAS")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        if column.field in ("brn", "organization_brn"):
            sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    _code_sheet(workbook, layout)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _code_sheet(workbook: Workbook, layout: ImportLayout) -> None:
    sheet = workbook.create_sheet("코드표")
    sections: list[tuple[str, tuple[str, str, str], list[tuple[str, str, str]]]] = [
        ("열 설명 (색칠된 열은 필수)", ("열", "필수", "설명"),
         [(c.header, "필수" if c.required else "선택", c.note) for c in layout.columns]),
        ("지역 (이름 또는 코드)", ("코드", "이름", "English"),
         [(r.code, r.name_ko, r.name_en) for r in regions().values()]),
    ]
    if layout.kind is ImportKind.ORGANIZATIONS:
        sections.append(("업종 (KSIC 제조업 중분류 10~34)", ("코드", "이름", "English"),
                         [(d.code, d.name_ko, d.name_en) for d in ksic_divisions().values()]))
        sections.append(("기업 구분 (한글 이름 또는 코드)", ("코드", "이름", "English"),
                         [(k.value, KIND_NAMES_KO[k], ORGANIZATION_KIND_LABELS[k]) for k in OrganizationKind]))
    for title, headings, rows in sections:
        sheet.append([title])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
        sheet.append(list(headings))
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        for row in rows:
            sheet.append(list(row))
        sheet.append([])
    for letter, width in (("A", 22), ("B", 24), ("C", 60)):
        sheet.column_dimensions[letter].width = width
