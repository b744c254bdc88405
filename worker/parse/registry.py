"""The format registry: `--format` name -> module, in detection order.

Detection asks each module of the document's family in this order; put the more specific
formats of a family before the general ones (AP and dpa JSON before ninjs; the plain-text
aggregator format last, it takes any text).
"""

FORMATS: dict[str, str] = {
    "newsml": "worker.parse.newsml",
    "nitf": "worker.parse.nitf",
    "rss": "worker.parse.rss",
    "apmedia": "worker.parse.apmedia",
    "dpa": "worker.parse.dpa",
    "ninjs": "worker.parse.ninjs",
    "anpa": "worker.parse.anpa",
    "iptc7901": "worker.parse.iptc7901",
    "text": "worker.parse.text",
}

#: other names `--format` takes for the same modules
ALIASES: dict[str, str] = {
    "newsml-g2": "newsml",
    "g2": "newsml",
    "atom": "rss",
    "ap": "apmedia",
    "digitalwires": "dpa",
}
