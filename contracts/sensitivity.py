"""Sensitivity classes carried by every contract field (as ``x-sensitivity`` in the schema).

``operational`` facts may appear in an SMS, an email subject, a log line or a metric label.
``personal`` facts (a child's name, the description, the reporter, an exact place) never do.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel

__all__ = ["Sensitivity", "operational", "personal", "personal_field_paths"]


class Sensitivity(StrEnum):
    OPERATIONAL = "operational"
    PERSONAL = "personal"


operational: dict[str, Any] = {"x-sensitivity": Sensitivity.OPERATIONAL.value}
personal: dict[str, Any] = {"x-sensitivity": Sensitivity.PERSONAL.value}


def personal_field_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted paths of every field classed ``personal`` in ``model`` and its sub-models."""
    paths: list[str] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("x-sensitivity") == Sensitivity.PERSONAL:
            paths.append(path)
            continue
        annotation = field.annotation
        for candidate in getattr(annotation, "__args__", (annotation,)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                paths.extend(personal_field_paths(candidate, prefix=f"{path}."))
    return paths
