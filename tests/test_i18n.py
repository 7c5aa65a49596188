"""Korean is the first language: every message id the code and the templates use has a Korean translation.

Message ids are collected from the source, not from a list kept by hand:

- ``_("...")`` in every Jinja template;
- the message of ``Problem(field, message)``, ``InvalidInput.single(field, message)``, ``InvalidInput(problems,
  message)`` and ``NotFound``/``PermissionDenied``/``AuthenticationFailed``/``Conflict``/``MidasError(message)``,
  and ``_(...)``/``gettext(...)``/``translate(locale, message)`` calls in Python;
- ``NavItem`` labels and the values of the ``*_LABELS`` dicts in ``enums.py`` modules, and in other modules
  those values that are English (a label written in Korean already is shown as it is, not looked up).

Arguments that are not string literals are skipped (they are checked where the literal is written).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from midas.errors import InvalidInput
from midas.i18n import LOCALE_DIR, catalog

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT / "midas"

# Call name -> position of the message argument (the keyword is always `message`).
MESSAGE_POSITION = {
    "Problem": 1,
    "NotFound": 0,
    "PermissionDenied": 0,
    "AuthenticationFailed": 0,
    "Conflict": 0,
    "MidasError": 0,
    "InvalidInput": 1,
    "single": 1,  # InvalidInput.single(field, message)
    "TooManyAttempts": 0,
    "refuse_file": 0,  # registry.spreadsheets: a file that cannot be read
    "problem": 1,  # assessment.frameworks.loader: self.problem(path, message)
    "_": 0,
    "gettext": 0,
    "translate": 1,
}
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
TEMPLATE_CALL = re.compile(r"""(?<![\w.])_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


@dataclass(frozen=True, slots=True)
class Use:
    message: str
    where: str


def _relative(path: Path) -> str:
    return path.relative_to(PROJECT).as_posix()


def template_messages() -> Iterator[Use]:
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_CALL.finditer(text):
            raw = match.group(1) if match.group(1) is not None else match.group(2)
            message = raw.replace('\\"', '"').replace("\\'", "'")
            yield Use(message, f"{_relative(path)}:{text.count(chr(10), 0, match.start()) + 1}")


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _message_argument(call: ast.Call) -> ast.expr | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "single" and isinstance(func.value, ast.Name) \
            and func.value.id == "InvalidInput":
        position = 1
    elif isinstance(func, ast.Name) and func.id in MESSAGE_POSITION:
        position = MESSAGE_POSITION[func.id]
    elif isinstance(func, ast.Attribute) and func.attr in MESSAGE_POSITION and func.attr != "_":
        position = MESSAGE_POSITION[func.attr]
    else:
        return None
    for keyword in call.keywords:
        if keyword.arg == "message":
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def python_messages() -> Iterator[Use]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "versions" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                message = _literal(_message_argument(node))
                if isinstance(node.func, ast.Name) and node.func.id == "NavItem":
                    label = node.args[0] if node.args else next(
                        (k.value for k in node.keywords if k.arg == "label"), None)
                    message = _literal(label)
                if message:
                    yield Use(message, f"{_relative(path)}:{node.lineno}")
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if any(name.endswith("_LABELS") for name in names) and isinstance(node.value, ast.Dict):
                    for value in node.value.values:
                        label = _literal(value)
                        if label and (path.name == "enums.py" or not HANGUL.search(label)):
                            yield Use(label, f"{_relative(path)}:{value.lineno}")


def used_messages() -> list[Use]:
    default = inspect.signature(InvalidInput.__init__).parameters["message"].default
    return [*template_messages(), *python_messages(), Use(default, "midas/errors.py (InvalidInput default)")]


def _parameters(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in Formatter().parse(text) if name}
    except ValueError as error:
        raise AssertionError(f"{text!r} is not a valid format string: {error}") from error


def test_messages_are_found_in_templates_and_code() -> None:
    uses = used_messages()
    where = {use.where.split(":")[0] for use in uses}
    assert any(w.endswith(".html") for w in where), "no _() call found in the templates"
    assert "midas/web/navigation.py" in where
    assert "midas/auth/enums.py" in where
    assert any(use.message == "The e-mail address or password is wrong" for use in uses)


def test_the_template_pattern_reads_both_quotes_and_parameters() -> None:
    text = """{{ _("Sign in") }} {{ _('Menu') }} {{ _("{count} found", count=n) }} {{ _(item.label) }}"""
    text += """ {{ x._("not a gettext call") }}"""
    assert [m.group(1) or m.group(2) for m in TEMPLATE_CALL.finditer(text)] == ["Sign in", "Menu", "{count} found"]


def test_every_message_has_a_korean_translation() -> None:
    korean = catalog("ko")
    missing: dict[str, list[str]] = defaultdict(list)
    for use in used_messages():
        if use.message not in korean:
            missing[use.message].append(use.where)
    if missing:
        report = "\n".join(f"  {message!r}  ({', '.join(places[:3])})" for message, places in sorted(missing.items()))
        pytest.fail(
            f"{len(missing)} message id(s) have no Korean translation in midas/locale/ko/LC_MESSAGES/*.po:\n{report}",
            pytrace=False,
        )


def test_translations_keep_every_parameter() -> None:
    broken = [
        f"  {message!r} -> {text!r}: {sorted(_parameters(message))} != {sorted(_parameters(text))}"
        for message, text in catalog("ko").items()
        if _parameters(message) != _parameters(text)
    ]
    assert not broken, "a translation must use exactly the {parameters} of its msgid:\n" + "\n".join(broken)


def test_used_messages_are_valid_format_strings() -> None:
    for use in used_messages():
        _parameters(use.message)


def _catalog_files() -> list[Path]:
    return sorted((LOCALE_DIR / "ko" / "LC_MESSAGES").glob("*.po"))


@pytest.mark.parametrize("path", _catalog_files(), ids=lambda p: p.name)
def test_each_catalog_file_reads_cleanly(path: Path) -> None:
    with path.open("rb") as handle:
        po = read_po(handle, locale="ko")
    empty = [str(m.id) for m in po if m.id and not m.string]
    fuzzy = [str(m.id) for m in po if m.id and m.fuzzy]
    assert not empty, f"{path.name}: untranslated entries {empty}"
    assert not fuzzy, f"{path.name}: fuzzy entries are ignored at run time, translate them: {fuzzy}"


def test_catalog_files_agree_on_shared_messages() -> None:
    """Each domain has its own .po file; the same msgid in two files must not be translated two ways."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in _catalog_files():
        with path.open("rb") as handle:
            for entry in read_po(handle, locale="ko"):
                if not entry.id or not entry.string:
                    continue
                message, text = str(entry.id), str(entry.string)
                if message in seen and seen[message][1] != text:
                    clashes.append(f"  {message!r}: {seen[message][0]} says {seen[message][1]!r}, "
                                   f"{path.name} says {text!r}")
                seen.setdefault(message, (path.name, text))
    assert not clashes, "one message, two translations:\n" + "\n".join(clashes)
