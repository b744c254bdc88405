"""Signals (SPEC: update, correction, kill, advisory, breaking): one vocabulary for every format.

A format module says where its signals are written; what the words and codes mean is here,
once:

- `signal_of_code`: coded vocabularies (IPTC `sig:`, Reuters `edStat:`, dpa `sig:` words, AP
  editorial types);
- `signals_in_words`: the words editors write in take keys, slugs, editor's notes, genres
  ("2nd Ld-Writethru", "KORREKTUR", "Adds quotes", "Kill", "Eilmeldung"); a kill word also says
  the story is canceled and "withhold" that it is withheld (`WordSignals.pubstatus`);
- `signals_in_headline`: a headline that opens with the signal ("CORRECTED-...", "UPDATE 2-").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: coded signals, lower-cased, without `sig:`; codes of other vocabularies are not signals
_CODES = {
    "update": "update", "correction": "correction", "kill": "kill", "cancel": "kill",
    "advisory": "advisory", "breaking": "breaking",
    # Reuters edStat (NewsML-G2 `signal`)
    "edstat:u": "update", "edstat:c": "correction", "edstat:d": "kill",
    # AP editorial types
    "elimination": "kill", "withhold": "kill", "disregard": "kill", "writethru": "update",
    "lead": "update",
}
#: "2ndLd", "2ND LEAD": the version of a take (ANPA, IPTC 7901)
_LEAD = re.compile(r"(?P<n>\d{1,2})\s*(?:st|nd|rd|th)[\s-]*(?:Ld|Lead)\b", re.IGNORECASE)
#: words, per signal, in the order they are read ("withheld" sets the status only)
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kill", re.compile(r"\b(?:kill|killed|elimination|eliminate|withdrawal|withdrawn|"
                        r"annull\w*|storniert|stornierung)\b", re.IGNORECASE)),
    ("withheld", re.compile(r"\bwithhold\b", re.IGNORECASE)),
    ("correction", re.compile(r"\b(?:correct(?:s|ed|ion|ing)?|corr|korrektur|berichtig\w*|"
                              r"rectif\w*)\b", re.IGNORECASE)),
    ("update", re.compile(r"(?:write-?thru|write-?through|\brefiled?\b|\bupdate[ds]?\b|\bsub\b|"
                          r"\brecasts?\b|\baktualisiert\b|"
                          r"\d(?:st|nd|rd|th)[\s-]*add\b|\badds?\b|\bneufassung\b|"
                          r"\bzusammenfassung\b)", re.IGNORECASE)),
    ("advisory", re.compile(r"\b(?:advisory|budget|note to editors|hinweis)\b", re.IGNORECASE)),
    ("breaking", re.compile(r"\b(?:flash|bulletin|urgent|apnewsalert|eil|eilmeldung|blitz)\b",
                            re.IGNORECASE)),
)
_HEADLINE = ((re.compile(r"^\s*correct(?:ed|ion)\b", re.IGNORECASE), "correction"),
             (re.compile(r"^\s*update\b", re.IGNORECASE), "update"))


def signal_of_code(code: str | None) -> str | None:
    """The signal a coded value states (`sig:correction`, `edStat:D`, `Writethru`), or None."""
    if not code:
        return None
    value = code.strip().lower().replace(" ", "").replace("-", "").removeprefix("sig:")
    return _CODES.get(value)


@dataclass(frozen=True)
class WordSignals:
    """What the words of a take key, slug or note state, in SPEC terms."""

    signals: tuple[str, ...] = ()
    #: "2ndLd" is the 2nd version of a take
    version: int | None = None
    #: `canceled` for a kill word, `withheld` for "withhold"
    pubstatus: str | None = None


def signals_in_words(*texts: str | None) -> WordSignals:
    """The signals, take version and status the words of these texts state."""
    text = " ".join(t for t in texts if t)
    signals: list[str] = []
    version = None
    pubstatus = None
    if lead := _LEAD.search(text):
        version = int(lead.group("n"))
        signals.append("update")
    for signal, pattern in _WORDS:
        if not pattern.search(text):
            continue
        if signal == "kill":
            pubstatus = "canceled"
        elif signal == "withheld":
            pubstatus = pubstatus or "withheld"
            continue
        if signal not in signals:
            signals.append(signal)
    return WordSignals(tuple(signals), version, pubstatus)


def signals_in_headline(headline: str | None) -> tuple[str, ...]:
    """The signals a headline opens with: "CORRECTED-...", "UPDATE 2-...", "Correction: ..."."""
    return tuple(signal for pattern, signal in _HEADLINE if pattern.search(headline or ""))
