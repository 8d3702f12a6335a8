"""Hypothesis strategies that build any contract model from its own field declarations.

Each field's type and constraints (pattern, lengths, bounds) come from the pydantic model, so a
new field is generated without touching this file. Datetimes are timezone-aware with a
whole-minute offset (what RFC 3339 can carry); ``naive_datetimes`` covers the rest.
"""

import types
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import Any, Union, get_args, get_origin

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import AwareDatetime, BaseModel, ValidationError
from pydantic.fields import FieldInfo

__all__ = ["aware_datetimes", "documents", "instances", "naive_datetimes"]

_MAX_TEXT = 40

aware_datetimes = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.integers(-14 * 60, 14 * 60),
) | st.datetimes(timezones=st.just(UTC))
naive_datetimes = st.datetimes()


def _constraint(field: FieldInfo, name: str) -> Any:
    for item in field.metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _text(field: FieldInfo) -> st.SearchStrategy[str]:
    """Stripped text, since some models strip it before checking lengths and patterns."""
    pattern = _constraint(field, "pattern")
    low = int(_constraint(field, "min_length") or 0)
    high = _constraint(field, "max_length")
    if pattern is not None:
        texts = st.from_regex(pattern, fullmatch=True)
    else:
        longest = st.text(min_size=high, max_size=high) if high else st.nothing()
        texts = st.text(min_size=low, max_size=min(high or _MAX_TEXT, _MAX_TEXT)) | longest
    return texts.map(str.strip).filter(lambda text: low <= len(text) <= (high or len(text)))


def _number(kind: type, field: FieldInfo) -> st.SearchStrategy[Any]:
    low, high = _constraint(field, "ge"), _constraint(field, "le")
    if kind is int:
        return st.integers(low, high)
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _for(annotation: Any, field: FieldInfo, moments: st.SearchStrategy[datetime]) -> Any:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        return st.one_of(*(_for(arg, field, moments) for arg in args))
    if origin is list:
        return st.lists(_for(args[0], FieldInfo(), moments), min_size=_min_items(field), max_size=4)
    if origin is dict:
        return st.dictionaries(st.text(max_size=12), st.text(max_size=_MAX_TEXT), max_size=4)
    return _scalar(annotation, field, moments)


def _min_items(field: FieldInfo) -> int:
    return int(_constraint(field, "min_length") or 0)


def _scalar(annotation: Any, field: FieldInfo, moments: st.SearchStrategy[datetime]) -> Any:
    if annotation is type(None):
        return st.none()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return documents(annotation, moments)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(annotation)
    if annotation is bool:
        return st.booleans()
    if annotation in (int, float):
        return _number(annotation, field)
    if annotation is AwareDatetime:
        return aware_datetimes
    if annotation is datetime:
        return moments
    if annotation is str:
        return _text(field)
    raise NotImplementedError(f"no strategy for {annotation!r}: extend tests/.../strategies.py")


def documents(
    model: type[BaseModel], moments: st.SearchStrategy[datetime] = aware_datetimes
) -> st.SearchStrategy[dict[str, Any]]:
    """Python-mode input for ``model``: required fields always, optional ones sometimes."""
    required: dict[str, Any] = {}
    optional: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        strategy = _for(field.annotation, field, moments)
        (required if field.is_required() else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def instances(
    draw: st.DrawFn, model: type[BaseModel], moments: st.SearchStrategy[datetime] = aware_datetimes
) -> BaseModel:
    """Valid instances; inputs that only a model validator refuses (coordinates given alone,
    an age outside its band) are discarded."""
    document = draw(documents(model, moments))
    try:
        return model.model_validate(document)
    except ValidationError as error:
        if any(detail["type"] != "value_error" for detail in error.errors()):
            raise  # the strategy broke a field constraint: fix the strategy
        assume(False)
        raise
