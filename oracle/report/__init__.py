"""The error report: Records -> summary.csv (per op, check, dtype) and one self-contained index.html.

    pytest --report-dir DIR                      # records.csv, summary.csv, index.html (and run.json)
    refgrad-report build DIR/records.csv -o DIR  # rebuild summary.csv and index.html from records
    refgrad-report diff OLD NEW                  # what got worse between two runs (records or summaries)

Aggregation (and the headroom definition) lives in ``oracle.report.aggregate``, rendering in
``oracle.report.render``, the command line in ``oracle.report.cli``.
"""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from . import meta as _meta

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["build", "build_from_frame", "read_records", "records_frame", "summarize"]


def __getattr__(name):
    """pandas loads on first use, not on import, so that refgrad-report can say what to install when it is missing."""
    if name in ("read_records", "records_frame", "summarize"):
        from . import aggregate

        return getattr(aggregate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_from_frame(records: pd.DataFrame, out_dir: str, meta: dict | None = None,
                     progress: bool = False) -> pd.DataFrame:
    """Writes out_dir/summary.csv and out_dir/index.html (each atomically) from a frame of Records; returns the
    summary."""
    from .aggregate import rel_err_histograms, summarize
    from .render import html, write_html, write_summary_csv

    os.makedirs(out_dir, exist_ok=True)
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (lambda m: None)
    say(f"aggregating {len(records):,} records")
    summary = summarize(records)
    write_summary_csv(summary, os.path.join(out_dir, "summary.csv"))
    say(f"rendering {len(summary):,} rows")
    page = html(summary, rel_err_histograms(records), meta or {})
    write_html(page, os.path.join(out_dir, "index.html"))
    return summary


def build(records_csv: str, out_dir: str | None = None, meta: dict | None = None,
          progress: bool | None = None) -> pd.DataFrame:
    """summary.csv and index.html next to ``records_csv`` (or in ``out_dir``)."""
    from .aggregate import read_records

    out_dir = out_dir or os.path.dirname(os.path.abspath(records_csv))
    records = read_records(records_csv, progress=progress)
    meta = meta if meta is not None else _meta.for_rebuild(records_csv)
    big = progress if progress is not None else len(records) > 100_000
    return build_from_frame(records, out_dir, meta, progress=big)
