"""Display labels of a source's fields: what people read instead of `campaign_id`.

A field may carry its own label; without one it gets a predictable one from its name:
underscores become spaces, the first letter is capitalised and a trailing " id" becomes
" ID" (`campaign_id` -> "Campaign ID", `deal_value` -> "Deal value").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def default_label(name: str) -> str:
    words = " ".join(part for part in name.split("_") if part)
    if not words:
        return name
    if words.lower() == "id":
        return "ID"
    if words.lower().endswith(" id"):
        words = words[:-3] + " ID"
    return words[:1].upper() + words[1:]


def field_label(spec: Mapping[str, Any]) -> str:
    """The label of one stored field (`{name, type, label?}`)."""
    label = spec.get("label")
    return label if isinstance(label, str) and label else default_label(str(spec["name"]))


def labels_of(fields: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Field name -> label, for every stored field."""
    return {str(f["name"]): field_label(f) for f in fields}


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Deal value" -> "deal value", but "ID" and "Campaign ID"
    keep their capitals where the second letter shows the word is an abbreviation."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]
