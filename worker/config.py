"""The feed and alert configuration file (`WIRE_FEEDS`, YAML) -> `FeedConfig` / `AlertRule`.

SPEC "Feed and alert configuration". The file is validated whole at start: an invalid file is
refused with a `ConfigError` naming the file, the feed or alert, and the key
(`config/feeds.yaml: feed 'dpa-wire': interval: must be greater than 0`).

`${NAME}` in `headers` values and in an alert's `secret` is taken from the environment. The
templates are kept as written (`FeedConfig.headers`) and expanded where they are used
(`resolved_headers`), so secrets never land in the store; `load_config` checks that every
variable is set, so a missing one is refused at start, not at the first poll.

Beyond the SPEC keys a feed may say `timezone:` (an IANA name, for documents whose timestamps carry
no offset; the default is UTC) and, for a drop folder, `processed:` / `failed:` (where files go
after ingestion; default: `processed/` and `failed/` inside the folder).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from worker.errors import ConfigError
from worker.model import SIGNALS
from worker.parse import format_names

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
CHANGES = ("new", "update", "correction", "kill")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedConfig(_Strict):
    """One feed: an http(s) URL or a local drop folder, polled every `interval` seconds."""

    name: str = Field(min_length=1, max_length=200)
    provider: str | None = None
    url: str | None = None
    folder: str | None = None
    format: str = "auto"
    interval: float = Field(gt=0)
    headers: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True
    timezone: str | None = None
    processed: str | None = None
    failed: str | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return url

    @field_validator("format")
    @classmethod
    def _known_format(cls, format: str) -> str:
        if format != "auto" and format not in format_names():
            raise ValueError(f"unknown format {format!r}; known: auto, {', '.join(format_names())}")
        return format

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError) as e:
                raise ValueError(f"unknown time zone {zone!r}") from e
        return zone

    @model_validator(mode="after")
    def _one_source(self) -> FeedConfig:
        if (self.url is None) == (self.folder is None):
            raise ValueError("url/folder: give exactly one of url and folder")
        if self.url is not None and (self.processed or self.failed):
            raise ValueError("processed/failed: only a folder feed has them")
        return self

    @property
    def protocol(self) -> str:
        """How the feed is delivered (SPEC "Delivery protocols"): a module of worker.fetch."""
        return "http" if self.url is not None else "folder"

    @property
    def source(self) -> str:
        return self.url if self.url is not None else str(self.folder)

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or "UTC")

    def resolved_headers(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The request headers with `${NAME}` taken from `environ`; ConfigError if one is unset."""
        return {
            key: expand(value, environ, f"feed {self.name!r}: headers.{key}")
            for key, value in self.headers.items()
        }

    def folders(self) -> tuple[Path, Path, Path]:
        """The drop folder, and where processed and failed files go."""
        drop = Path(str(self.folder))
        return (
            drop,
            Path(self.processed) if self.processed else drop / "processed",
            Path(self.failed) if self.failed else drop / "failed",
        )


class AlertWhen(_Strict):
    urgency_at_most: int | None = Field(default=None, ge=1, le=9)
    signals_any: list[str] | None = None
    providers: list[str] | None = None
    keywords_any: list[str] | None = None
    changes: list[str] = Field(default_factory=lambda: list(CHANGES))

    @field_validator("signals_any")
    @classmethod
    def _known_signals(cls, signals: list[str] | None) -> list[str] | None:
        for signal in signals or ():
            if signal not in SIGNALS:
                raise ValueError(f"unknown signal {signal!r}; known: {', '.join(SIGNALS)}")
        return signals

    @field_validator("changes")
    @classmethod
    def _known_changes(cls, changes: list[str]) -> list[str]:
        for change in changes:
            if change not in CHANGES:
                raise ValueError(f"unknown change {change!r}; known: {', '.join(CHANGES)}")
        return changes


class AlertRule(_Strict):
    """One alert rule: every condition in `when` must hold; delivered to `webhook`."""

    name: str = Field(min_length=1)
    when: AlertWhen = Field(default_factory=AlertWhen)
    webhook: str
    secret: str | None = None

    @field_validator("webhook")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return url

    def resolved_secret(self, environ: Mapping[str, str]) -> str | None:
        if self.secret is None:
            return None
        return expand(self.secret, environ, f"alert {self.name!r}: secret")


class WireConfig(_Strict):
    feeds: list[FeedConfig] = Field(default_factory=list)
    alerts: list[AlertRule] = Field(default_factory=list)

    def feed(self, name: str) -> FeedConfig | None:
        return next((f for f in self.feeds if f.name == name), None)


def expand(template: str, environ: Mapping[str, str], where: str) -> str:
    """`${NAME}` replaced from `environ`; ConfigError naming `where` if a variable is unset."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(where, f"environment variable {name} is not set")
        return environ[name]

    return _VAR.sub(one, template)


def load_config(path: Path, environ: Mapping[str, str]) -> WireConfig:
    """Read and validate the configuration file; ConfigError names the file, entry and key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(str(path), f"cannot read: {e.strerror or e}") from e
    except yaml.YAMLError as e:
        raise ConfigError(str(path), f"not valid YAML: {e}") from e
    return parse_config(raw, str(path), environ)


def parse_config(raw: Any, source: str, environ: Mapping[str, str]) -> WireConfig:
    """Validate an already-loaded YAML value (see `load_config`)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(source, "the top level must be a mapping with `feeds:` and `alerts:`")
    for section in ("feeds", "alerts"):
        if raw.get(section) is None:
            raw = {**raw, section: []}
        elif not isinstance(raw[section], list):
            raise ConfigError(source, f"{section}: must be a list")
    try:
        config = WireConfig.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(source, _describe(e.errors()[0], raw)) from None
    _unique(source, "feed", [f.name for f in config.feeds])
    _unique(source, "alert", [a.name for a in config.alerts])
    try:
        for feed in config.feeds:
            feed.resolved_headers(environ)
        for alert in config.alerts:
            alert.resolved_secret(environ)
    except ConfigError as e:
        raise ConfigError(source, str(e)) from None
    return config


def _unique(source: str, what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(source, f"{what} {name!r}: name: used by two {what}s")
        seen.add(name)


def _describe(error: Any, raw: dict[str, Any]) -> str:
    """`feed 'x': interval: must be greater than 0` from one pydantic error."""
    loc = list(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message.replace("Extra inputs are not permitted", "unknown key")
    message = message.replace("Field required", "missing")
    if len(loc) >= 2 and loc[0] in ("feeds", "alerts") and isinstance(loc[1], int):
        section, index, keys = loc[0], loc[1], [str(k) for k in loc[2:]]
        entry = raw[section][index]
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f"{section[:-1]} {name!r}" if name else f"{section[:-1]} #{index + 1}"
        if not keys and ":" in message:  # a rule over several keys names them itself
            return f"{label}: {message}"
        return f"{label}: {'.'.join(keys) or '(entry)'}: {message}"
    return f"{'.'.join(str(k) for k in loc) or '(file)'}: {message}"
