"""A fake Reuters Connect: the OAuth2 token endpoint and the GraphQL `search` / `item` queries.

Like Reuters: `POST /oauth/token` takes client credentials (form) and grants a bearer token
with `expires_in`; `POST /content/graphql` needs a granted, unexpired, unrevoked token (401
otherwise). `search` in `cursorMode: POLL` answers the items after the cursor, `page_size` at
a time, with `pageInfo { endCursor hasNextPage }` (an empty last page keeps the cursor);
`item(id:)` answers one item with its body. `item_statuses` queues failures of item queries
(a failure in the middle of a page), `token_statuses` of the token endpoint.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qs

from tests.agencies.base import Call, FakeAgency, Reply


class FakeReuters(FakeAgency):
    def __init__(self, client_id: str, client_secret: str, page_size: int = 3,
                 token_seconds: int = 3600) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.page_size = page_size
        self.token_seconds = token_seconds
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.stream: list[dict[str, Any]] = []
        self.item_statuses: list[int] = []
        self.token_statuses: list[int] = []
        self.searches: list[dict[str, Any]] = []
        self.missing: set[str] = set()  # listed by search, refused by item()

    @property
    def graphql_url(self) -> str:
        return f"{self.base}/content/graphql"

    @property
    def token_url(self) -> str:
        return f"{self.base}/oauth/token"

    def publish(self, usn: str, version: int, created: str, headline: str, body: str,
                signal: str = "edStat:N", pubstatus: str = "stat:usable") -> None:
        uri = f"tag:reuters.com,2026:newsml_{usn}"
        with self.lock:
            self.stream.append({
                "uri": uri, "versionedGuid": f"{uri}:{version}", "usn": usn,
                "version": str(version), "versionCreated": created, "firstCreated": created,
                "pubStatus": pubstatus, "signal": signal, "urgency": 3, "language": "en",
                "headLine": headline, "slug": usn, "byLine": "Ana Ruiz",
                "dateLine": "MADRID, Nov 25 (Reuters) -", "credit": "Reuters",
                "subject": [{"code": "N2:ES", "name": "Spain", "rel": "about"}],
                "bodyXhtml": "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>"
                + "".join(f"<p>{p}</p>" for p in body.split("\n\n")) + "</body></html>",
            })

    def revoke_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def answer(self, call: Call) -> Reply:
        if call.path == "/oauth/token" and call.method == "POST":
            return self._token(call)
        if call.path == "/content/graphql" and call.method == "POST":
            token = call.headers.get("authorization", "").removeprefix("Bearer ")
            if self.tokens.get(token, 0) <= time.monotonic():
                return Reply.json(401, {"message": "Unauthorized"})
            request = json.loads(call.body)
            if "search(" in request["query"]:
                return self._search(request.get("variables") or {})
            if "item(" in request["query"]:
                return self._item(request.get("variables") or {})
        return Reply(404)

    def _token(self, call: Call) -> Reply:
        if self.token_statuses:
            return Reply.json(self.token_statuses.pop(0), {"error": "server_error"})
        form = {k: v[0] for k, v in parse_qs(call.body.decode()).items()}
        if (form.get("grant_type") != "client_credentials"
                or form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret):
            return Reply.json(401, {"error": "access_denied",
                                    "error_description": "Unauthorized"})
        token = f"tok-{len(self.tokens) + 1}-{time.monotonic_ns()}"
        self.tokens[token] = time.monotonic() + self.token_seconds
        return Reply.json(200, {"access_token": token, "expires_in": self.token_seconds,
                                "token_type": "Bearer"})

    def _search(self, variables: dict[str, Any]) -> Reply:
        self.searches.append(variables)
        cursor = variables.get("cursor")
        start = int(base64.b64decode(cursor)) if cursor else 0
        page = self.stream[start:start + self.page_size]
        end = start + len(page)
        return Reply.json(200, {"data": {"search": {
            "pageInfo": {"endCursor": base64.b64encode(str(end).encode()).decode(),
                         "hasNextPage": end < len(self.stream)},
            "items": [{k: i[k] for k in ("versionedGuid", "uri", "version", "versionCreated")}
                      for i in page],
        }}})

    def _item(self, variables: dict[str, Any]) -> Reply:
        if self.item_statuses:
            return Reply.json(self.item_statuses.pop(0), {"message": "internal error"})
        found = next((i for i in self.stream if i["versionedGuid"] == variables.get("id")
                      and i["versionedGuid"] not in self.missing), None)
        if found is None:
            return Reply.json(200, {"data": {"item": None}, "errors": [
                {"message": f"item {variables.get('id')} not found", "path": ["item"]}]})
        return Reply.json(200, {"data": {"item": found}})
