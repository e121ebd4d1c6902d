"""Write the JSON Schemas and the README's tables from the optimizer and schedule registries.

    python tools/generate_schemas.py          # rewrite lrgame/levels/*.schema.json, README.md
    python tools/generate_schemas.py --check  # exit 1 if a committed file differs

The strategy schema is generated whole: every optimizer, alias and schedule,
every parameter with its bounds, default and words, straight from the
``ParamSpec`` declarations the parser reads, so the two cannot disagree. The
level schema is written by hand except for what comes from the registries
(the names ``allowed`` may offer); this script rewrites those parts only. In
``README.md`` it rewrites the optimizer and schedule tables between their
markers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrgame.engine.expr import MAX_LENGTH  # noqa: E402
from lrgame.engine.optim import REGISTRY as OPTIMIZERS  # noqa: E402
from lrgame.engine.params import ParamSpec  # noqa: E402
from lrgame.engine.sched import REGISTRY as SCHEDULES  # noqa: E402
from lrgame.engine.strategy import MAX_STEPS  # noqa: E402

SCHEMA_DIR = ROOT / "lrgame" / "levels"
STRATEGY_FILE = SCHEMA_DIR / "strategy.schema.json"
LEVEL_FILE = SCHEMA_DIR / "level.schema.json"
README = ROOT / "README.md"
TABLES_START = "<!-- registry tables: written by tools/generate_schemas.py -->"
TABLES_END = "<!-- end of registry tables -->"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _json(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def _bounds(param: ParamSpec, out: dict[str, Any]) -> None:
    number: type = int if param.kind in ("int", "ints") else float
    if param.low is not None:
        low = number(param.low)
        out["exclusiveMinimum" if param.low_open else "minimum"] = _tidy(low)
    if param.high is not None:
        high = number(param.high)
        out["exclusiveMaximum" if param.high_open else "maximum"] = _tidy(high)


def _tidy(x: Any) -> Any:
    """0.0 as 0 in the file: JSON has one number type."""
    if isinstance(x, bool):
        return x
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def _scalar(param: ParamSpec) -> dict[str, Any]:
    kind = param.kind
    out: dict[str, Any] = {}
    if kind in ("float", "floats"):
        out["type"] = "number"
    elif kind in ("int", "ints"):
        out["type"] = "integer"
    elif kind == "bool":
        out["type"] = "boolean"
    elif kind == "choice":
        out["type"] = "string"
        out["enum"] = list(param.choices)
    if param.nullable:
        out["type"] = [out["type"], "null"]
    _bounds(param, out)
    return out


def param_schema(param: ParamSpec, default: Any = None, *, item_ref: str = "") -> dict[str, Any]:
    """One parameter's schema: type, bounds, words, default or examples."""
    kind = param.kind
    out: dict[str, Any]
    if kind in ("floats", "ints"):
        item = _scalar(param)
        out = {"type": "array"}
        if param.item_docs:
            defaults = list(param.default) if isinstance(param.default, (list, tuple)) else []
            out["prefixItems"] = [
                {
                    **item,
                    "description": doc,
                    **({"default": _tidy(defaults[i])} if i < len(defaults) else {}),
                    "examples": [_tidy(defaults[i])] if i < len(defaults) else [],
                }
                for i, doc in enumerate(param.item_docs)
            ]
            out["items"] = False
        else:
            out["items"] = item
        if param.length is not None:
            out["minItems"] = param.length
            out["maxItems"] = param.length
        if param.unique_items:
            out["uniqueItems"] = True
    elif kind == "schedules":
        out = {"type": "array", "items": {"$ref": f"#/$defs/{item_ref}"}, "minItems": 1}
    elif kind == "expr":
        out = {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH}
    else:
        out = _scalar(param)
    out = {"type": out.pop("type"), "description": param.doc, **out}
    value = param.default if default is None else default
    if not param.derived and not param.required:
        out["default"] = _json(_tidy(value) if isinstance(value, (int, float)) else value)
    out["examples"] = _json(list(param.examples))
    return out


def _object(
    name: str, title: str, description: str, properties: dict[str, Any], required: list[str]
) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "description": description,
        "required": ["name", *required],
        "properties": {
            "name": {
                "const": name,
                "description": f"{name!r}: {description}",
                "examples": [name],
            },
            **properties,
        },
        "additionalProperties": False,
    }


def _dispatch(prefix: str, names: list[str], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["name"],
        "properties": {
            "name": {
                "type": "string",
                "enum": names,
                "description": "Which one; it decides which other fields are allowed.",
                "examples": names,
            }
        },
        "allOf": [
            {
                "if": {"properties": {"name": {"const": n}}, "required": ["name"]},
                "then": {"$ref": f"#/$defs/{prefix}_{n}"},
            }
            for n in names
        ],
    }


SCHEDULE_EXAMPLES = [{"name": "constant"}, {"name": "step", "step_size": 30, "gamma": 0.5}]


def _schedule_choice(names: list[str], description: str) -> dict[str, Any]:
    """A schedule by bare name (those needing no field) or as an object."""
    bare = [n for n in names if not any(p.required for p in SCHEDULES[n].params)]
    return {
        "description": description,
        "anyOf": [
            {
                "type": "string",
                "enum": bare,
                "description": "A schedule given by its bare name, with every field at its "
                "default.",
            },
            {
                **_dispatch("schedule", names, "A schedule as an object: its name and its fields."),
                "default": {"name": "constant"},
                "examples": SCHEDULE_EXAMPLES,
            },
        ],
        "default": "constant",
        "examples": ["constant", *SCHEDULE_EXAMPLES[1:]],
    }


def strategy_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    names: list[str] = []
    for name, definition in OPTIMIZERS.items():
        names.append(name)
        names.extend(definition.aliases)
    examples = [
        {"name": "sgd", "lr": 0.001},
        {"name": "adam", "lr": 0.01, "betas": [0.9, 0.999]},
        {"name": "nesterov", "lr": 0.05, "momentum": 0.9},
    ]
    defs["optimizer"] = {
        "description": 'An optimizer: a bare name such as "adam" (every field at its '
        "default), or an object whose name decides which hyperparameters it takes.",
        "anyOf": [
            {
                "type": "string",
                "enum": names,
                "description": "An optimizer given by its bare name, with every field at its "
                "default.",
            },
            {
                **_dispatch(
                    "optimizer",
                    names,
                    "An optimizer as an object: its name and its hyperparameters.",
                ),
                "default": {"name": "sgd", "lr": 0.001},
                "examples": examples,
            },
        ],
        "default": {"name": "sgd", "lr": 0.001},
        "examples": ["adam", *examples],
    }
    for name, definition in OPTIMIZERS.items():
        variants = [(name, definition.title, definition.description, {})]
        variants += [(a, d.title, d.description, d.defaults) for a, d in definition.aliases.items()]
        for shown, title, description, defaults in variants:
            properties = {p.name: param_schema(p, defaults.get(p.name)) for p in definition.params}
            defs[f"optimizer_{shown}"] = _object(shown, title, description, properties, [])
    defs["schedule"] = _schedule_choice(
        list(SCHEDULES),
        'A learning-rate schedule: a bare name such as "cosine", or an object with a name '
        "and fields.",
    )
    for name, definition in SCHEDULES.items():
        if definition.item_names is not None:
            items = list(definition.item_names())
            defs[f"{name}_item"] = _schedule_choice(
                items, f"A schedule inside a {name}: one of {', '.join(items)}."
            )
        properties = {p.name: param_schema(p, item_ref=f"{name}_item") for p in definition.params}
        required = [p.name for p in definition.params if p.required]
        title = definition.title
        defs[f"schedule_{name}"] = _object(
            name, title, definition.description, properties, required
        )
    return {
        "$schema": DRAFT,
        "$id": "https://lrgame.dev/schema/strategy.schema.json",
        "title": "lrgame strategy",
        "description": "How to walk down a loss landscape: an optimizer (with its learning rate), "
        "an optional learning-rate schedule and an optional number of steps. The names and "
        "fields follow torch.optim and torch.optim.lr_scheduler. Generated from lrgame's "
        "optimizer and schedule registries by tools/generate_schemas.py: do not edit by hand.",
        "type": "object",
        "required": ["optimizer"],
        "properties": {
            "optimizer": {
                "$ref": "#/$defs/optimizer",
                "description": "The optimizer and its hyperparameters, as in torch.optim "
                "(required).",
                "examples": [{"name": "sgd", "lr": 0.1}, {"name": "adam", "lr": 0.01}],
            },
            "schedule": {
                "$ref": "#/$defs/schedule",
                "description": "How the learning rate changes from step to step, as in "
                "torch.optim.lr_scheduler; a bare name or an object. Default: constant.",
                "default": "constant",
                "examples": ["constant", {"name": "step", "step_size": 30, "gamma": 0.5}],
            },
            "steps": {
                "type": "integer",
                "description": f"How many steps to walk (at most {MAX_STEPS}). Default: the "
                "level's step budget.",
                "minimum": 1,
                "maximum": MAX_STEPS,
                "examples": [100, 500],
            },
        },
        "additionalProperties": False,
        "examples": [
            {
                "optimizer": {"name": "momentum", "lr": 0.05},
                "schedule": {"name": "cosine"},
                "steps": 200,
            }
        ],
        "$defs": defs,
    }


def level_schema(current: dict[str, Any]) -> dict[str, Any]:
    """The level schema with its registry parts (what ``allowed`` may list) brought up to date."""
    out = json.loads(json.dumps(current))
    allowed = out["properties"]["allowed"]["properties"]
    for key, names in (("optimizers", list(OPTIMIZERS)), ("schedules", list(SCHEDULES))):
        allowed[key]["items"]["enum"] = names
        allowed[key]["default"] = names
    return out


def text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _number(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, str):
        return f'"{x}"'
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(_number(v) for v in x) + "]"
    if isinstance(x, float) and x == 1 / 3:
        return "1/3"
    shown = f"{x:g}"
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        shown = f"{mantissa}e{int(exponent)}"
    return shown


def _param_cell(param: ParamSpec, default: Any = None) -> str:
    if param.derived:
        return f"`{param.name}` ({param.default_doc})"
    if param.required:
        return f"`{param.name}` (required)"
    value = param.default if default is None else default
    return f"`{param.name}` {_number(value)}"


def readme_tables() -> str:
    """The README's optimizer and schedule tables, between their markers."""
    lines = [
        TABLES_START,
        "",
        "| optimizer | torch | what it does | parameters (defaults) |",
        "|---|---|---|---|",
    ]
    for name, definition in OPTIMIZERS.items():
        cells = ", ".join(_param_cell(p) for p in definition.params)
        lines.append(f"| `{name}` | `{definition.torch_class}` | {definition.summary} | {cells} |")
        for alias, alias_def in definition.aliases.items():
            changed = ", ".join(f"`{k}` {_number(v)}" for k, v in alias_def.defaults.items())
            lines.append(
                f"| `{alias}` | `{definition.torch_class}` | {alias_def.title} | "
                f"as `{name}`, with {changed} |"
            )
    lines += [
        "",
        "| schedule | torch | what it does | parameters (defaults; in brackets: lrgame's, "
        "from the run) |",
        "|---|---|---|---|",
    ]
    for name, sched in SCHEDULES.items():
        torch_class = f"`{sched.torch_class}`" if sched.torch_class else "no scheduler"
        if sched.form_label:
            torch_class = f"`{sched.form_label}`"
        cells = ", ".join(_param_cell(p) for p in sched.params)
        lines.append(f"| `{name}` | {torch_class} | {sched.summary} | {cells} |")
    lines += ["", TABLES_END]
    return "\n".join(lines)


def readme(current: str) -> str:
    start = current.index(TABLES_START)
    end = current.index(TABLES_END) + len(TABLES_END)
    return current[:start] + readme_tables() + current[end:]


def generated() -> dict[Path, str]:
    """Each generated file and the text it should hold."""
    current = json.loads(LEVEL_FILE.read_text(encoding="utf-8"))
    return {
        STRATEGY_FILE: text(strategy_schema()),
        LEVEL_FILE: text(level_schema(current)),
        README: readme(README.read_text(encoding="utf-8")),
    }


def main(argv: list[str]) -> int:
    stale = [path for path, body in generated().items() if path.read_text("utf-8") != body]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run python tools/generate_schemas.py")
        return 1 if stale else 0
    for path, body in generated().items():
        path.write_text(body, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
