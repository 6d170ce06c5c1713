"""Form helpers shared by every page: read fields, and turn errors into per-field messages.

Errors are a dict from a field's dotted location (as the API reports it: `name`,
`effective.until`, `requirements.0.1.value`) to a message; templates show each one next to
its field (`field_errors(errors, "name")`) and all of them in a summary at the top.
"""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from plaudit.errors import PlauditError
from plaudit.kit.schemas import without_validator_prefix

FieldErrors = dict[str, str]
GENERAL = "_form"
"""The key of an error that belongs to the whole form rather than one field."""


async def form_data(request: Request) -> FormData:
    """The request's form (parsed once; the CSRF check reads the same object)."""
    return await request.form()


def text(form: FormData, name: str, *, strip: bool = True) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip() if strip else value


def checked(form: FormData, name: str) -> bool:
    return isinstance(form.get(name), str)


def upload(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    if isinstance(value, UploadFile) and value.filename:
        return value
    return None


def dotted(loc: tuple[str | int, ...] | list[str | int]) -> str:
    return ".".join(str(part) for part in loc)


def clean_message(message: str) -> str:
    message = without_validator_prefix(message)
    return message[:1].upper() + message[1:]


def add_error(errors: FieldErrors, field: str, message: str) -> None:
    """Keep the first message per field: it is usually the cause of the others."""
    errors.setdefault(field or GENERAL, clean_message(message))


def errors_from_exception(exc: PlauditError) -> FieldErrors:
    """A service's error as field messages: each listed field error, else its one field."""
    errors: FieldErrors = {}
    for item in exc.errors:
        add_error(errors, dotted(item.loc), item.message)
    if not errors:
        add_error(errors, exc.field or GENERAL, exc.detail)
    return errors


def field_errors(errors: FieldErrors, name: str) -> list[str]:
    """Messages for `name` and everything under it (`requirements` gets `requirements.0.1`)."""
    prefix = name + "."
    return [message for key, message in errors.items() if key == name or key.startswith(prefix)]


ROW_WORDS = {"default_where": "filter", "fields": "field"}
"""Lists of form rows whose errors are located by row: `fields.1` is "Fields: field 2"."""


def describe_field(key: str, labels: dict[str, str]) -> str:
    """A field's location in words: `requirements.0.1.where.0.value` -> "Requirements: group
    1, rule 2, filter 1 (value)"."""
    parts = key.split(".")
    head = labels.get(parts[0], parts[0].replace("_", " ").capitalize())
    rest = parts[1:]
    if parts[0] == "requirements" and rest and rest[0].isdigit():
        words = [f"group {int(rest[0]) + 1}"]
        if len(rest) > 1 and rest[1].isdigit():
            words.append(f"rule {int(rest[1]) + 1}")
        tail = rest[2:]
        if len(tail) >= 2 and tail[0] == "where" and tail[1].isdigit():
            words.append(f"filter {int(tail[1]) + 1}")
            tail = tail[2:]
        named = [p for p in tail if not p.isdigit()]
        return f"{head}: {', '.join(words)}" + (f" ({named[-1]})" if named else "")
    if parts[0] in ROW_WORDS and rest and rest[0].isdigit():
        return f"{head}: {ROW_WORDS[parts[0]]} {int(rest[0]) + 1}"
    named = [p for p in rest if not p.isdigit()]
    return head + (f" ({named[-1]})" if named else "")
