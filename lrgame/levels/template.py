"""The template of a new level: a small, playable level with every field filled in.

``lrgame new NAME`` writes it as ``NAME.json`` and ``lrgame edit FILE.json``
starts from it when the file does not exist yet. The id and title come from
the name (``07-rolling-hills`` -> id ``rolling-hills``, title ``Rolling Hills``);
``$schema`` points at the schema shipped with lrgame, whose descriptions
explain every field in editors that read JSON Schema.

No UI and no NumPy here: the headless commands import this module.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from importlib import resources
from pathlib import Path

from lrgame.engine.errors import LrgameError

__all__ = [
    "DEFAULT_ID",
    "create_level_file",
    "level_file_for",
    "level_id_from_name",
    "level_title_from_name",
    "new_level_file",
    "schema_path",
    "schema_ref",
    "template_text",
]

DEFAULT_ID = "my-level"
"""The id when the name has nothing usable in it (only symbols, or another script)."""

_ORDER_PREFIX = re.compile(r"^\d+[-_ .]+(?=\S)")
_NOT_ID = re.compile(r"[^a-z0-9_-]+")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _stem(name: str) -> str:
    """``levels/07-rolling-hills.json`` -> ``rolling-hills`` (folder, suffix, order prefix gone)."""
    base = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if base.lower().endswith(".json"):
        base = base[: -len(".json")]
    return _ORDER_PREFIX.sub("", base.strip())


def level_id_from_name(name: str) -> str:
    """A valid level id from a file name: lowercase ASCII letters, digits, ``-`` and ``_``."""
    ascii_text = unicodedata.normalize("NFKD", _stem(name)).encode("ascii", "ignore").decode()
    candidate = _NOT_ID.sub("-", ascii_text.lower().replace(" ", "-")).strip("-_")[:64]
    candidate = candidate.strip("-_")
    return candidate if _ID.match(candidate) else DEFAULT_ID


def level_title_from_name(name: str) -> str:
    """``rolling_hills`` -> ``Rolling Hills``; a name in another script is kept as it is."""
    words = re.split(r"[-_\s]+", _stem(name))
    title = " ".join(w[:1].upper() + w[1:] for w in words if w)
    return title or "My Level"


def level_file_for(name: str) -> Path:
    """The file ``lrgame new NAME`` writes: ``NAME.json`` (``NAME`` if it already ends so)."""
    return Path(name if name.lower().endswith(".json") else name + ".json")


def new_level_file(name: str) -> Path:
    """The file ``lrgame new NAME`` may write, or LrgameError with one line saying why not.

    NAME is a file name in the current folder, or under one of its existing
    subfolders (``mylevels/valley``); ``.json`` is added unless it is there. Refused:
    an empty name, ``.`` and ``..`` (or a name that is only a folder), a path that
    leaves the current folder (absolute, or through ``..``) such as ``/dev/null``,
    backslashes, control characters, and a NAME that is an existing folder. An
    existing file is refused when it is written (never overwritten).
    """
    shown = ascii(name) if any(ord(c) < 32 or ord(c) == 127 for c in name) else name
    if not name.strip():
        raise LrgameError("new: give the level a name, such as: lrgame new rolling-hills")
    if shown != name:
        raise LrgameError(f"new: {shown}: a level name cannot hold control characters")
    if "\\" in name:
        raise LrgameError(f"new: {name}: use / between folder names, not \\")
    if name.startswith("/"):
        raise LrgameError(
            f"new: {name}: give a name in this folder (or a subfolder), not an absolute path; "
            f"cd to where the level belongs first"
        )
    parts = name.split("/")
    if ".." in parts:
        raise LrgameError(f"new: {name}: a level name cannot leave this folder through ..")
    base = parts[-1]
    stem = base[: -len(".json")] if base.lower().endswith(".json") else base
    if stem in ("", ".", ".."):
        raise LrgameError(
            f"new: {name}: that names a folder, not a level; give a file name such as "
            f"{(name.rstrip('/') + '/') if name.strip('./') else ''}rolling-hills"
        )
    if os.path.isdir(name):
        raise LrgameError(
            f"new: {name}: is a folder; to make a level inside it: lrgame new {name}/rolling-hills"
        )
    return level_file_for(name)


def schema_path() -> Path:
    """The shipped ``level.schema.json`` (what ``lrgame schema`` prints)."""
    return Path(str(resources.files("lrgame.levels").joinpath("level.schema.json"))).resolve()


def schema_ref(target: str | os.PathLike[str]) -> str:
    """``$schema`` for a level file at ``target``: the shipped schema, found from that file.

    Relative (``../lrgame/levels/level.schema.json``) when the file lies in the
    tree that holds the lrgame package, as the shipped levels do, so the
    reference survives moving the whole checkout; otherwise absolute, so it
    survives moving the level file.
    """
    schema = schema_path()
    folder = Path(os.path.abspath(Path(target))).parent
    root = schema.parents[2]  # the folder holding the lrgame package
    try:
        folder.resolve().relative_to(root)
    except ValueError:
        return schema.as_posix()
    return Path(os.path.relpath(schema, folder.resolve())).as_posix()


def template_text(name: str = DEFAULT_ID, schema: str | None = None) -> str:
    """The JSON text of a new level named after ``name``; ``schema`` is its ``$schema``.

    Every field of the format has an example value, and the demos pass:
    ``lrgame validate`` accepts it as it is.
    """
    s = _json_string
    schema = schema if schema is not None else schema_path().as_posix()
    return f"""{{
  "$schema": {s(schema)},
  "id": {s(level_id_from_name(name))},
  "title": {s(level_title_from_name(name))},
  "lesson": "local_minimum",
  "briefing": "A small hollow lies just below you, and the real valley is further on, past a low ridge. Short, careful steps settle in the hollow; steps that are too long bounce out of the valley and off the hill.",
  "hint": "Try a stride long enough to clear the ridge in one go, or let momentum carry careful steps over it.",
  "author": "Your Name",
  "loss": "0.05*(x - 3)^2*((x + 2)^2 + 1)",
  "domain": {{"x": [-4, 6]}},
  "start": [-3.5],
  "steps": 100,
  "goal": {{"tolerance": 0.1, "minimum": [[3]]}},
  "par": 30,
  "allowed": {{
    "optimizers": ["sgd", "adam"],
    "momentum": true,
    "schedules": ["constant", "cosine"],
    "finder": true
  }},
  "noise": {{"std": 0.05, "seed": 7}},
  "fog": {{"radius": 0.1, "enabled": true}},
  "demos": {{
    "lose": [
      {{
        "strategy": {{"optimizer": {{"name": "sgd", "lr": 0.1}}}},
        "outcome": "stuck_local",
        "note": "Careful steps walk into the hollow and stay there."
      }},
      {{
        "strategy": {{"optimizer": {{"name": "sgd", "lr": 1.0}}}},
        "outcome": "diverged",
        "note": "Too long: each stride overshoots further, until the walker flies off the hill."
      }}
    ],
    "win": [
      {{
        "strategy": {{"optimizer": {{"name": "sgd", "lr": 0.55}}, "schedule": {{"name": "constant"}}}},
        "note": "One long stride clears the ridge; near the bottom the slope flattens and the steps shrink."
      }},
      {{
        "strategy": {{"optimizer": {{"name": "sgd", "lr": 0.05, "momentum": 0.9}}, "steps": 100}},
        "note": "Small steps that keep rolling: momentum carries the walker over the ridge."
      }}
    ]
  }}
}}
"""


def _json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def create_level_file(path: str | os.PathLike[str], name: str | None = None) -> Path:
    """Write the template to ``path``, which must not exist yet; returns the path.

    The id and title come from ``name`` (default: the file's name). Raises
    :class:`LrgameError` with one line if the file exists or cannot be written;
    never overwrites anything (the file is opened with ``O_EXCL``).
    """
    target = Path(path)
    text = template_text(name if name is not None else target.name, schema_ref(target))
    try:
        with open(target, "x", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        raise LrgameError(f"{target}: already exists; not overwriting it") from None
    except FileNotFoundError:
        raise LrgameError(f"{target}: cannot write: no such folder {target.parent}") from None
    except IsADirectoryError:
        raise LrgameError(f"{target}: is a directory, not a file") from None
    except PermissionError:
        raise LrgameError(f"{target}: cannot write: permission denied") from None
    except OSError as error:
        raise LrgameError(f"{target}: cannot write: {error.strerror or error}") from None
    return target
