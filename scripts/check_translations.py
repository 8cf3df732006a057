"""Fail when a string we wrote is missing from a catalogue, untranslated, fuzzy, or when a
compiled ``.mo`` does not match its ``.po``.

Run from the repository root: ``python scripts/check_translations.py``. Needs GNU
gettext (``msgfmt``, ``xgettext``), as Django's ``makemessages`` does. To update the
catalogues after changing strings: ``oxyflow makemessages -l fr -l ar -l vi`` (from
``oxyflow/``), translate, then ``oxyflow compilemessages``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "oxyflow"
LANGUAGES = ("fr", "ar", "vi")


def entries(po: Path) -> dict[str, tuple[str, bool]]:
    """msgid (with context and plural) → (first msgstr, fuzzy?) for every active entry."""
    result: dict[str, tuple[str, bool]] = {}
    block: list[str] = []
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            parsed = _parse_block(block)
            if parsed is not None:
                key, translation, fuzzy = parsed
                result[key] = (translation, fuzzy)
        block = []
    return result


def _parse_block(block: list[str]) -> tuple[str, str, bool] | None:
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
    fields: dict[str, str] = {}
    current = None
    for line in block:
        if line.startswith("#"):
            continue
        if line.startswith('"') and current:
            fields[current] += _unquote(line)
            continue
        name, _, rest = line.partition(" ")
        current = name
        fields[name] = _unquote(rest)
    msgid = fields.get("msgid")
    if msgid is None or msgid == "":
        return None  # header
    key = fields.get("msgctxt", "") + "\x04" + msgid + "\x00" + fields.get("msgid_plural", "")
    translation = fields.get("msgstr", fields.get("msgstr[0]", ""))
    return key, translation, fuzzy


def msgid_of(key: str) -> str:
    return key.split("\x04")[1].split("\x00")[0]


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if text.startswith('"') and text.endswith('"') else text


def extracted_msgids() -> set[str]:
    """The msgids Django's makemessages finds in the current source, for one language."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "oxyflow"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
        (copy / "locale").mkdir()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oxyflow.settings"}
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "fr", "-v", "0"],
            cwd=copy,
            env=env,
            check=True,
        )
        return set(entries(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))


def _stale_mo(po: Path) -> list[str]:
    mo = po.with_suffix(".mo")
    with tempfile.NamedTemporaryFile(suffix=".mo") as compiled:
        subprocess.run(["msgfmt", "--check-format", "-o", compiled.name, str(po)], check=True)
        if not mo.exists() or Path(compiled.name).read_bytes() != mo.read_bytes():
            return [f"{mo.relative_to(ROOT)}: stale; run `oxyflow compilemessages`"]
    return []


def main() -> int:
    if not shutil.which("msgfmt"):
        print("check_translations: GNU gettext (msgfmt) is not installed", file=sys.stderr)
        return 1
    problems: list[str] = []
    wanted = extracted_msgids()
    for language in LANGUAGES:
        folder = PACKAGE / "locale" / language / "LC_MESSAGES"
        po = folder / "django.po"
        if not po.exists():
            problems.append(f"{po.relative_to(ROOT)}: missing")
            continue
        catalogue = entries(po)
        missing = wanted - set(catalogue)
        problems += [f"{language}: not in the catalogue: {msgid_of(k)!r}" for k in sorted(missing)]
        for key, (translation, fuzzy) in catalogue.items():
            if key not in wanted:
                continue
            msgid = msgid_of(key)
            if fuzzy:
                problems.append(f"{language}: fuzzy: {msgid!r}")
            elif not translation:
                problems.append(f"{language}: untranslated: {msgid!r}")
        problems += _stale_mo(po)
    for po in sorted((PACKAGE / "locale_django_supplement").glob("*/LC_MESSAGES/django.po")):
        problems += _stale_mo(po)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"check_translations: {len(wanted)} strings, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
