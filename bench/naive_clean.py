"""The naive workers' HTML cleaner (BeautifulSoup), shared by the poll baseline
(`bench.baseline`) and the file baseline (`bench.naive_files`); it imports only bs4."""

from __future__ import annotations

from bs4 import BeautifulSoup

DROP = ("script", "style", "iframe", "object", "embed", "form", "noscript")


def clean(body: str) -> tuple[str, str]:
    """BeautifulSoup cleaner: drop dangerous tags, `on*` attributes and javascript: links."""
    soup = BeautifulSoup(body, "lxml")
    for tag in soup.find_all(DROP):
        tag.decompose()
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            value = tag.attrs[name]
            if name.startswith("on") or (
                name in ("href", "src") and str(value).strip().lower().startswith("javascript:")
            ):
                del tag.attrs[name]
    root = soup.body or soup
    html = "".join(str(c) for c in root.contents)
    text = "\n\n".join(p.get_text(" ", strip=True) for p in root.find_all(["p", "li"]))
    return html, text
