"""The feed and alert configuration file (`WIRE_FEEDS`, YAML) -> `FeedConfig` / `AlertRule`
(the alert rules' own model: `worker.alerts.rule_config`).

SPEC "Feed and alert configuration". The file is validated whole at start: an invalid file is
refused with a `ConfigError` naming the file, the feed or alert, and the key
(`config/feeds.yaml: feed 'dpa-wire': interval: must be greater than 0`).

`${NAME}` in a feed's `url`, `headers`, `password` and `auth`, and in an alert's `secret`, is
taken from the environment. The templates are kept as written and expanded where they are used
(`resolved_url`, `resolved_headers`, ...), so secrets never land in the store; `load_config`
checks that every variable is set, so a missing one is refused at start, not at the first poll.
What is shown (`source`, `wire feeds`) masks credentials written into a URL (`worker.secrets`).

A feed's `protocol:` says how it is delivered (SPEC "Delivery protocols"): `http` (the default
for `url`), `folder` (the default for `folder`), `ap-media`, `dpa-wireq`, `reuters-connect`,
`ftp`, `ftps`, `sftp`. Each protocol takes only its own keys (`auth` and `channels` for
Reuters Connect; `password`, `after`, `min_age` for FTP/SFTP and `key_file` for SFTP), and a key
given to another protocol is refused naming the feed and the key.

Beyond the SPEC keys a feed may say `timezone:` (an IANA name, for documents whose timestamps carry
no offset; the default is UTC) and, for a drop folder, `processed:` / `failed:` (where files go
after ingestion; default: `processed/` and `failed/` inside the folder).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from worker.alerts.rule_config import AlertRule
from worker.errors import ConfigError
from worker.parse.registry import format_names
from worker.secrets import Secrets, expand, is_template, mask_url, url_credentials

#: SPEC "Delivery protocols"
PROTOCOLS = ("http", "folder", "ap-media", "dpa-wireq", "reuters-connect", "ftp", "ftps", "sftp")
#: the protocols whose `url` is an http(s) URL
HTTP_PROTOCOLS = ("http", "ap-media", "dpa-wireq", "reuters-connect")
#: the protocols that list a remote folder (`worker.fetch.ftp`)
REMOTE_PROTOCOLS = ("ftp", "ftps", "sftp")
REMOTE_SCHEMES = ("ftp://", "ftps://", "sftp://")
#: SPEC: a remote file is fetched once its size and time have not changed for this long
DEFAULT_MIN_AGE = 5.0
#: which keys only some protocols take
_PROTOCOL_KEYS: dict[str, tuple[str, ...]] = {
    "auth": ("reuters-connect",),
    "channels": ("reuters-connect",),
    "password": REMOTE_PROTOCOLS,
    "after": REMOTE_PROTOCOLS,
    "min_age": REMOTE_PROTOCOLS,
    "key_file": ("sftp",),
    "processed": ("folder",),
    "failed": ("folder",),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuthConfig(_Strict):
    """OAuth2 client credentials (Reuters Connect); every value may be a `${NAME}` template."""

    token_url: str
    client_id: str
    client_secret: str
    audience: str | None = None
    scope: str | None = None


class FeedConfig(_Strict):
    """One feed: where and how it is delivered, polled every `interval` seconds."""

    name: str = Field(min_length=1, max_length=200)
    provider: str | None = None
    #: `protocol:` as written (None: the default); `protocol` is the one in force
    protocol_name: str | None = Field(default=None, alias="protocol")
    url: str | None = None
    folder: str | None = None
    format: str = "auto"
    interval: float = Field(gt=0)
    headers: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True
    #: SPEC "Feed health": seconds without a new or updated story before the feed is quiet
    quiet_after: float | None = Field(default=None, gt=0)
    timezone: str | None = None
    processed: str | None = None
    failed: str | None = None
    auth: AuthConfig | None = None
    channels: list[str] | None = None
    password: str | None = None
    key_file: str | None = None
    after: Literal["move", "delete", "leave"] | None = None
    min_age: float | None = Field(default=None, ge=0)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("protocol_name")
    @classmethod
    def _known_protocol(cls, protocol: str | None) -> str | None:
        if protocol is not None and protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r}; known: {', '.join(PROTOCOLS)}")
        return protocol

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
        protocol = self.kind
        if (protocol == "folder") != (self.folder is not None):
            key = "folder" if protocol == "folder" else "url"
            raise ValueError(f"{key}: protocol {protocol} needs `{key}:`")
        if self.url is not None and not is_template(self.url.split("/")[0]):
            check_url(protocol, self.url)
        for key, protocols in _PROTOCOL_KEYS.items():
            if getattr(self, key) is not None and protocol not in protocols:
                if key in ("processed", "failed"):
                    raise ValueError(f"{key}: only a folder feed has it")
                raise ValueError(f"{key}: not a key of protocol {protocol} "
                                 f"(only of {', '.join(protocols)})")
        if protocol == "reuters-connect" and self.auth is None:
            raise ValueError("auth: protocol reuters-connect needs `auth:` (token_url, "
                             "client_id, client_secret, audience, scope)")
        return self

    @property
    def protocol(self) -> str:
        """How the feed is delivered (SPEC "Delivery protocols"), a key of
        `worker.fetch.PROTOCOLS`: `protocol:`, else `http` for a url and `folder` for a folder."""
        if self.protocol_name is not None:
            return self.protocol_name
        return "http" if self.url is not None else "folder"

    @property
    def kind(self) -> str:
        return self.protocol

    @property
    def source(self) -> str:
        """Where the feed comes from, as it may be shown: templates as written, credentials
        written into the URL as `***`."""
        return mask_url(self.url) if self.url is not None else str(self.folder)

    @property
    def after_fetch(self) -> str:
        """What a remote file becomes once stored: `move` (the default), `delete`, `leave`."""
        return self.after or "move"

    @property
    def stable_after(self) -> float:
        return DEFAULT_MIN_AGE if self.min_age is None else self.min_age

    def resolved_url(self, environ: Mapping[str, str]) -> str:
        """The URL with `${NAME}` taken from `environ`; ConfigError if one is unset."""
        return expand(str(self.url), environ, f"feed {self.name!r}: url")

    def resolved_password(self, environ: Mapping[str, str]) -> str | None:
        if self.password is None:
            return None
        return expand(self.password, environ, f"feed {self.name!r}: password")

    def resolved_auth(self, environ: Mapping[str, str]) -> dict[str, str]:
        """`auth:` with `${NAME}` taken from `environ` (the keys given only)."""
        if self.auth is None:
            return {}
        return {key: expand(value, environ, f"feed {self.name!r}: auth.{key}")
                for key, value in self.auth.model_dump().items() if value is not None}

    def secrets(self, environ: Mapping[str, str]) -> Secrets:
        """Every secret value this feed uses, with what may be shown in its place."""
        templates = [*self.headers.values()]
        literals: list[str] = []
        if self.url is not None:
            templates.append(self.url)
            literals += url_credentials(self.url)
            try:
                literals += url_credentials(self.resolved_url(environ))
            except ConfigError:
                pass
        for value in (self.password, self.auth.client_secret if self.auth else None):
            if value is not None:
                templates.append(value)
                if not is_template(value):
                    literals.append(value)
        if self.auth is not None:
            templates += [v for v in self.auth.model_dump().values() if v]
        return Secrets.of(templates, literals, environ)

    def stored(self) -> dict[str, Any]:
        """The configuration as the store keeps it: templates as written, credentials written
        literally (in the URL, `password`, `auth.client_secret`) as `***`. Workers read the
        real values from the configuration file (SPEC: secrets never in the store)."""
        data = self.model_dump(mode="json", by_alias=True)
        if self.url is not None:
            data["url"] = mask_url(self.url)
        if self.password is not None and not is_template(self.password):
            data["password"] = "***"
        if self.auth is not None and not is_template(self.auth.client_secret):
            data["auth"]["client_secret"] = "***"
        return data

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


class WireConfig(_Strict):
    feeds: list[FeedConfig] = Field(default_factory=list)
    alerts: list[AlertRule] = Field(default_factory=list)

    def feed(self, name: str) -> FeedConfig | None:
        return next((f for f in self.feeds if f.name == name), None)


def check_url(protocol: str, url: str) -> None:
    """ValueError (`url: ...`) if `url` is not the kind of URL `protocol` reads."""
    if protocol in HTTP_PROTOCOLS and not url.startswith(("http://", "https://")):
        hint = " (or set `protocol:` to ftp, ftps or sftp)" if url.startswith(
            REMOTE_SCHEMES) and protocol == "http" else ""
        raise ValueError(f"url: must be an http:// or https:// URL{hint}")
    if protocol in REMOTE_PROTOCOLS and not url.startswith(REMOTE_SCHEMES):
        raise ValueError("url: must be an ftp://, ftps:// or sftp:// URL")


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
            feed.resolved_password(environ)
            feed.resolved_auth(environ)
            if feed.url is not None:
                url = feed.resolved_url(environ)
                try:
                    check_url(feed.kind, url)
                except ValueError as e:
                    raise ConfigError(f"feed {feed.name!r}", feed.secrets(environ).redact(
                        str(e))) from None
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
