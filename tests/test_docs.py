"""The Python examples in docs/*.md run as written (they carry their own asserts)."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def doc_blocks():
    for path in sorted(DOCS.glob("*.md")):
        for i, block in enumerate(BLOCK.findall(path.read_text())):
            yield pytest.param(block, id=f"{path.name}-{i}")


@pytest.mark.parametrize("code", list(doc_blocks()))
def test_doc_example_runs(code, monkeypatch):
    monkeypatch.chdir(DOCS.parent)
    exec(compile(code, "<doc>", "exec"), {"__name__": "__doc_example__"})
