"""Every code block of README.md and docs/*.md runs, and its output is compared.

Conventions (a block that follows none of them fails ``test_every_block_is_covered``):

* ```` ```python ```` -- an example. It must be followed (only blank lines in
  between) by a ```` ```text ```` block holding exactly what the example
  prints on stdout. The example is run on its own (fresh globals, working
  directory a temporary copy of the repository's layout: ``data/`` and
  ``benchmarks/`` are linked in), and its stdout is compared with the output
  block by ``doctest.OutputChecker`` with ``ELLIPSIS`` only: ``...`` matches
  anything and is used for timings (seconds, regions/s) and nothing else;
  every other character, whitespace included, must match. An example that
  imports torch (optional, not in the test extra) is skipped without it.
* ```` ```console ```` -- a terminal transcript. A line ``$ COMMAND`` is a
  command, the lines after it (up to the next ``$``) are what the terminal
  shows: stderr then stdout (for these commands stderr is written first,
  before any result). A last output line ``[exit N]`` gives the expected exit
  status, 0 otherwise. ``regions ...`` runs through ``regions.cli.main`` and
  ``python SCRIPT ...`` through ``runpy``, both in this process; the output is
  compared as for python blocks.
* ```` ``` ```` (no language) -- a command-line synopsis. Every flag it shows
  must be an option of that subcommand of ``regions.cli.build_parser()``;
  README's synopsis must show every option.
* ```` ```bash ```` -- commands the tests cannot run (installing, profiling,
  long benchmarks). Each ``python FILE`` must exist in the repository, each
  ``regions ...`` command must parse, and README's install block must be
  exactly what ``.ci/run`` runs.
* ```` ```text ```` -- only directly after a python block, as its output.

Beside the blocks, the exit-code table of README.md, the exit codes named in
the docs, and documented defaults (enumerate's and verify's signatures, the
CLI defaults, the tolerance table of docs/tolerances.md) are compared with the
code. The API reference (docs/reference/) must cover every public name, and its build
command be the same in README.md, docs/conf.py and ``.ci/run``, which runs it.
"""

from __future__ import annotations

import doctest
import difflib
import importlib
import inspect
import re
import runpy
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
KNOWN = {"python", "text", "console", "", "bash"}


def blocks(path):
    """``(language, body, end_offset, start_offset)`` of every fenced block of ``path``."""
    text = path.read_text()
    return [(m.group(1), m.group(2), m.end(), m.start()) for m in FENCE.finditer(text)], text


def examples():
    """Python blocks paired with their output blocks, and console blocks."""
    for path in FILES:
        found, text = blocks(path)
        counters = {}
        for k, (lang, body, end, _) in enumerate(found):
            if lang not in ("python", "console"):
                continue
            index = counters[lang] = counters.get(lang, -1) + 1
            expected = None
            if lang == "python" and k + 1 < len(found):
                nxt_lang, nxt_body, _, nxt_start = found[k + 1]
                if nxt_lang == "text" and text[end:nxt_start].strip() == "":
                    expected = nxt_body
            yield pytest.param(path, lang, body, expected, id=f"{path.name}-{lang}-{index}")


def compare(expected: str, got: str) -> None:
    checker = doctest.OutputChecker()
    if not checker.check_output(expected, got, doctest.ELLIPSIS):
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(),
                                              "documented", "printed", lineterm=""))
        pytest.fail(f"output differs from the document:\n{diff}")


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for name in ("data", "benchmarks"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_command(command: str, capsys, monkeypatch) -> tuple[int, str]:
    argv = shlex.split(command)
    capsys.readouterr()
    if argv[0] == "regions":
        from regions import cli

        code = cli.main(argv[1:])
    elif argv[0] in ("python", "python3"):
        monkeypatch.setattr(sys, "argv", argv[1:])
        code = 0
        try:
            runpy.run_path(argv[1], run_name="__main__")
        except SystemExit as exc:
            code = exc.code or 0
    else:
        pytest.fail(f"console blocks run `regions` and `python` commands only: {command}")
    out, err = capsys.readouterr()
    return code, err + out


def transcript(body: str):
    """``(command, expected output, expected exit code)`` for each ``$`` line."""
    steps = []
    for line in body.splitlines(keepends=True):
        if line.startswith("$ "):
            steps.append([line[2:].strip(), ""])
        else:
            assert steps, f"console block must start with a `$ ` command:\n{body}"
            steps[-1][1] += line
    for command, expected in steps:
        match = re.search(r"^\[exit (\d+)\]\n?\Z", expected, re.M)
        code = int(match.group(1)) if match else 0
        yield command, expected[:match.start()] if match else expected, code


@pytest.mark.parametrize("path, lang, body, expected", list(examples()))
def test_example(path, lang, body, expected, workdir, capsys, monkeypatch):
    if lang == "python":
        assert expected is not None, "a python block needs a ```text block right after it"
        assert expected.strip(), "the output block is empty: the example must show a result"
        capsys.readouterr()
        if re.search(r"^import torch\b", body, re.M):
            pytest.importorskip("torch")   # optional, and not in the test extra
        exec(compile(body, f"<{path.name}>", "exec"), {"__name__": "__doc_example__"})
        compare(expected, capsys.readouterr().out)
    else:
        for command, want, code in transcript(body):
            got_code, got = run_command(command, capsys, monkeypatch)
            compare(want, got)
            assert got_code == code, f"`{command}` exited {got_code}, documented {code}"


def test_every_block_is_covered():
    for path in FILES:
        found, text = blocks(path)
        for k, (lang, body, end, start) in enumerate(found):
            assert lang in KNOWN, f"{path.name}: block of unknown kind ```{lang}"
            if lang == "text":
                prev = found[k - 1] if k else None
                assert prev and prev[0] == "python" and text[prev[2]:start].strip() == "", (
                    f"{path.name}: a ```text block must follow a ```python block")


# --------------------------------------------------------------------------- synopses


def subparsers():
    from regions.cli import build_parser

    action = next(a for a in build_parser()._actions if a.__class__.__name__ ==
                  "_SubParsersAction")
    return action.choices


def options(parser):
    """Each optional action's option strings (help excluded)."""
    return [set(a.option_strings) for a in parser._actions
            if a.option_strings and "-h" not in a.option_strings]


def synopsis_flags(body: str) -> dict:
    """``{subcommand: set of flags}`` of a synopsis block (continuation lines included)."""
    flags, command = {}, None
    for line in body.splitlines():
        match = re.match(r"\s*regions (\w+)", line)
        if match:
            command = match.group(1)
            flags.setdefault(command, set())
        assert command, f"synopsis line outside a command: {line}"
        flags[command] |= set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line))
    return flags


def synopses(path):
    found, _ = blocks(path)
    return [synopsis_flags(body) for lang, body, _, _ in found
            if lang == "" and re.match(r"\s*regions \w+", body)]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_synopses_name_real_options(path):
    parsers = subparsers()
    for synopsis in synopses(path):
        for command, flags in synopsis.items():
            assert command in parsers, f"{path.name}: no subcommand `regions {command}`"
            known = set().union(*options(parsers[command]))
            assert flags <= known, f"{path.name}: `regions {command}` has no {flags - known}"


def test_readme_synopsis_shows_every_option():
    parsers = subparsers()
    (synopsis,) = synopses(ROOT / "README.md")
    assert set(synopsis) == set(parsers)
    for command, parser in parsers.items():
        missing = [sorted(o) for o in options(parser) if not o & synopsis[command]]
        assert not missing, f"README's synopsis of `regions {command}` lacks {missing}"


def test_bash_blocks_refer_to_real_files_and_commands():
    parsers = subparsers()
    from regions.cli import build_parser

    for path in FILES:
        found, _ = blocks(path)
        for lang, body, _, _ in found:
            if lang != "bash":
                continue
            for line in body.splitlines():
                for script in re.findall(r"\bpython3?\s+((?:\S+/)*\S+\.py)", line):
                    assert (ROOT / script).is_file(), f"{path.name}: {script} does not exist"
                match = re.search(r"(?:^|&&\s*|--\s+)regions\s+(.*)$", line)
                if match:
                    argv = shlex.split(match.group(1).split("#")[0])
                    assert argv[0] in parsers
                    build_parser().parse_args(argv)


def readme_install_block():
    found, _ = blocks(ROOT / "README.md")
    return next(body for lang, body, _, _ in found if lang == "bash")


def test_ci_runs_the_readme_install_commands():
    """.ci/run runs README's two commands, with the wheel built from the sdist in place of
    the source directory ``"."``, and between them installs torch, and nothing else; then
    the slow tests (README's test command with ``-m slow``), the docs extra and README's
    docs build."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    install, test = readme_install_block().splitlines()
    assert install.replace('".[test]"', '"$WHEEL[test]"') in ci
    assert test in ci
    commands = [line for line in ci if re.match(r"python3 -m (pip|pytest|sphinx) ", line)]
    assert len(commands) == 6 and "torch" in commands[1]
    assert commands[2:4] == [test, f"{test} -m slow"]
    assert commands[4:] == ['python3 -m pip install "$WHEEL[docs]"', docs_build_command()]
    assert any(line.endswith("-m build --outdir dist-ci .") for line in ci)


# --------------------------------------------------------------------------- the reference

DOCS_BUILD = re.compile(r"python3 -m sphinx [^`\n]*")


def docs_build_command() -> str:
    """README's command that builds the reference, the one docs/conf.py gives."""
    (command,) = DOCS_BUILD.findall((ROOT / "README.md").read_text())
    assert DOCS_BUILD.findall((ROOT / "docs" / "conf.py").read_text()) == [command]
    assert 'python3 -m pip install ".[docs]"' in (ROOT / "README.md").read_text()
    return command


def test_docs_build_treats_warnings_and_broken_references_as_errors():
    assert {"-W", "-n", "-E"} <= set(docs_build_command().split())


def reference_pages():
    return sorted((ROOT / "docs" / "reference").glob("*.rst"))


def toctree(path) -> list[str]:
    text = path.read_text()
    tree = text[text.index(".. toctree::"):]
    return [line.strip() for line in tree.splitlines()[1:] if line.startswith("   ")
            and not line.strip().startswith(":")]


def documented(path) -> list[str]:
    """The full names of the objects ``path`` documents (auto* directives; names relative
    to the page's current module)."""
    names, module = [], None
    for directive, name in re.findall(r"^\.\. (\w+)::[ \t]*(\S+)", path.read_text(), re.M):
        if directive in ("currentmodule", "automodule"):
            module = name
        elif directive.startswith("auto"):
            names.append(name if name.startswith("regions.") else f"{module}.{name}")
    return names


def test_reference_documents_every_public_name_once():
    """Every name in ``__all__`` of regions and of its subpackages with one (the public
    surface) is on exactly one page of docs/reference/, and every page is in its index."""
    import regions
    public = set()
    for module in (regions, regions.bounds, regions.sampling):
        public |= {f"{module.__name__}.{name}" for name in module.__all__
                   if not inspect.ismodule(getattr(module, name))}
    subpackages = {f"regions.{name}" for name in regions.__all__
                   if inspect.ismodule(getattr(regions, name))}
    assert subpackages == {"regions.bounds", "regions.sampling"}     # the modules above
    modules = {name for path in reference_pages()
               for name in re.findall(r"^\.\. automodule:: (\S+)", path.read_text(), re.M)}
    assert subpackages | {"regions"} <= modules
    pages = {path.stem: documented(path) for path in reference_pages()}
    everything = [name for names in pages.values() for name in names]
    assert public <= set(everything), sorted(public - set(everything))
    assert len(everything) == len(set(everything))
    assert sorted(toctree(ROOT / "docs" / "reference" / "index.rst")) == sorted(
        name for name in pages if name != "index")
    for name in everything:        # and each name is one the package has
        module, _, attr = name.rpartition(".")
        assert hasattr(importlib.import_module(module), attr), name


def test_the_inline_picture_limit_is_the_one_plots_md_states():
    from regions.partition import NOTEBOOK_MAX_REGIONS
    text = " ".join((ROOT / "docs" / "plots.md").read_text().split())
    assert f"shows its picture inline (up to {NOTEBOOK_MAX_REGIONS:,} regions" in text


def test_every_guide_is_in_the_docs_index():
    guides = {path.stem for path in (ROOT / "docs").glob("*.md")}
    assert set(toctree(ROOT / "docs" / "index.rst")) == guides | {"reference/index"}


def test_readme_test_command_runs_in_parallel():
    assert "python3 -m pytest -q -n 2" in readme_install_block().splitlines()
    extras = (ROOT / "pyproject.toml").read_text()
    assert "pytest-xdist" in extras and 'testpaths = ["tests"]' in extras


# --------------------------------------------------------------------------- exit codes


def exit_table():
    """``{code: meaning}`` from README's exit-code table."""
    text = (ROOT / "README.md").read_text()
    table = text[text.index("Exit codes:"):]
    rows = re.findall(r"^\| (\d+) \| (.*) \|$", table.split("\n\n", 2)[1], re.M)
    return {int(code): meaning for code, meaning in rows}


def exit_constants():
    """Every ``EXIT_*`` constant: all live in ``regions.cli``, and nowhere else."""
    found = {name: value for name, value in vars(importlib.import_module("regions.cli")).items()
             if name.startswith("EXIT_") and isinstance(value, int)}
    for path in (ROOT / "src" / "regions").glob("*.py"):
        if path.name != "cli.py":
            assert not re.search(r"^EXIT_\w+ =", path.read_text(), re.M), path.name
    return found


#: A word the README row of each exit code must contain.
MEANING = {"EXIT_BAD_INPUT": "bad input", "EXIT_VIOLATION": "`verify`",
           "EXIT_CERTIFICATE_FAILED": "`--certify`", "EXIT_INCOMPLETE": "incomplete",
           "EXIT_EXACT_CHECK_FAILED": "`--exact-check`",
           "EXIT_UNCERTAIN": "`--no-exact`", "EXIT_INTERRUPTED": "Ctrl-C outside",
           "EXIT_BROKEN_PIPE": "standard output was closed"}


def test_exit_code_table_matches_the_code():
    table, constants = exit_table(), exit_constants()
    assert set(table) == {0} | set(constants.values()), (table, constants)
    for name, value in constants.items():
        assert MEANING[name] in table[value], f"README row {value} does not describe {name}"
    assert constants["EXIT_UNCERTAIN"] == 7
    assert "never because of thin regions" in table[7]


#: Three lines that nearly meet in one point: 7 regions (Zaslavsky, 1 + 3 + 3: exactly, the
#: three never meet in one point), one of them a thin triangle; float64 alone cannot
#: decide the sides at its corners.
NEAR_TRIPLE = ([[0.1, 0.2], [0.3, -0.1], [0.7, 0.1]],
               [-0.1, -0.0666666666666666667, -0.26666666666666667])


def test_exit_7_means_uncertain_never_thin(tmp_path, capsys):
    """README's row 7 and cli's docstring: exit 7 only in the float-only mode, when float64
    could not certify a decision; a thin region is reported and exits 0."""
    import json
    import regions
    from regions import cli

    path = tmp_path / "near_triple.npz"
    regions.write_network(regions.Network.from_layers([NEAR_TRIPLE, ([[1.0, 1.0, 1.0]], [0.0])]), path)
    box = ["--box", "-1", "1", "--quiet", "--json"]
    capsys.readouterr()
    assert cli.main(["count", str(path), *box]) == 0
    exact = json.loads(capsys.readouterr().out)
    assert (exact["regions"], exact["thin"], exact["certain"]) == (7, 1, True)
    assert exact["exact_decisions"] > 0 and exact["uncertain_decisions"] == 0
    assert cli.main(["count", str(path), *box, "--no-exact"]) == cli.EXIT_UNCERTAIN == 7
    out, err = capsys.readouterr()
    uncertain = json.loads(out)
    assert uncertain["certain"] is False and uncertain["uncertain_decisions"] > 0
    assert "--no-exact" in err and "exit code 7" in err


def test_exit_130_only_for_an_interrupt_outside_the_enumeration(monkeypatch, capsys):
    from regions import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "read_network", interrupted)
    assert cli.main(["count", "net.npz", "--quiet"]) == cli.EXIT_INTERRUPTED == 130
    assert "Ctrl-C outside the enumeration" in exit_table()[130]


def test_exit_codes_named_in_the_docs_exist():
    table = exit_table()
    for path in FILES:
        text = " ".join(path.read_text().split())
        for code in re.findall(r"exits? (?:with )?(?:code )?\*{0,2}(\d+)\b", text):
            assert int(code) in table, f"{path.name} names exit code {code}"
        for code in re.findall(r"exit code \*{0,2}(\d+)\b", text):
            assert int(code) in table, f"{path.name} names exit code {code}"
        for listing in re.findall(r"Exit codes[^:]*: (.*?)\.(?: |$)", text):
            for code in re.findall(r"(?:^|; )(\d+) ", listing):
                assert int(code) in table, f"{path.name} lists exit code {code}"


def test_verify_exit_codes_in_bounds_md():
    text = " ".join((ROOT / "docs" / "bounds.md").read_text().split())
    sentence = re.search(r"Exit codes: 0 every relation holds; 2 bad input \(one-line error\); "
                         r"(\d+) a relation is violated; (\d+) the enumeration was interrupted"
                         r" \(a budget or Ctrl-C\); (\d+) every relation holds but the count "
                         r"is not certain \(`--no-exact`", text)
    assert sentence, "bounds.md's exit-code sentence changed: update this test"
    constants = exit_constants()
    assert int(sentence.group(1)) == constants["EXIT_VIOLATION"]
    assert int(sentence.group(2)) == constants["EXIT_INCOMPLETE"]
    assert int(sentence.group(3)) == constants["EXIT_UNCERTAIN"]


# --------------------------------------------------------------------------- defaults


def test_enumerate_signature_in_api_md():
    import regions

    text = " ".join((ROOT / "docs" / "api.md").read_text().split())
    documented = re.search(r"`regions\.enumerate_regions\((.*?)\)` returns", text).group(1)
    signature = inspect.signature(regions.enumerate_regions)
    shown = [p.strip() for p in documented.split(",")]
    names = [p.split("=")[0] for p in shown if p != "*"]
    assert names == list(signature.parameters)
    for item in shown:
        if "=" in item:
            name, value = item.split("=")
            assert eval(value) == signature.parameters[name].default, name


def test_verify_signature_in_bounds_md():
    from regions.analysis.verify import verify

    text = " ".join((ROOT / "docs" / "bounds.md").read_text().split())
    documented = re.search(r"`verify\(net, domain=None, (.*?)\)` returns", text).group(1)
    parameters = inspect.signature(verify).parameters
    for item in documented.split(", "):
        name, value = item.split("=")
        assert eval(value) == parameters[name].default, name
    verify_parser = subparsers()["verify"]
    defaults = {a.dest: a.default for a in verify_parser._actions}
    assert defaults["samples"] == parameters["samples"].default
    assert defaults["lines"] == parameters["lines"].default
    assert defaults["seed"] == parameters["seed"].default


def test_cli_defaults_are_the_library_defaults():
    import regions
    from regions import tolerances

    parameters = inspect.signature(regions.enumerate_regions).parameters
    for command in ("count", "graph"):
        defaults = {a.dest: a.default for a in subparsers()[command]._actions}
        assert defaults["min_radius"] == tolerances.MIN_RADIUS == parameters["min_radius"].default
        assert defaults["box"] is None                   # all of R^n, as documented
    count = {a.dest: a.default for a in subparsers()["count"]._actions}
    assert count["method"] == parameters["method"].default == "auto"
    assert count["workers"] == 1


def test_tolerance_table_matches_tolerances_py():
    """The first table's float parameters have the values of regions.tolerances (the full
    list at the end of the page is tests/test_tolerances.py's)."""
    from regions import tolerances

    text = (ROOT / "docs" / "tolerances.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", text, re.M)
    assert len(rows) == 6
    for name, value in rows:
        assert getattr(tolerances, name) == float(value), name


# --------------------------------------------------------------------------- issue 23
# Statements a new user found false or stale, each checked against what the code does.

def all_text():
    return {path.name: path.read_text() for path in FILES}


def test_no_doc_names_a_file_outside_the_repository():
    # Before: README pointed to ../shared/tools/import_cycles.py, which a clone lacks.
    for name, text in all_text().items():
        assert "../" not in text, f"{name} names a path outside the repository"
        for script in re.findall(r"\bpython3?\s+((?:[\w.-]+/)*[\w.-]+\.py)\b", text):
            assert (ROOT / script).is_file(), f"{name}: {script} is not in the repository"


def test_readme_says_what_to_run_from_where(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## What to run from where"):]
    section = " ".join(section[:section.index("\n## ", 4)].split())
    assert "repository's root" in section and "`data/`" in section and "`examples/`" in section
    # True: the tutorials name the bundled networks relative to the root, and from another
    # folder they fail with the message the section quotes.
    assert any("data/" in path.read_text() for path in (ROOT / "examples").glob("*.py"))
    monkeypatch.chdir(tmp_path)
    import regions
    with pytest.raises(regions.FileFormatError, match="no such network file: data/"):
        runpy.run_path(str(ROOT / "examples" / "verify_bound.py"), run_name="__main__")
    assert "no such network file: data/" in section


def synopsis_line(command: str) -> str:
    (synopsis,) = [body for lang, body, _, _ in blocks(ROOT / "README.md")[0]
                   if lang == "" and body.lstrip().startswith("regions count")]
    return next(line for line in synopsis.splitlines() if line.startswith(f"regions {command} "))


def test_readme_synopsis_names_every_output_format():
    # Before: the plot synopsis lacked .html.
    from regions.cli import PICTURE_SUFFIXES
    from regions.io.partitions import _GRAPH_FORMATS

    for command, suffixes in (("plot", PICTURE_SUFFIXES), ("graph", tuple(_GRAPH_FORMATS))):
        shown = re.search(r"-o FILE\.\{([\w,]+)\}", synopsis_line(command)).group(1)
        assert {"." + s for s in shown.split(",")} == set(suffixes), command


def test_the_input_shape_rule_is_stated_as_the_loader_applies_it():
    # Before: "--input-shape ... when it does not start with a Linear"; the loader now reads
    # the shape off the first operation on the input, inside a custom module too
    # (tests/io/test_torch_model.py checks it).
    readme, api = all_text()["README.md"], " ".join(all_text()["api.md"].split())
    assert "does not start with a\n`Linear`" not in readme
    assert "first operation on the model's input is not a `Linear`" in " ".join(readme.split())
    assert "only when the first operation on the model's input is not a `Linear`" in api


def test_onnx_extra_installs_what_torch_onnx_export_needs():
    extras = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^onnx = \[.*"onnxscript', extras, re.M)
    assert "installs `onnxscript`" in " ".join(all_text()["README.md"].split())


def test_api_md_engines_are_described_as_they_run():
    # Before: "VertexEngine (...; bounded domains)" and "WalkEngine (...; no checkpoints)".
    import regions

    text = " ".join(all_text()["api.md"].split())
    engines = text[text.index("The three engines:"):]
    engines = engines[:engines.index(").", engines.index("WalkEngine")) + 1]
    assert "bounded domains, and all of R^n and unbounded planes and lines" in engines
    assert "checkpoints as the others" in engines and "no checkpoints" not in engines
    rng = np.random.default_rng(0)
    net = regions.Network.from_layers([(rng.normal(size=(4, 3)), rng.normal(size=4)),
                                       (np.ones((1, 4)), np.zeros(1))])
    # 4 planes in general position: 1 + 4 + 6 + 4 = 15 regions of R^3 (Zaslavsky); a plane
    # and a line in general position meet them in 1 + 4 + 6 = 11 and 1 + 4 = 5.
    for domain, count in ((None, 15), (regions.plane([0, 0, 0], [1, 0.2, 0], [0, 1, 0.3]), 11),
                          (regions.line([0, 0, 0], [1, 0.3, 0.2]), 5)):
        part = regions.enumerate_regions(net, domain, method="vertex")
        assert (part.method, len(part)) == ("vertex", count)


def test_performance_md_states_the_current_auto_rule():
    # Before: "used for unbounded domains and for d > 4", then the thresholds of
    # MAX_AUTO_DIM; now the cost model regions.enumeration.vertex_advantage, whose choice
    # is the engine auto runs.
    import regions
    from regions.enumeration import vertex_advantage
    from regions.random_networks import random_network

    text = " ".join(all_text()["performance.md"].split())
    assert "used for unbounded domains and for d > 4" not in text
    assert "`MAX_AUTO_DIM` is now" not in text
    assert "vertex_advantage" in text and "AUTO_COST" in text
    for dim, domain in ((4, regions.box(-1, 1)), (7, regions.box(-1, 1)),
                        (9, regions.box(-1, 1)), (9, None), (12, None)):
        net = random_network([dim, 16, 1], seed=dim)
        bounded = domain is not None
        predicted = vertex_advantage(net, dim, bounded, False, facets=2 * dim * bounded)
        method = regions.enumerate_regions(net, domain, max_regions=1).method
        assert method == ("vertex" if predicted > 0 else "split"), (dim, domain)
