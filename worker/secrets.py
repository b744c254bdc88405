"""Keeping a feed's secrets out of everything people and stores see.

SPEC "Feed and alert configuration": `${NAME}` in `url`, `headers`, `password`, `auth` and
`secret` is taken from the environment, and a secret never appears in `wire feeds`, logs,
errors, metrics or the API: a value taken from the environment is shown as its `${NAME}`, and
credentials written into a URL as `***`.

The configuration keeps the templates as written and expands them only where a request is
made, so what is stored and shown is the template. Two things remain that could carry a
secret: a credential written literally (a password in `ftp://user:pw@host/`, `?apikey=...`, a
literal `password:`), and text that a library or a server builds from an expanded value (an
error message quoting a URL). `mask_url` takes the first out of a URL; `Secrets.redact` is the
last line for the second: every message a source raises or logs passes through it, and it
replaces each secret value the feed uses by what may be shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from worker.errors import ConfigError

VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: what a literal credential is shown as
MASK = "***"
#: values shorter than this are not treated as secrets (a port, a flag): replacing them
#: everywhere would mangle messages, and such a value protects nothing
MIN_SECRET_LENGTH = 4
#: query parameters that carry a credential (AP takes `apikey`, others `token`, `key`, ...)
CREDENTIAL_PARAMS = frozenset({
    "apikey", "api_key", "api-key", "key", "token", "access_token", "auth", "password",
    "passwd", "secret", "client_secret", "sig", "signature",
})


def variables(template: str) -> list[str]:
    """The `${NAME}` variables a template uses."""
    return VAR.findall(template)


def is_template(value: str) -> bool:
    return bool(VAR.search(value))


def expand(template: str, environ: Mapping[str, str], where: str) -> str:
    """`${NAME}` replaced from `environ`; ConfigError naming `where` if a variable is unset."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(where, f"environment variable {name} is not set")
        return environ[name]

    return VAR.sub(one, template)


def mask_url(url: str) -> str:
    """`url` with literal credentials replaced by `***`: the userinfo's password and the values
    of credential query parameters. `${NAME}` templates are kept (they show the name only)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK  # not even a URL: show nothing of it
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, password = userinfo.partition(":")
        if colon and password and not is_template(password):
            netloc = f"{user}:{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        masked = [(k, MASK if k.lower() in CREDENTIAL_PARAMS and v and not is_template(v) else v)
                  for k, v in pairs]
        if masked != pairs:
            query = urlencode(masked, safe="*${}:/(), ", quote_via=quote)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_credentials(url: str) -> list[str]:
    """The literal credentials written into a URL (see `mask_url`), to redact them."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    found = []
    if parts.password and not is_template(parts.password):
        found += [parts.password, unquote(parts.password)]
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in CREDENTIAL_PARAMS and value and not is_template(value):
            found += [value, quote(value, safe="")]
    return found


@dataclass(frozen=True)
class Secrets:
    """The secret values of one feed, each with what may be shown in its place."""

    #: (value, shown), longest value first so that a secret inside another is not half-replaced
    pairs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, templates: Iterable[str], literals: Iterable[str],
           environ: Mapping[str, str]) -> Secrets:
        """From the templates a feed uses (their variables' values are shown as `${NAME}`) and
        the literal credentials it wrote (shown as `***`)."""
        pairs: dict[str, str] = {}
        for template in templates:
            for name in variables(template):
                value = environ.get(name)
                if value and len(value) >= MIN_SECRET_LENGTH:
                    pairs.setdefault(value, "${" + name + "}")
                    encoded = quote(value, safe="")
                    if encoded != value:
                        pairs.setdefault(encoded, "${" + name + "}")
        for value in literals:
            if value and len(value) >= MIN_SECRET_LENGTH:
                pairs.setdefault(value, MASK)
        return cls(tuple(sorted(pairs.items(), key=lambda p: -len(p[0]))))

    def with_value(self, value: str | None, shown: str = MASK) -> Secrets:
        """These secrets and one more learnt at run time (an access token)."""
        if not value or len(value) < MIN_SECRET_LENGTH:
            return self
        return Secrets(tuple(sorted({**dict(self.pairs), value: shown}.items(),
                                    key=lambda p: -len(p[0]))))

    def redact(self, text: str) -> str:
        """`text` with every secret value replaced by what may be shown."""
        for value, shown in self.pairs:
            if value in text:
                text = text.replace(value, shown)
        return text
