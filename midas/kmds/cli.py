"""``midas standard ...``: validate, convert and publish AAS files from the command line.

Exit codes of ``validate``: 0 every file is valid, 1 some file has findings (errors or warnings), 2 some file
could not be read at all.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from midas.config import get_settings
from midas.i18n import normalize_locale
from midas.kmds.service import TEMPLATE_FORMATS, read_limited, template_file, validate_upload
from midas.standard.convert import ConversionFailed, converter, converter_for_filename, converters
from midas.standard.io import DEFAULT_MAX_BYTES, UnreadableFile
from midas.standard.reference_docs import write_generated_files
from midas.standard.render import finding_text, render_text, report_json, report_status
from midas.standard.report import Report, Severity
from midas.standard.validate import Mode

app = typer.Typer(help="K-MDS: validate, convert and publish AAS files (JSON, XML, AASX).", no_args_is_help=True)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _max_bytes(option: int | None) -> int:
    return option if option is not None else get_settings().upload_max_bytes


def _report_for(path: Path, mode: Mode, max_bytes: int) -> Report:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            data = read_limited(handle.read, max_bytes)
    except OSError as error:
        refusal = UnreadableFile(
            "READ-OPEN", "The file cannot be opened: {reason}", {"reason": error.strerror or str(error)}
        )
        return Report(source=str(path), findings=(refusal.finding(),), loaded=False)
    return validate_upload(data, filename=str(path), mode=mode, max_bytes=max_bytes, size=size)


def _exit_code(reports: list[Report]) -> int:
    if any(report_status(report) == "unreadable" for report in reports):
        return 2
    if any(f.severity in (Severity.ERROR, Severity.WARNING) for report in reports for f in report.findings):
        return 1
    return 0


@app.command()
def validate(
    files: list[Path] = typer.Argument(..., help="AAS files: .json, .xml or .aasx (V3.0; V3.1 is converted)."),
    strict: bool = typer.Option(
        True, "--strict/--tolerant", help="Strict rejects a file with any error; tolerant loads what it can."
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.TEXT, "--format", help="text for people, json for machines."
    ),
    locale: str = typer.Option("ko", "--locale", help="Language of the messages: ko or en."),
    max_bytes: int | None = typer.Option(None, "--max-bytes", help="Largest file accepted (MIDAS_UPLOAD_MAX_BYTES)."),
) -> None:
    """Validate FILE... in three layers: schema, AAS constraints, K-MDS conformance."""
    language = normalize_locale(locale)
    mode = Mode.STRICT if strict else Mode.TOLERANT
    limit = _max_bytes(max_bytes)
    reports = [_report_for(path, mode, limit) for path in files]
    if output_format is OutputFormat.JSON:
        document = [report_json(report, language) | {"mode": mode.value} for report in reports]
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        for report in reports:
            sys.stdout.write(render_text(report, language))
    raise typer.Exit(_exit_code(reports))


@app.command()
def templates(
    directory: Path = typer.Argument(..., help="Folder to write the files into (created if needed)."),
) -> None:
    """Write the K-MDS submodel templates and concept descriptions as JSON, XML and AASX."""
    directory.mkdir(parents=True, exist_ok=True)
    for file_format in TEMPLATE_FORMATS:
        published = template_file(file_format)
        target = directory / published.filename
        target.write_bytes(published.data)
        typer.echo(f"{target} ({len(published.data):,} bytes)")


@app.command()
def docs(directory: Path = typer.Argument(..., help="Folder of the K-MDS reference (created if needed).")) -> None:
    """Write the K-MDS reference (Korean and English), templates and record schemas; only stale files change."""
    directory.mkdir(parents=True, exist_ok=True)
    written = write_generated_files(directory)
    for path in written:
        typer.echo(str(path))
    typer.echo(f"{len(written)} file(s) written" if written else "Up to date")


@app.command()
def convert(
    source: Path = typer.Argument(..., help="File to read: .json, .xml or .aasx."),
    target: Path = typer.Argument(..., help="File to write; the format follows its ending."),
    from_format: str | None = typer.Option(None, "--from", help="Read as this format instead of by the ending."),
    to_format: str | None = typer.Option(None, "--to", help="Write as this format instead of by the ending."),
) -> None:
    """Convert SOURCE to TARGET between AAS JSON, XML and AASX. Nothing is written when SOURCE has errors.

    The converters read files up to their size limit (20 MB); use ``validate --tolerant`` to see every
    problem of a file that does not convert."""
    known = ", ".join(c.name for c in converters())
    try:
        reader = converter(from_format) if from_format else converter_for_filename(source.name)
        writer = converter(to_format) if to_format else converter_for_filename(target.name)
    except KeyError as error:
        typer.echo(f"{error.args[0]} (formats: {known})", err=True)
        raise typer.Exit(2) from None
    try:
        with source.open("rb") as handle:
            environment = reader.read(read_limited(handle.read, DEFAULT_MAX_BYTES))
    except OSError as error:
        typer.echo(f"{source}: {error.strerror or error}", err=True)
        raise typer.Exit(2) from None
    except UnreadableFile as refusal:
        typer.echo(f"{source}: {finding_text(refusal.finding(), 'en')}", err=True)
        raise typer.Exit(2) from None
    except ConversionFailed as failure:
        for finding in failure.findings:
            typer.echo(f"{source}: {finding.path} {finding_text(finding, 'en')}", err=True)
        raise typer.Exit(1) from None
    target.write_bytes(writer.write(environment))
    typer.echo(f"{source} -> {target} ({writer.name})")
