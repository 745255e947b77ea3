"""GeoReport v2 documents as JSON or XML text (no Django import).

Both formats are built from the same plain dicts. The XML follows the element names of the
specification (`<service_requests><request>...`); lists inside an item repeat a child element
named by LIST_ITEM_NAMES. Characters that XML 1.0 forbids (control characters a client may have
sent in a description) are dropped rather than producing a document no parser accepts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})

# For a list under key K, each element is written as <ITEM>: e.g. <values><value>...</value></values>.
LIST_ITEM_NAMES = {
    "values": "value", "attributes": "attribute", "endpoints": "endpoint", "formats": "format",
    "updates": "update", "media_urls": "media_url", "answers": "answer",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _XML_FORBIDDEN.sub("", str(value)).translate(_ESCAPES)


def _element(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, Mapping):
        out.append(f"<{name}>")
        for key, inner in value.items():
            _element(key, inner, out)
        out.append(f"</{name}>")
    elif isinstance(value, (list, tuple)):
        item = LIST_ITEM_NAMES.get(name, "item")
        out.append(f"<{name}>")
        for inner in value:
            _element(item, inner, out)
        out.append(f"</{name}>")
    else:
        text = _text(value)
        out.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


def xml_document(root: str, item: str | None, content: Iterable[Mapping[str, Any]] | Mapping[str, Any]) -> str:
    """`<root><item>..</item>...</root>` for a list, or `<root>fields</root>` for one mapping."""
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    if item is None:
        assert isinstance(content, Mapping)
        _element(root, content, out)
    else:
        out.append(f"<{root}>")
        for entry in content:
            _element(item, entry, out)
        out.append(f"</{root}>")
    return "".join(out)


def json_document(content: Any) -> str:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def errors(format_: str, code: int, descriptions: list[str]) -> str:
    """The specification's error body: a list of {code, description}."""
    entries = [{"code": code, "description": description} for description in descriptions]
    if format_ == "xml":
        return xml_document("errors", "error", entries)
    return json_document(entries)
