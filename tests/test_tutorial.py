"""The notebook tutorial, examples/tutorial.ipynb, runs from top to bottom in a fresh
kernel (its own cells assert what its text claims), and a Partition shows inline."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "tutorial.ipynb"


def test_every_notebook_is_tested_and_stored_without_outputs():
    # Outputs are made by running it, never stored, so none can go stale.
    assert sorted(p.name for p in (ROOT / "examples").glob("*.ipynb")) == ["tutorial.ipynb"]
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.slow
def test_tutorial_runs_and_shows_the_partition_inline(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    results = [output for cell in code for output in cell.outputs
               if output.output_type in ("execute_result", "display_data")]
    # The cell that ends with `part` shows the partition as its picture (_repr_png_).
    (shown,) = [r for r in results if r.data["text/plain"].startswith("<Partition:")]
    assert shown.data["image/png"]
    assert sum("image/png" in r.data for r in results) == 3     # and the two plots
    text = "".join(output.get("text", "") for cell in code for output in cell.outputs)
    assert "complete: True" in text and "all relations hold" in text
