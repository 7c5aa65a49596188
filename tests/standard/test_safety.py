"""Bad input is refused with a clear finding and nothing is written: XXE and entity bombs in XML, path
traversal, links and zip bombs in AASX, files over the size limit, broken encodings."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from midas.standard.io import ReadLimits, UnreadableFile, parse_xml, read_aasx
from midas.standard.report import Layer, Severity
from midas.standard.validate import Mode, validate_bytes

ORIGIN_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Type="http://admin-shell.io/aasx/relationships/aasx-origin" Target="/aasx/aasx-origin" '
    b'Id="R1"/></Relationships>'
)
SPEC_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Type="http://admin-shell.io/aasx/relationships/aas-spec" Target="/aasx/data.json" Id="R2"/>'
    b"</Relationships>"
)


@pytest.fixture
def nothing_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty working folder and check that it is still empty afterwards."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert list(tmp_path.iterdir()) == []


def package(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == symlink:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def valid_members() -> dict[str, bytes]:
    return {
        "_rels/.rels": ORIGIN_RELS,
        "aasx/aasx-origin": b"",
        "aasx/_rels/aasx-origin.rels": SPEC_RELS,
        "aasx/data.json": b"{}",
    }


def refused(data: bytes, limits: ReadLimits | None = None) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        read_aasx(data, limits=limits or ReadLimits())
    return caught.value


def validated(data: bytes, filename: str, *, max_bytes: int = 1_000_000) -> tuple[str, str]:
    result = validate_bytes(data, filename=filename, mode=Mode.TOLERANT, max_bytes=max_bytes)
    (finding,) = result.report.findings
    assert finding.layer is Layer.READ
    assert finding.severity is Severity.ERROR
    assert result.environment is None
    assert not result.report.loaded
    return finding.rule, finding.english()


def test_an_external_entity_is_refused_and_the_file_it_names_stays_unread(
    tmp_path: Path, nothing_written: Path
) -> None:
    secret = tmp_path.parent / "secret.txt"
    secret.write_text("the secret")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE environment [<!ENTITY leak SYSTEM "file://{secret}">]>'
        '<environment xmlns="https://admin-shell.io/aas/3/0"><submodels><submodel><id>&leak;</id>'
        "</submodel></submodels></environment>"
    ).encode()
    rule, message = validated(xxe, "leak.xml")
    assert rule == "READ-XML-DTD"
    assert "the secret" not in message
    assert "DOCTYPE" in message


def test_a_billion_laughs_is_refused_before_it_expands(nothing_written: Path) -> None:
    entities = "".join(f'<!ENTITY lol{n} "{"&lol" + str(n - 1) + ";" * 1}' * 10 + '">' for n in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]><lolz>&lol9;</lolz>'
    assert validated(bomb.encode(), "lol.xml")[0] == "READ-XML-DTD"


def test_a_doctype_in_utf16_is_refused_too() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    with pytest.raises(UnreadableFile) as caught:
        parse_xml(document.encode("utf-16"), max_bytes=1_000_000)
    assert caught.value.rule == "READ-XML-DTD"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../evil.json", "'..'"),
        ("aasx/../../evil.json", "'..'"),
        ("/etc/cron.d/evil", "absolute path"),
        ("C:/Windows/evil.dll", "absolute path"),
        ("aasx\\..\\evil.json", "backslash"),
    ],
)
def test_member_names_that_leave_the_package_are_refused(name: str, expected: str, nothing_written: Path) -> None:
    members = valid_members() | {name: b"payload"}
    error = refused(package(members))
    assert error.rule == "READ-AASX-PATH"
    assert error.path == name
    assert expected in str(error)
    assert validated(package(members), "evil.aasx")[0] == "READ-AASX-PATH"


def test_a_relationship_that_leaves_the_package_is_refused() -> None:
    members = valid_members() | {
        "aasx/_rels/aasx-origin.rels": SPEC_RELS.replace(b"/aasx/data.json", b"../../etc/passwd")
    }
    assert refused(package(members)).rule == "READ-AASX-PATH"


def test_a_symbolic_link_is_refused() -> None:
    members = valid_members() | {"aasx/files/link": b"/etc/passwd"}
    assert "symbolic link" in str(refused(package(members, symlink="aasx/files/link")))


def test_a_zip_bomb_is_refused_by_its_compression_ratio(nothing_written: Path) -> None:
    members = valid_members() | {"aasx/files/zeros.bin": bytes(8 * 1024 * 1024)}
    rule, message = validated(package(members), "bomb.aasx", max_bytes=10 * 1024 * 1024)
    assert rule == "READ-AASX-BOMB"
    assert "zip bomb" in message


def test_a_package_that_unpacks_beyond_the_limit_is_refused() -> None:
    members = valid_members() | {f"aasx/files/{n}.bin": os.urandom(2048) for n in range(8)}
    error = refused(package(members), ReadLimits(max_bytes=100_000, max_unpacked_bytes=10_000))
    assert error.rule == "READ-AASX-BOMB"


def test_sizes_that_lie_are_caught_while_inflating() -> None:
    data = bytearray(package(valid_members() | {"aasx/data.json": b"[" + b"0," * 200_000 + b"0]"}))
    # Shrink the recorded size of aasx/data.json in the central directory: the reader must not trust it.
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"aasx/data.json") + 1)
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(UnreadableFile) as caught:
        read_aasx(bytes(data), limits=ReadLimits(max_bytes=100_000, max_unpacked_bytes=1_000_000))
    assert caught.value.rule in ("READ-AASX-BOMB", "READ-AASX")


def test_too_many_members_are_refused() -> None:
    members = valid_members() | {f"aasx/files/{n}.txt": b"x" for n in range(20)}
    assert refused(package(members), ReadLimits(max_members=10)).rule == "READ-AASX"


def test_an_encrypted_member_is_refused() -> None:
    data = bytearray(package(valid_members()))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        offset = data.find(header)
        flag_at = offset + (6 if header == b"PK\x03\x04" else 8)
        data[flag_at] |= 0x1
    assert "encrypted" in str(refused(bytes(data)))


def test_a_package_without_the_aasx_origin_is_no_aasx() -> None:
    members = valid_members()
    del members["_rels/.rels"]
    assert refused(package(members)).rule == "READ-AASX-ORIGIN"


def test_something_that_is_no_zip_is_refused() -> None:
    assert validated(b"PK\x03\x04 but no archive", "broken.aasx")[0] == "READ-AASX"


def test_files_over_the_size_limit_are_refused_whatever_their_format(nothing_written: Path) -> None:
    for filename in ("big.json", "big.xml", "big.aasx"):
        rule, message = validated(b" " * 5000, filename, max_bytes=4096)
        assert rule == "READ-SIZE"
        assert message == "The file is 5000 bytes; the limit is 4096 bytes"


def test_json_that_is_not_utf8_is_refused_with_its_byte_offset(nothing_written: Path) -> None:
    rule, message = validated('{"submodels": [{"idShort": "설비"}]}'.encode("euc-kr"), "legacy.json")
    assert rule == "READ-UTF8"
    assert "byte 28 (line 1, column 29)" in message


def test_truncated_json_is_refused_with_its_position(nothing_written: Path) -> None:
    rule, message = validated(b'{"submodels": [{"id": "urn:x", ', "cut.json")
    assert rule == "READ-JSON"
    assert "line 1" in message
