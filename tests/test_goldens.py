"""Every parser golden: `wire parse` output equals the reviewed expected file, field by field."""

from __future__ import annotations

import json

import pytest

from tests.goldens import DATA, expected_path, golden_documents, render

DOCUMENTS = golden_documents()


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.relative_to(DATA).as_posix() for p in DOCUMENTS])
def test_parse_output_matches_golden(path):
    expected_file = expected_path(path)
    assert expected_file.exists(), f"no expected output: run scripts/regen_goldens.py {path}"
    expected = [json.loads(line) for line in expected_file.read_text().splitlines()]
    actual = [json.loads(line) for line in render(path).splitlines()]
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        for key in want:
            assert got.get(key) == want[key], f"{path.name}: {key}"
        assert got.keys() == want.keys()
