"""Parsing the query of `GET requests` (no Django import): every filter of GeoReport v2 plus the
widely used extensions (page, page_size, extensions, updated_after, updated_before).

Bad values raise QueryError naming the parameter, which the view turns into a 400 error body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_SPAN = dt.timedelta(days=90)
DEFAULT_PAGE_SIZE = 50  # as the platform's JSON API (NINJA_PAGINATION_PER_PAGE)
MAX_PAGE_SIZE = 1000
MAX_IDS = 200
STATUSES = ("open", "closed")


class QueryError(ValueError):
    """A parameter is malformed; str(error) names it and says what is expected."""


@dataclass(frozen=True)
class RequestsQuery:
    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: tuple[str, ...] = ()
    updated_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    extensions: bool = False


def parse_w3c_datetime(name: str, text: str, default_tz: dt.tzinfo) -> dt.datetime:
    """W3C datetime (ISO 8601): 2010-01-01T00:00:00Z, with an offset, or a bare date. Naive times
    are read in the city's time zone."""
    value = text.strip()
    if not value or len(value) > 40:
        raise QueryError(f"{name}: expected a W3C datetime such as 2024-01-31T00:00:00Z")
    try:
        if len(value) == 10:
            parsed = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
        else:
            parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise QueryError(f"{name}: expected a W3C datetime such as 2024-01-31T00:00:00Z, got {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _positive_int(name: str, text: str, *, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"{name}: expected a whole number between {low} and {high}") from None
    if not low <= value <= high:
        raise QueryError(f"{name}: expected a whole number between {low} and {high}")
    return value


def _flag(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no", ""):
        return False
    raise QueryError(f"{name}: expected true or false")


def parse_requests_query(params: Mapping[str, str], *, now: dt.datetime, default_tz: dt.tzinfo,
                         service_code_exists: Callable[[str], bool]) -> RequestsQuery:
    """Read the parameters. Without any date parameter the window is the last 90 days, as the
    specification says; start_date and end_date together may not span more than 90 days."""
    ids: list[int] = []
    if params.get("service_request_id", "").strip():
        for part in _list(params["service_request_id"]):
            try:
                ids.append(int(part))
            except ValueError:
                raise QueryError(f"service_request_id: expected numbers separated by commas, got {part[:20]!r}") \
                    from None
        if len(ids) > MAX_IDS:
            raise QueryError(f"service_request_id: at most {MAX_IDS} ids at once")
    codes = _list(params.get("service_code", ""))
    for code in codes:
        if not service_code_exists(code):
            raise QueryError(f"service_code: unknown service code {code[:60]!r} (see services.json)")
    statuses = _list(params.get("status", "").lower())
    for status in statuses:
        if status not in STATUSES:
            raise QueryError("status: expected open, closed or open,closed")
    start = parse_w3c_datetime("start_date", params["start_date"], default_tz) \
        if params.get("start_date", "").strip() else None
    end = parse_w3c_datetime("end_date", params["end_date"], default_tz) \
        if params.get("end_date", "").strip() else None
    updated_after = parse_w3c_datetime("updated_after", params["updated_after"], default_tz) \
        if params.get("updated_after", "").strip() else None
    updated_before = parse_w3c_datetime("updated_before", params["updated_before"], default_tz) \
        if params.get("updated_before", "").strip() else None
    if start and end:
        if end < start:
            raise QueryError("end_date: must not be before start_date")
        if end - start > MAX_SPAN:
            raise QueryError("end_date: start_date and end_date may not span more than 90 days")
    elif start:
        end = start + MAX_SPAN
    elif end:
        start = end - MAX_SPAN
    elif not ids and updated_after is None and updated_before is None:
        start, end = now - DEFAULT_WINDOW, None
    if updated_after and updated_before and updated_before < updated_after:
        raise QueryError("updated_before: must not be before updated_after")
    page = _positive_int("page", params["page"], low=1, high=100_000) if params.get("page", "").strip() else 1
    page_size = _positive_int("page_size", params["page_size"], low=1, high=MAX_PAGE_SIZE) \
        if params.get("page_size", "").strip() else DEFAULT_PAGE_SIZE
    extensions = _flag("extensions", params.get("extensions", ""))
    if ids:  # "service_request_id overrides all other arguments"
        return RequestsQuery(ids=tuple(ids), page=page, page_size=page_size, extensions=extensions)
    return RequestsQuery(ids=(), service_codes=tuple(codes), start=start, end=end, statuses=tuple(statuses),
                         updated_after=updated_after, updated_before=updated_before, page=page,
                         page_size=page_size, extensions=extensions)
