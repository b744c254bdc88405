"""Placeholder while the format is written."""

NAME = "dpa"
FAMILY = "json"


def matches(decoded):
    return False


def parse(document, decoded):
    raise NotImplementedError
