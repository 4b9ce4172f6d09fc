"""Times in names and metadata: ``YYYYMMDDThhmmss`` (Sen4CAP names) or ISO 8601, always UTC."""

from __future__ import annotations

import datetime as dt

TIME_FORMAT = "%Y%m%dT%H%M%S"


def parse_time(text: str) -> dt.datetime:
    """A UTC datetime from ``YYYYMMDDThhmmss`` or ISO 8601 (``Z`` allowed; a naive value is taken as UTC)."""
    text = text.strip()
    try:
        value = dt.datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def format_time(value: dt.datetime) -> str:
    """``YYYYMMDDThhmmss`` in UTC (product names)."""
    if value.tzinfo is None:
        raise ValueError("times in product names must be timezone-aware")
    return value.astimezone(dt.UTC).strftime(TIME_FORMAT)
