"""AASX packages (IDTA-01005, an OPC package in a ZIP file): read safely, write with correct relationships.

Reading refuses what could harm the reader before anything is unpacked: member names that leave the package
(absolute paths, ``..``, drive letters, backslashes), links, encrypted members, too many members, parts larger
than the limits (checked on the bytes actually inflated, not on the sizes the archive claims) and parts whose
compression ratio gives a zip bomb away. Relationship and content-type parts are parsed with the safe XML parser.

Writing builds the relationships the AASX specification asks for::

    /_rels/.rels                       package  --aasx-origin-->  /aasx/aasx-origin
    /aasx/_rels/aasx-origin.rels       origin   --aas-spec----->  /aasx/<spec>.json | .xml
    /aasx/_rels/<spec>.rels            spec     --aas-suppl---->  every supplementary file
    (optional)                         package  --thumbnail---->  the thumbnail
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import stat
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from pyecma376_2.package_model import RELATIONSHIP_TYPE_THUMBNAIL, OPCRelationship, OPCTargetMode
from pyecma376_2.zip_package import ZipPackageWriter

from midas.standard.io.errors import UnreadableFile
from midas.standard.io.limits import ReadLimits, check_size
from midas.standard.io.xml_reader import parse_xml

__all__ = [
    "AASX_ORIGIN",
    "AAS_SPEC",
    "AAS_SUPPLEMENTARY",
    "AasxPackage",
    "PackagePart",
    "is_zip",
    "read_aasx",
    "write_aasx",
]

AASX_ORIGIN = "http://admin-shell.io/aasx/relationships/aasx-origin"
AAS_SPEC = "http://admin-shell.io/aasx/relationships/aas-spec"
AAS_SUPPLEMENTARY = "http://admin-shell.io/aasx/relationships/aas-suppl"
# Packages written by older tools use the www. host in the relationship types.
_LEGACY_PREFIX = "http://www.admin-shell.io/"
_RELATIONSHIPS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_ORIGIN_PART = "/aasx/aasx-origin"
_CHUNK = 64 * 1024
# Below this size a high compression ratio is harmless (a page of zeros compresses a thousandfold).
_RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PackagePart:
    """One part of a package: its absolute part name (``/aasx/files/manual.pdf``), content type and bytes."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class AasxPackage:
    """What an AASX holds for AAS: the environment parts, their supplementary files and a thumbnail."""

    specs: tuple[PackagePart, ...]
    supplementary: tuple[PackagePart, ...]
    thumbnail: PackagePart | None = None

    def supplementary_by_name(self) -> dict[str, PackagePart]:
        return {part.name: part for part in self.supplementary}


def _unsafe(rule_message: str, name: str) -> UnreadableFile:
    return UnreadableFile("READ-AASX-PATH", rule_message, {"member": name}, path=name)


def _check_member_name(name: str) -> None:
    if "\x00" in name or "\\" in name:
        raise _unsafe("The package member {member} has a backslash or NUL in its name; refused", name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise _unsafe("The package member {member} has an absolute path; refused", name)
    if ".." in name.split("/"):
        raise _unsafe("The package member {member} climbs out of the package with '..'; refused", name)


def _check_member(info: zipfile.ZipInfo, limits: ReadLimits) -> None:
    _check_member_name(info.filename)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _unsafe("The package member {member} is a symbolic link; refused", info.filename)
    if info.flag_bits & 0x1:
        raise UnreadableFile(
            "READ-AASX",
            "The package member {member} is encrypted; refused",
            {"member": info.filename},
            path=info.filename,
        )
    if info.file_size > limits.max_bytes:
        raise UnreadableFile(
            "READ-SIZE",
            "The package member {member} unpacks to {size} bytes; the limit is {limit} bytes",
            {"member": info.filename, "size": info.file_size, "limit": limits.max_bytes},
            path=info.filename,
        )
    if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise _bomb(info.filename, limits)


def _bomb(name: str, limits: ReadLimits) -> UnreadableFile:
    return UnreadableFile(
        "READ-AASX-BOMB",
        "The package member {member} is compressed more than {ratio} to 1, as zip bombs are; refused",
        {"member": name, "ratio": limits.max_ratio},
        path=name,
    )


class _Archive:
    """The members of a checked ZIP file, inflated on demand within the limits."""

    def __init__(self, data: bytes, limits: ReadLimits) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
            raise UnreadableFile("READ-AASX", "The file is not a ZIP archive, so not an AASX package") from None
        infos = self._zip.infolist()
        if len(infos) > limits.max_members:
            raise UnreadableFile(
                "READ-AASX",
                "The package has {count} members; the limit is {limit}",
                {"count": len(infos), "limit": limits.max_members},
            )
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _check_member(info, limits)
            if info.filename in self._infos:
                raise _unsafe("The package holds {member} twice; refused", info.filename)
            if not info.is_dir():
                self._infos[info.filename] = info
        declared = sum(info.file_size for info in self._infos.values())
        if declared > limits.max_unpacked_bytes:
            raise UnreadableFile(
                "READ-AASX-BOMB",
                "The package unpacks to {size} bytes; the limit is {limit} bytes",
                {"size": declared, "limit": limits.max_unpacked_bytes},
            )
        self._limits = limits
        self._inflated = 0

    def __contains__(self, part_name: str) -> bool:
        return part_name.lstrip("/") in self._infos

    def read(self, part_name: str) -> bytes:
        """The bytes of a part, counted against the limits as they inflate (the sizes in a ZIP can lie)."""
        info = self._infos[part_name.lstrip("/")]
        budget = min(self._limits.max_bytes, self._limits.max_unpacked_bytes - self._inflated)
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    if size > budget or (size > _RATIO_FLOOR and size > self._limits.max_ratio * info.compress_size):
                        raise _bomb(info.filename, self._limits)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise UnreadableFile(
                "READ-AASX",
                "The package member {member} cannot be unpacked: {reason}",
                {"member": info.filename, "reason": str(error)},
                path=info.filename,
            ) from None
        self._inflated += size
        return b"".join(chunks)


def _relationships_part(part_name: str) -> str:
    folder, _, file_name = part_name.rpartition("/")
    return f"{folder}/_rels/{file_name}.rels"


def _relationship_type(value: str) -> str:
    return "http://" + value[len(_LEGACY_PREFIX) :] if value.startswith(_LEGACY_PREFIX) else value


def _resolve_target(target: str, source_part: str) -> str:
    """The absolute part name a relationship target points to; refused if it climbs above the package root."""
    target = unquote(target.split("#", 1)[0])
    base = [] if target.startswith("/") else posixpath.dirname(source_part).strip("/").split("/")
    resolved: list[str] = [segment for segment in base if segment]
    for segment in target.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not resolved:
                raise _unsafe("The package member {member} climbs out of the package with '..'; refused", target)
            resolved.pop()
        else:
            resolved.append(segment)
    name = "/".join(resolved)
    _check_member_name(name)
    return "/" + name


def _relationships(archive: _Archive, source_part: str, limits: ReadLimits) -> Iterator[tuple[str, str]]:
    """(type, absolute target) of each internal relationship of ``source_part`` ("/" for the package)."""
    rels_name = "/_rels/.rels" if source_part == "/" else _relationships_part(source_part)
    if rels_name not in archive:
        return
    root = parse_xml(archive.read(rels_name), max_bytes=limits.max_bytes)
    for element in root.iter(f"{_RELATIONSHIPS_NS}Relationship"):
        if element.get("TargetMode", "Internal") != "Internal":
            continue
        target = element.get("Target")
        if target:
            yield _relationship_type(element.get("Type", "")), _resolve_target(target, source_part)


def _content_types(archive: _Archive, limits: ReadLimits) -> tuple[dict[str, str], dict[str, str]]:
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    if "/[Content_Types].xml" not in archive:
        return defaults, overrides
    root = parse_xml(archive.read("/[Content_Types].xml"), max_bytes=limits.max_bytes)
    for element in root:
        if element.tag == f"{_CONTENT_TYPES_NS}Default":
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
        elif element.tag == f"{_CONTENT_TYPES_NS}Override":
            overrides[element.get("PartName", "").lower()] = element.get("ContentType", "")
    return defaults, overrides


def _targets(relationships: Iterable[tuple[str, str]], wanted: str) -> list[str]:
    return [target for kind, target in relationships if kind == wanted]


def read_aasx(data: bytes, *, limits: ReadLimits) -> AasxPackage:
    """The AAS parts of the package in ``data``; raises :class:`UnreadableFile` for anything unsafe or missing."""
    check_size(data, limits.max_bytes)
    archive = _Archive(data, limits)
    defaults, overrides = _content_types(archive, limits)

    def part(name: str) -> PackagePart:
        if name not in archive:
            raise UnreadableFile(
                "READ-AASX", "The package refers to {member}, which it does not contain", {"member": name}, path=name
            )
        extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
        content_type = overrides.get(name.lower()) or defaults.get(extension) or "application/octet-stream"
        return PackagePart(name, content_type, archive.read(name))

    root_relationships = list(_relationships(archive, "/", limits))
    origins = _targets(root_relationships, AASX_ORIGIN)
    if not origins:
        raise UnreadableFile(
            "READ-AASX-ORIGIN", "The package has no aasx-origin relationship, so it is not an AASX package"
        )
    spec_names = [
        target for origin in origins for target in _targets(_relationships(archive, origin, limits), AAS_SPEC)
    ]
    if not spec_names:
        raise UnreadableFile("READ-AASX-SPEC", "The package has no aas-spec relationship: it holds no AAS environment")
    specs = tuple(part(name) for name in dict.fromkeys(spec_names))
    supplementary_names = [
        target for spec in specs for target in _targets(_relationships(archive, spec.name, limits), AAS_SUPPLEMENTARY)
    ]
    thumbnails = _targets(root_relationships, RELATIONSHIP_TYPE_THUMBNAIL)
    return AasxPackage(
        specs=specs,
        supplementary=tuple(part(name) for name in dict.fromkeys(supplementary_names)),
        thumbnail=part(thumbnails[0]) if thumbnails else None,
    )


def _relationship_id(source: str, target: str) -> str:
    return "R" + hashlib.sha256(f"{source}>{target}".encode()).hexdigest()[:16]


def _relationship(source: str, kind: str, target: str) -> OPCRelationship:
    return OPCRelationship(_relationship_id(source, target), kind, target, OPCTargetMode.INTERNAL)


def write_aasx(
    spec: PackagePart, supplementary: Sequence[PackagePart] = (), *, thumbnail: PackagePart | None = None
) -> bytes:
    """An AASX package holding ``spec`` (the environment as JSON or XML) and its supplementary files."""
    parts: Mapping[str, PackagePart] = {p.name: p for p in (spec, *supplementary, *([thumbnail] if thumbnail else []))}
    if len(parts) != 1 + len(supplementary) + (1 if thumbnail else 0):
        raise ValueError("every part of a package needs its own name")
    buffer = io.BytesIO()
    with ZipPackageWriter(buffer) as writer:
        writer.content_types.default_types.update({"rels": "application/vnd.openxmlformats-package.relationships+xml"})
        with writer.open_part(_ORIGIN_PART, "text/plain") as handle:
            handle.write(b"Intentionally empty.")
        for item in parts.values():
            with writer.open_part(item.name, item.content_type) as handle:
                handle.write(item.data)
        root = [_relationship("/", AASX_ORIGIN, _ORIGIN_PART)]
        if thumbnail is not None:
            root.append(_relationship("/", RELATIONSHIP_TYPE_THUMBNAIL, thumbnail.name))
        writer.write_relationships(root)
        writer.write_relationships([_relationship(_ORIGIN_PART, AAS_SPEC, spec.name)], _ORIGIN_PART)
        if supplementary:
            writer.write_relationships(
                [_relationship(spec.name, AAS_SUPPLEMENTARY, item.name) for item in supplementary], spec.name
            )
    return buffer.getvalue()


def is_zip(data: bytes) -> bool:
    """Whether ``data`` starts like a ZIP archive (and so may be an AASX package)."""
    return data[:4] == b"PK\x03\x04"
