"""Reading the committed schemas: validators with strict format checking, and schema walks."""

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from contracts.registry import Contract

__all__ = [
    "FORMAT_CHECKER",
    "committed_schema",
    "definitions",
    "is_sub_model",
    "leaf_properties",
    "object_schemas",
    "sensitivity_by_path",
    "validator",
]

Schema = dict[str, Any]

_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)

# jsonschema checks "date-time" only when rfc3339-validator is installed, and skips it silently
# otherwise; this checker always checks it, the RFC 3339 way (an offset is required).
FORMAT_CHECKER = FormatChecker()


def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _RFC3339.fullmatch(value) is None:
        return False
    datetime.fromisoformat(value.upper())  # rejects a 31st of February, an hour 25...
    return True


FORMAT_CHECKER.checks("date-time", raises=ValueError)(_is_rfc3339)


def committed_schema(contract: Contract) -> Schema:
    loaded: Schema = json.loads(contract.schema_path.read_text(encoding="utf-8"))
    return loaded


def validator(schema: Schema) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMAT_CHECKER)


def definitions(schema: Schema, node: Schema) -> list[Schema]:
    """The ``$defs`` entries ``node`` refers to, directly or in an ``anyOf``/``allOf`` branch."""
    found: list[Schema] = []
    for branch in [node, *node.get("anyOf", []), *node.get("allOf", [])]:
        ref = branch.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            found.append(schema["$defs"][ref.removeprefix("#/$defs/")])
    return found


def _definition(schema: Schema, node: Schema) -> Schema | None:
    """The object model ``node`` stands for, if it stands for one."""
    return next((d for d in definitions(schema, node) if "properties" in d), None)


def leaf_properties(
    schema: Schema, node: Schema | None = None, prefix: str = ""
) -> Iterator[tuple[str, Schema]]:
    """Every property that holds a value rather than a sub-model, as (dotted path, schema)."""
    for name, prop in (node or schema)["properties"].items():
        model = _definition(schema, prop)
        if model is None:
            yield f"{prefix}{name}", prop
        else:
            yield from leaf_properties(schema, model, prefix=f"{prefix}{name}.")


def object_schemas(schema: Schema) -> Iterator[tuple[str, Schema]]:
    """The root and every ``$defs`` entry that has properties, by name."""
    yield "(root)", schema
    for name, definition in schema.get("$defs", {}).items():
        if "properties" in definition:
            yield name, definition


def is_sub_model(schema: Schema, prop: Schema) -> bool:
    return _definition(schema, prop) is not None


def sensitivity_by_path(schema: Schema) -> dict[str, str | None]:
    return {path: prop.get("x-sensitivity") for path, prop in leaf_properties(schema)}
