"""The images on the achievement form: what an uploaded file is, and the badge and
background chosen on the create form, checked before anything is written."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from plaudit.achievement.images import KINDS, Which
from plaudit.badge.image import PNG, SVG, Badge, validate_image
from plaudit.errors import PlauditError
from plaudit.web.forms.common import FieldErrors, errors_from_exception, upload

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE_FIELDS: dict[Which, str] = {"badge": "badge", "background": "background_image"}
"""The form field (and error key) of each image."""
NAMES: dict[Which, str] = {"badge": "badge", "background": "background image"}


def media_type_of(content: bytes, declared: str | None, filename: str) -> str:
    """What the file is: PNG by its signature, SVG by its declared type or name; else as
    declared, for the validator to refuse with its own message."""
    if content.startswith(PNG_SIGNATURE):
        return PNG
    if (declared or "").split(";")[0].strip() == SVG or filename.lower().endswith(".svg"):
        return SVG
    return (declared or "application/octet-stream").split(";")[0].strip()


def read_upload(file: UploadFile) -> tuple[bytes, str]:
    content = file.file.read()
    return content, media_type_of(content, file.content_type, file.filename or "")


def error_message(exc: PlauditError) -> str:
    return next(iter(errors_from_exception(exc).values()))


def images_from_form(form: FormData, errors: FieldErrors) -> dict[Which, Badge]:
    """The badge and background chosen on the create form, checked; a bad one is an error
    on its own field."""
    chosen: dict[Which, Badge] = {}
    for which, name in IMAGE_FIELDS.items():
        file = upload(form, name)
        if file is None:
            continue
        content, media_type = read_upload(file)
        try:
            chosen[which] = validate_image(content, media_type, KINDS[which])
        except PlauditError as exc:
            errors[name] = error_message(exc)
    return chosen


def files_not_kept(form: FormData, errors: FieldErrors) -> None:
    """A browser never sends a file twice: when the form comes back with errors, say which
    chosen images must be chosen again."""
    for which, name in IMAGE_FIELDS.items():
        if upload(form, name) is not None and name not in errors:
            errors[name] = f"Choose the {NAMES[which]} again: files are not kept when the " + (
                "form has errors."
            )
