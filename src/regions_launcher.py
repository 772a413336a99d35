"""The ``regions`` command's entry point (the console script; also ``python -m
regions_launcher``).

It lives outside the ``regions`` package because importing the package takes about
half a second (numpy, scipy, HiGHS, networkx): a Ctrl-C then must still end in one
line and exit code 130, as it does once :func:`regions.cli.main` runs, not in a
traceback from the middle of an import.
"""

import sys

#: :data:`regions.cli.EXIT_INTERRUPTED`, which cannot be imported before the imports it
#: guards (the tests check that the two agree).
INTERRUPTED = 130


def main(argv=None) -> int:
    """Import :mod:`regions.cli` and run :func:`regions.cli.main`; a Ctrl-C during the
    imports prints one line and returns :data:`INTERRUPTED`."""
    try:
        from regions.cli import main as run_command
    except KeyboardInterrupt:
        print("regions: interrupted", file=sys.stderr)
        return INTERRUPTED
    return run_command(argv)


if __name__ == "__main__":
    sys.exit(main())
