"""Collect every UI string wrapped in ``_()`` into ``lrgame/locales/messages.json``.

A translator copies that file to ``<lang>.json`` and fills in the values; the
game then shows the translation, falling back to English for anything missing.
A test checks that the template is current.

    python tools/extract_messages.py
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "lrgame" / "locales" / "messages.json"


def messages() -> list[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "lrgame").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return sorted(found)


def template_text() -> str:
    return json.dumps({message: "" for message in messages()}, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    TEMPLATE.write_text(template_text(), encoding="utf-8")
    print(f"wrote {len(messages())} messages to {TEMPLATE.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
