"""The size options of the benchmarks: full sizes by default, small ones with ``--quick``.

``--quick`` runs every section of a benchmark in seconds, so the test suite can check that
the benchmark still runs and prints its figures (tests/test_bench_quick.py); its figures mean
nothing. A size given on the command line wins over both.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping


def add_size_options(
    parser: argparse.ArgumentParser, full: Mapping[str, int], quick: Mapping[str, int]
) -> None:
    """``--quick`` and one ``--<name>`` option per size (``--small-rows`` for small_rows)."""
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, done in seconds: checks that the benchmark runs (figures mean nothing)",
    )
    for name, size in full.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            default=None,
            help=f"default {size:,} ({quick[name]:,} with --quick)",
        )


def resolve_sizes(
    args: argparse.Namespace, full: Mapping[str, int], quick: Mapping[str, int]
) -> None:
    """Fill every size not given on the command line from the full or the quick sizes."""
    chosen = quick if args.quick else full
    for name, size in chosen.items():
        if getattr(args, name) is None:
            setattr(args, name, size)
