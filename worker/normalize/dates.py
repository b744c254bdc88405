"""Timestamps as wires write them, to aware UTC datetimes.

Accepted: ISO 8601 extended and basic (`2017-10-14T21:41:42Z`, `20171014T214142Z`,
`20171014T214142+0100`), offsets written `Z`, `+01:00`, `+0100`, `+01`, RFC 822/1123
(`Tue, 30 Jan 2018 16:14:05 -0500`), date-only values, and naive times, which are taken in the
zone the feed configuration names (UTC by default). Anything else is garbage: `parse_time`
returns None and the caller falls back to the received time (and says so in the log).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

from dateutil import parser as du_parser

_BASIC = re.compile(
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?(?:[.,](?P<f>\d{1,6})\d*)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_TZ_ABBREV = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
              "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "BST": 1}
#: earliest and latest times taken as real; outside is garbage (year 1 placeholders, typos)
EARLIEST = datetime(1970, 1, 2, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _offset(text: str) -> timezone:
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse_basic(text: str) -> datetime | None:
    m = _BASIC.match(text)
    if not m:
        return None
    parts = m.groupdict()
    micro = int((parts["f"] or "0").ljust(6, "0"))
    value = datetime(int(parts["y"]), int(parts["m"]), int(parts["d"]), int(parts["H"] or 0),
                     int(parts["M"] or 0), int(parts["S"] or 0), micro)
    return value.replace(tzinfo=_offset(parts["tz"])) if parts["tz"] else value


def parse_time(value: str | datetime | date | None, default_tz: tzinfo = timezone.utc) -> datetime | None:
    """Parse one timestamp to an aware UTC datetime, or None when it is missing or garbage.

    Pure. A naive value is taken in `default_tz` (the feed's configured zone).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        parsed = _parse_text(str(value).strip())
    if parsed is None:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=default_tz)
    try:
        utc = parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    if not EARLIEST <= utc <= LATEST:
        return None
    return utc


def _parse_text(text: str) -> datetime | None:
    if not text or len(text) > 64:
        return None
    try:
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        pass
    try:
        basic = _parse_basic(text)
    except ValueError:
        return None
    if basic is not None:
        return basic
    if "," in text[:5] or re.match(r"^\d{1,2} [A-Za-z]{3} \d{4}", text):
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    if not re.search(r"\d{4}", text):
        return None  # "Last Tuesday", "soon": dateutil would invent a date from today
    try:
        return du_parser.parse(text, tzinfos=lambda name, off: _abbrev(name, off))
    except (ValueError, OverflowError, TypeError):
        return None


def _abbrev(name: str | None, offset: int | None) -> timezone | None:
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    if name and name.upper() in _TZ_ABBREV:
        return timezone(timedelta(hours=_TZ_ABBREV[name.upper()]))
    return None
