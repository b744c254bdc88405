"""Placeholder while the format is written."""

NAME = "apmedia"
FAMILY = "json"


def matches(decoded):
    return False


def parse(document, decoded):
    raise NotImplementedError
