"""Common Alerting Protocol 1.2 (OASIS) messages and a CAP Atom index. Pure: no Django import.

A room that has alerts of its own (air quality, for one) can add them to the CAP index by
registering a source here (`register_source`), so that this module never imports another room's
models: a source returns `IndexEntry`s and renders its own messages with `alert_xml`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"
# Characters CAP 1.2 forbids in identifier and sender.
FORBIDDEN = set(" ,<&")


@dataclass(frozen=True)
class Info:
    language: str                     # "ro-RO", "en-US"
    # CAP category: Geo Met Safety Security Rescue Fire Health Env Transport Infra CBRNE Other
    category: str
    event: str
    urgency: str                      # Immediate Expected Future Past Unknown
    severity: str                     # Extreme Severe Moderate Minor Unknown
    certainty: str                    # Observed Likely Possible Unlikely Unknown
    headline: str
    description: str
    area_desc: str
    effective: dt.datetime | None = None
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None
    sender_name: str = ""
    instruction: str = ""
    web: str = ""
    response_type: str = ""           # Shelter Evacuate Prepare Execute Avoid Monitor Assess AllClear None
    polygons: Sequence[str] = ()      # "lat,lon lat,lon …" closed rings
    circles: Sequence[str] = ()       # "lat,lon radius_km"
    geocodes: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: dt.datetime
    status: str                       # Actual Exercise System Test Draft
    msg_type: str                     # Alert Update Cancel
    infos: Sequence[Info]
    references: Sequence[tuple[str, str, dt.datetime]] = ()   # (sender, identifier, sent) of earlier messages
    note: str = ""


def cap_time(moment: dt.datetime) -> str:
    """CAP's date-time: seconds and an explicit offset ("2026-12-06T19:00:00+02:00"; never "Z")."""
    if moment.tzinfo is None:
        raise ValueError("CAP times must be timezone-aware")
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "+00:00" if text.endswith("Z") else text


def clean_identifier(text: str) -> str:
    if not text or any(char in FORBIDDEN for char in text):
        raise ValueError(f"CAP identifiers and senders may not contain spaces, commas, '<' or '&': {text!r}")
    return text


def _sub(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{name}")
    element.text = text
    return element


def alert_element(alert: Alert) -> ET.Element:
    root = ET.Element(f"{{{NS}}}alert")
    _sub(root, "identifier", clean_identifier(alert.identifier))
    _sub(root, "sender", clean_identifier(alert.sender))
    _sub(root, "sent", cap_time(alert.sent))
    _sub(root, "status", alert.status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", "Public")
    if alert.note:
        _sub(root, "note", alert.note)
    if alert.references:
        _sub(root, "references", " ".join(f"{clean_identifier(sender)},{clean_identifier(identifier)},{cap_time(sent)}"
                                          for sender, identifier, sent in alert.references))
    for info in alert.infos:
        element = ET.SubElement(root, f"{{{NS}}}info")
        _sub(element, "language", info.language)
        _sub(element, "category", info.category)
        _sub(element, "event", info.event)
        if info.response_type:
            _sub(element, "responseType", info.response_type)
        _sub(element, "urgency", info.urgency)
        _sub(element, "severity", info.severity)
        _sub(element, "certainty", info.certainty)
        for name, moment in (("effective", info.effective), ("onset", info.onset), ("expires", info.expires)):
            if moment is not None:
                _sub(element, name, cap_time(moment))
        if info.sender_name:
            _sub(element, "senderName", info.sender_name)
        _sub(element, "headline", info.headline[:160])
        _sub(element, "description", info.description)
        if info.instruction:
            _sub(element, "instruction", info.instruction)
        if info.web:
            _sub(element, "web", info.web)
        area = ET.SubElement(element, f"{{{NS}}}area")
        _sub(area, "areaDesc", info.area_desc)
        for polygon in info.polygons:
            _sub(area, "polygon", polygon)
        for circle in info.circles:
            _sub(area, "circle", circle)
        for name, value in info.geocodes:
            geocode = ET.SubElement(area, f"{{{NS}}}geocode")
            _sub(geocode, "valueName", name)
            _sub(geocode, "value", value)
    return root


def alert_xml(alert: Alert) -> bytes:
    ET.register_namespace("", NS)
    return ET.tostring(alert_element(alert), encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class IndexEntry:
    """One CAP message in the Atom index."""

    identifier: str
    title: str
    summary: str
    updated: dt.datetime
    cap_url: str          # absolute URL of the CAP XML
    page_url: str = ""    # absolute URL of the human page
    categories: Sequence[str] = ()
    expires: dt.datetime | None = None


def atom_index(entries: Iterable[IndexEntry], *, feed_id: str, title: str, self_url: str, site_url: str,
               author: str, now: dt.datetime) -> bytes:
    """An Atom 1.0 index of CAP messages (as the OASIS CAP feeds note describes): each entry links to its
    CAP message with type application/cap+xml."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    items = sorted(entries, key=lambda entry: entry.updated, reverse=True)

    def sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
        if text is not None:
            element.text = text
        return element

    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", cap_time(items[0].updated if items else now))
    sub(sub(feed, "author"), "name", author)
    sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=site_url, type="text/html")
    for entry in items:
        item = sub(feed, "entry")
        sub(item, "id", entry.identifier if ":" in entry.identifier else f"{feed_id}:{entry.identifier}")
        sub(item, "title", entry.title)
        sub(item, "updated", cap_time(entry.updated))
        sub(item, "summary", entry.summary)
        sub(item, "link", rel="alternate", href=entry.cap_url, type="application/cap+xml")
        if entry.page_url:
            sub(item, "link", rel="related", href=entry.page_url, type="text/html")
        for category in entry.categories:
            sub(item, "category", term=category)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# --- other rooms' CAP messages ---------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """A room's CAP messages: entries(base_url, now) for the index, and message(key, base_url) for one
    message's XML (None when the key is unknown). Keys are the part after "<prefix>-" in
    /feeds/cap/<prefix>-<key>.xml."""

    prefix: str
    entries: Callable[[str, dt.datetime], list[IndexEntry]]
    message: Callable[[str, str], bytes | None]
    extra: dict[str, str] = field(default_factory=dict)


_sources: dict[str, Source] = {}


def register_source(source: Source) -> None:
    if not source.prefix.isalpha():
        raise ValueError("a CAP source prefix is letters only (it is part of the message URL)")
    _sources[source.prefix] = source


def sources() -> list[Source]:
    return list(_sources.values())


def source(prefix: str) -> Source | None:
    return _sources.get(prefix)
