"""The error report: aggregation on hand-made Records (known maxima, medians, p99, headroom), merging of the
per-process record files, rendering, and the refgrad-report command line."""
from __future__ import annotations

import csv
import json
import math
import os
import random
import re

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from oracle.check_definitions import SOURCES, definition, definitions, group_of, parse_table
from oracle.records import FIELDS, CsvSink, Record, atomic_write, merge_record_files, read_rows
from oracle.report import build, build_from_frame, records_frame, summarize
from oracle.report.aggregate import (
    N_BINS,
    accuracy,
    band,
    diff,
    overview,
    read_records,
    read_summary,
    record_headroom,
    rel_err_histograms,
)
from oracle.report.cli import main as cli
from oracle.report.render import axis_svg, breakable, fmt_err, fmt_headroom, hist_svg, html, reproduce


def rec(op="exp", check="forward", dtype="float64", abs_err=0.0, rel_err=0.0, rtol=1e-12, atol=1e-13, passed=True,
        seed="1", shapes="3", family="unary", **kw) -> Record:
    return Record(op=op, family=family, check=check, dtype=dtype, shapes=shapes, params=kw.pop("params", ""),
                  n_elements=kw.pop("n_elements", 3), max_abs_err=abs_err, max_rel_err=rel_err, max_ulp=kw.pop("ulp", 0.0),
                  rtol=rtol, atol=atol, passed=passed, seed=seed, **kw)


def one(summary: pd.DataFrame, op="exp", check="forward", dtype="float64") -> pd.Series:
    rows = summary[(summary.op == op) & (summary.check == check) & (summary.dtype == dtype)]
    assert len(rows) == 1
    return rows.iloc[0]


# ---- statistics ----------------------------------------------------------------------------------------
def test_maxima_median_and_p99_of_a_small_group():
    rels = [3e-8, 1e-8, 4e-8, 2e-8]
    s = summarize(records_frame([rec(rel_err=r, abs_err=r / 10, rtol=1e-6, atol=1e-6, seed=str(i), ulp=i)
                                 for i, r in enumerate(rels)]))
    row = one(s)
    assert row.n_cases == 4 and row.n_failed == 0 and row.n_elements == 12 and bool(row.passed)
    assert row.max_rel_err == 4e-8 and row.max_abs_err == 4e-9 and row.max_ulp == 3
    assert row.median_rel_err == pytest.approx(2.5e-8, rel=1e-15)  # mean of the two middle values
    assert row.p99_rel_err == 4e-8  # fewer than 100 cases: nearest rank is the maximum
    assert (row.rtol, row.atol) == (1e-6, 1e-6)


def test_p99_is_the_nearest_rank_value():
    rels = [i * 1e-10 for i in range(1, 201)]
    random.Random(0).shuffle(rels)
    row = one(summarize(records_frame([rec(rel_err=r, abs_err=r, rtol=1e-6, atol=1e-6, seed=str(i))
                                       for i, r in enumerate(rels)])))
    assert row.p99_rel_err == pytest.approx(198e-10)  # ceil(0.99 * 200) = 198th smallest
    assert row.median_rel_err == pytest.approx(100.5e-10)
    assert row.max_rel_err == pytest.approx(200e-10)


def test_groups_are_per_op_check_dtype_in_canonical_order():
    recs = [rec(op="b", check="jvp"), rec(op="b", check="forward", dtype="float32"), rec(op="a", family="binary"),
            rec(op="b", check="forward"), rec(op="b", check="vjp_torch")]
    s = summarize(records_frame(recs))
    assert list(zip(s.op, s.check, s.dtype)) == [("a", "forward", "float64"), ("b", "forward", "float32"),
                                                 ("b", "forward", "float64"), ("b", "vjp_torch", "float64"),
                                                 ("b", "jvp", "float64")]
    assert list(s.family) == ["binary", "unary", "unary", "unary", "unary"]


# ---- headroom ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("abs_err,rel_err,rtol,atol,passed,headroom,basis", [
    (1e-7, 1e-8, 1e-6, 1e-6, True, 100.0, "rtol"),        # relative error dominates: rtol / rel
    (1e-9, 0.5, 1e-6, 1e-6, True, 1000.0, "atol"),        # values near zero: atol / abs holds
    (5e-6, 5e-6, 1e-6, 1e-6, True, 1.0, "floor"),         # maxima on different elements; passed -> at least 1
    (1e-3, 1e-3, 1e-6, 1e-6, False, 1e-3, "rtol"),        # failed by magnitude: the bound, below 1
    (1e-12, 1e-12, 1e-6, 1e-6, False, 0.0, "mismatch"),   # failed although tiny errors: NaN pattern etc.
    (math.inf, math.inf, 1e-6, 1e-6, False, 0.0, "rtol"),  # shape mismatch and the like
    (0.0, 0.0, 1e-12, 1e-13, True, math.inf, "exact"),     # bitwise equal
    (2e-16, 1e-16, 1e-12, 0.0, True, 1e4, "rtol"),         # atol 0 (jvp_adjoint)
    (1.0, 1.0, 1e-6, 1e-6, False, 1e-6, "rtol"),           # integer mismatch
    (math.nan, math.nan, 1e-12, 0.0, False, 0.0, "rtol"),  # NaN errors count as infinite
])
def test_record_headroom(abs_err, rel_err, rtol, atol, passed, headroom, basis):
    r = record_headroom(records_frame([rec(abs_err=abs_err, rel_err=rel_err, rtol=rtol, atol=atol, passed=passed)]))
    assert r.headroom.iloc[0] == pytest.approx(headroom, rel=1e-12)
    assert r.headroom_basis.iloc[0] == basis


def test_group_headroom_is_the_least_and_names_the_worst_case():
    recs = [rec(abs_err=1e-16, rel_err=1e-16, seed="10", shapes="2x3"),
            rec(abs_err=4e-14, rel_err=1e-13, seed="11", shapes="4", params="dim=0", example="[1.,2.]", note="n"),
            rec(abs_err=1e-15, rel_err=2e-15, seed="12")]
    row = one(summarize(records_frame(recs)))
    assert row.headroom == pytest.approx(10.0)  # min over records of max(1e-13/4e-14, 1e-12/1e-13)
    assert row.headroom_basis == "rtol"
    assert (row.worst_seed, row.worst_shapes, row.worst_params, row.worst_example, row.worst_note) == \
        ("11", "4", "dim=0", "[1.,2.]", "n")


def test_a_failed_case_fails_the_row():
    recs = [rec(rel_err=1e-14, abs_err=1e-14), rec(rel_err=1e-9, abs_err=1e-9, passed=False, seed="7")]
    row = one(summarize(records_frame(recs)))
    assert not row.passed and row.n_failed == 1 and row.worst_seed == "7"
    assert row.headroom == pytest.approx(1e-3) and band(row.headroom) == "failed"


def test_summary_does_not_depend_on_record_order():
    rng = random.Random(1)
    recs = [rec(op=f"op{i % 5}", check=rng.choice(["forward", "vjp_torch", "jvp"]), dtype=rng.choice(["float32", "float64"]),
                rel_err=10 ** rng.uniform(-17, -5), abs_err=10 ** rng.uniform(-17, -5), passed=rng.random() > 0.1,
                seed=str(rng.randrange(10**6))) for i in range(400)]
    recs += recs[:20]  # duplicates (same case run twice) too
    base = summarize(records_frame(recs))
    for _ in range(3):
        rng.shuffle(recs)
        pd.testing.assert_frame_equal(summarize(records_frame(recs)), base)


def test_bands():
    assert [band(h) for h in (0.0, 0.5, 1.0, 2.9, 3.0, 9.9, 10.0, 99.0, 100.0, math.inf, math.nan)] == \
        ["failed", "failed", "tight", "tight", "low", "low", "ok", "ok", "good", "exact", "failed"]


def test_histogram_bins_by_decade():
    recs = [rec(rel_err=0.0), rec(rel_err=1e-16), rec(rel_err=3e-16), rec(rel_err=1e-30), rec(rel_err=0.5),
            rec(rel_err=math.inf, passed=False)]
    h = rel_err_histograms(records_frame(recs))[("exp", "forward", "float64")]
    assert len(h) == N_BINS and sum(h) == 6
    assert h[0] == 1  # exact zeros
    assert h[1] == 1  # below 1e-17 is clipped into the first decade
    assert h[2] == 2  # [1e-16, 1e-15)
    assert h[-2] == 1 and h[-1] == 1  # [0.1, 1) and >= 1 (inf)


def test_overview_by_family_and_check():
    recs = [rec(op="a", family="f1", rel_err=1e-14, abs_err=1e-14), rec(op="a", family="f1", check="jvp"),
            rec(op="b", family="f2", rel_err=1e-9, abs_err=1e-9, passed=False)]
    s = summarize(records_frame(recs))
    fam = overview(s, ["family"]).set_index("family")
    assert fam.loc["f1", "n_ops"] == 1 and fam.loc["f1", "n_rows"] == 2 and fam.loc["f1", "n_failed_rows"] == 0
    assert fam.loc["f1", "min_headroom"] == pytest.approx(100.0) and fam.loc["f1", "exact"] == 1
    assert fam.loc["f2", "failed"] == 1 and fam.loc["f2", "n_failed_rows"] == 1
    chk = overview(s, ["check", "dtype"])
    assert list(chk.check) == ["forward", "jvp"] and list(chk.n_ops) == [2, 1]


# ---- files ---------------------------------------------------------------------------------------------
def write_records(path, recs):
    sink = CsvSink(str(path))
    sink.write(recs)
    sink.close()


def test_csv_sink_writes_rows_as_they_come(tmp_path):
    path = tmp_path / "part.csv"
    sink = CsvSink(str(path))
    sink.write([rec(seed="1")])
    assert len(read_rows(str(path))) == 1  # flushed, before close
    sink.write([rec(seed="2"), rec(seed="3")])
    assert len(read_rows(str(path))) == 3
    sink.close()


def test_merge_is_sorted_and_independent_of_the_parts(tmp_path):
    recs = [rec(op=f"op{i % 4}", seed=str(i), rel_err=i * 1e-17, abs_err=0.1 + i) for i in range(30)]
    write_records(tmp_path / "a.part", recs[:10])
    write_records(tmp_path / "b.part", recs[10:])
    write_records(tmp_path / "c.part", recs[25:] + recs[:25])
    assert merge_record_files([tmp_path / "a.part", tmp_path / "b.part"], str(tmp_path / "ab.csv")) == 30
    assert merge_record_files([tmp_path / "c.part"], str(tmp_path / "c.csv")) == 30
    assert (tmp_path / "ab.csv").read_bytes() == (tmp_path / "c.csv").read_bytes()
    frame = read_records(str(tmp_path / "ab.csv"))
    assert sorted(frame.max_abs_err) == sorted(r.max_abs_err for r in recs)  # values round-trip exactly


def test_a_cut_last_line_is_dropped(tmp_path):
    path = tmp_path / ".records-gw0.csv.part"
    write_records(path, [rec(seed="1"), rec(seed="2", note="a, quoted\nnote")])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("exp,unary,forward,float64,3,,3,0.0,0.0")  # killed mid-row
    rows = read_rows(str(path))
    assert [r["seed"] for r in rows] == ["1", "2"] and rows[1]["note"] == "a, quoted\nnote"


def test_atomic_write_keeps_the_old_file_on_error(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("old")

    def boom(fh):
        fh.write("partial")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write(str(path), boom)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["x.txt"]


def test_summary_csv_round_trips(tmp_path):
    recs = [rec(rel_err=1e-13, abs_err=2e-14), rec(check="jvp", rel_err=0.0, abs_err=0.0),
            rec(op="log", rel_err=1e-9, abs_err=1e-9, passed=False, example='[1.,"x"]')]
    s = build_from_frame(records_frame(recs), str(tmp_path))
    back = read_summary(str(tmp_path / "summary.csv"))
    assert list(back.columns) == list(s.columns)
    for c in ("max_rel_err", "headroom", "p99_rel_err"):
        np.testing.assert_array_equal(back[c].to_numpy(float), s[c].to_numpy(float))
    assert list(back.passed) == list(s.passed) == [True, True, False]
    assert back.worst_example.tolist() == s.worst_example.tolist()


# ---- rendering -----------------------------------------------------------------------------------------
def test_page_is_self_contained_and_has_every_row(tmp_path):
    recs = [rec(op=f"op{i}", family=f"fam{i % 3}", check=c, dtype=d, rel_err=10.0 ** -(i % 17), abs_err=1e-20,
                passed=i % 11 != 0, example="<script>alert(1)</script>")
            for i in range(40) for c, d in (("forward", "float32"), ("forward", "float64"), ("jvp", "float64"))]
    build_from_frame(records_frame(recs), str(tmp_path), meta={"torch": "9.9", "hypothesis_profile": "ci"})
    page = (tmp_path / "index.html").read_text()
    assert 'data-rows="120"' in page and page.count('<tr id="r') == 120  # table rows, each with an anchor
    assert page.count('<tr data-op="') == 40  # grid rows
    assert "<script>alert" not in page  # values are escaped
    for external in ("http://", "https://", "<link", "<script src", "@import", "url("):
        assert external not in page
    assert "torch</b>9.9" in page and "Hypothesis profile</b>ci" in page


def test_formatting():
    assert [fmt_err(x) for x in (0.0, 1.23e-7, math.inf, math.nan, 0.5)] == ["0", "1.2e-7", "inf", "nan", "5.0e-1"]
    assert [fmt_headroom(x) for x in (math.inf, 0.0, 0.0123, 3.0, 42.4, 12345.0)] == \
        ["exact", "0", "0.012", "3", "42", "1.2e4"]
    assert fmt_headroom(1.0, "floor") == "≥1"
    svg = hist_svg([1, 0, 2] + [0] * (N_BINS - 4) + [1], 1e-6)
    assert svg.startswith("<svg") and "class=t" in svg and "class=z" in svg and "class=o" in svg


# ---- command line --------------------------------------------------------------------------------------
def test_cli_build_from_records_and_from_parts_left_by_a_crash(tmp_path, capsys):
    recs = [rec(op=f"op{i % 3}", seed=str(i), rel_err=1e-14 * i, abs_err=1e-15) for i in range(12)]
    write_records(tmp_path / "records.csv", recs)
    assert cli(["build", str(tmp_path / "records.csv"), "-q"]) == 0
    assert len(pd.read_csv(tmp_path / "summary.csv")) == 3 and (tmp_path / "index.html").exists()

    crashed = tmp_path / "crashed"
    crashed.mkdir()
    write_records(crashed / ".records-gw0.csv.part", recs[:6])
    write_records(crashed / ".records-gw1.csv.part", recs[6:])
    assert cli(["build", str(crashed)]) == 0
    assert (crashed / "records.csv").read_bytes() == _merged_bytes(tmp_path, recs)
    pd.testing.assert_frame_equal(pd.read_csv(crashed / "summary.csv"), pd.read_csv(tmp_path / "summary.csv"))

    # shards of one sweep, merged into -o
    assert cli(["build", str(crashed / ".records-gw0.csv.part"), str(crashed / ".records-gw1.csv.part"),
                "-o", str(tmp_path / "merged"), "-q"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "merged" / "summary.csv"),
                                  pd.read_csv(tmp_path / "summary.csv"))
    assert cli(["build", str(tmp_path / "nowhere.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def _merged_bytes(tmp_path, recs) -> bytes:
    write_records(tmp_path / "tmp.part", recs)
    merge_record_files([str(tmp_path / "tmp.part")], str(tmp_path / "expected.csv"))
    return (tmp_path / "expected.csv").read_bytes()


def test_diff_flags_growth_and_status_changes(tmp_path, capsys):
    old = [rec(op="same", rel_err=1e-15, abs_err=1e-15), rec(op="grew", rel_err=1e-15, abs_err=1e-15),
           rec(op="noise", dtype="float64", rel_err=1e-17, abs_err=1e-17),
           rec(op="broke", rel_err=1e-15, abs_err=1e-15), rec(op="fixed", rel_err=1.0, abs_err=1.0, passed=False),
           rec(op="gone")]
    new = [rec(op="same", rel_err=2e-15, abs_err=2e-15), rec(op="grew", rel_err=5e-14, abs_err=5e-14),
           rec(op="noise", rel_err=2e-16, abs_err=2e-16),  # 20x, but both within one unit roundoff of float64
           rec(op="broke", rel_err=1e-15, abs_err=1e-15, passed=False),
           rec(op="fixed", rel_err=1e-15, abs_err=1e-15), rec(op="new")]
    d = diff(summarize(records_frame(old)), summarize(records_frame(new)))
    kinds = dict(zip(d.op, d.kind))
    assert kinds == {"broke": "regressed", "grew": "worse", "fixed": "fixed", "gone": "vanished", "new": "added"}
    assert set(d[d.regression].op) == {"broke", "grew"}
    assert d.set_index("op").loc["grew", "growth"] == pytest.approx(50.0)

    write_records(tmp_path / "old.csv", old)
    write_records(tmp_path / "new.csv", new)
    assert cli(["diff", str(tmp_path / "old.csv"), str(tmp_path / "new.csv")]) == 1
    out = capsys.readouterr()
    assert "regressed" in out.out and "grew" in out.out and "same" not in out.out and "gone" in out.out
    assert "2 regressed" in out.err and "1 vanished" in out.err and "1 added" in out.err
    # summaries work as inputs too, and a run compared with itself has no regression
    build(str(tmp_path / "old.csv"), str(tmp_path / "o"))
    assert cli(["diff", str(tmp_path / "o" / "summary.csv"), str(tmp_path / "old.csv")]) == 0
    assert cli(["diff", str(tmp_path / "o"), str(tmp_path / "new.csv"), "--csv"]) == 1
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert {r["op"] for r in rows} == {"broke", "grew", "fixed", "gone", "new"}


def test_records_file_has_the_record_fields(tmp_path):
    write_records(tmp_path / "r.csv", [rec()])
    with open(tmp_path / "r.csv") as fh:
        assert next(csv.reader(fh)) == list(FIELDS)


def test_an_empty_run_gives_an_empty_report(tmp_path):
    write_records(tmp_path / "records.csv", [])
    summary = build(str(tmp_path / "records.csv"))
    assert summary.empty and list(pd.read_csv(tmp_path / "summary.csv").columns) == list(summary.columns)
    assert 'data-rows="0"' in (tmp_path / "index.html").read_text()


def test_module_entry_point():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "oracle.report", "--help"], check=False, capture_output=True,
                          text=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert proc.returncode == 0 and "build" in proc.stdout and "diff" in proc.stdout


# ---- the page: definitions, worst rows, reproduction, columns of newer summaries -------------------------
def _page(tmp_path, recs, meta=None, summary_edit=None) -> str:
    summary = summarize(records_frame(recs))
    if summary_edit is not None:
        summary = summary_edit(summary)
    return html(summary, {}, meta if meta is not None else {"hypothesis_profile": "ci"})


def test_every_check_of_every_harness_is_defined():
    from oracle.checks import CHECKS
    from oracle.init_spec import CHECKS as INIT_CHECKS
    from oracle.module_spec import MODULE_CHECKS
    from oracle.optim_spec import OPTIMIZER_CHECKS, SCHEDULER_CHECKS

    harnesses = [("unary", [*CHECKS, "jvp_adjoint"]), ("modules.conv", MODULE_CHECKS), ("optim", OPTIMIZER_CHECKS),
                 ("optim.lr_scheduler", SCHEDULER_CHECKS), ("init", INIT_CHECKS)]
    for family, names in harnesses:
        for check in names:
            assert definition(family, check), (family, check)
    assert "numerical directional derivative" in definition("unary", "jvp")
    assert definition("unary", "jvp_adjoint") == definition("unary", "jvp")  # defined within jvp's row
    assert "scheduler" in definition("optim.lr_scheduler", "resume")  # not the optimizer's resume
    assert "optimizer" in definition("optim", "resume")
    assert "state_dict keys" in definition("modules.conv", "state_dict")
    assert definition("unary", "no_such_check") == ""


def test_a_check_table_row_may_define_more_than_one_check(monkeypatch, tmp_path):
    rows = parse_table("""Checks.

    | check              | compares                     |
    |--------------------|------------------------------|
    | vjp_numeric        | gradients vs numerical ones  |
    | jvp (+ jvp_adjoint)| forward mode vs numerical,   |
    |                    | and ⟨Jv,u⟩ = ⟨v,Jᵀu⟩          |
    | resume (schedules) | a scheduler continues        |
    """)
    assert [(r.check, r.qualifier, r.also) for r in rows] == [("vjp_numeric", "", ()), ("jvp", "", ("jvp_adjoint",)),
                                                               ("resume", "schedules", ())]
    assert rows[1].compares == "forward mode vs numerical, and ⟨Jv,u⟩ = ⟨v,Jᵀu⟩"
    # users' functions: their own table, and the ops' table for the twin checks (forward, vjp_torch)
    (tmp_path / "user.py").write_text('"""' + "\n".join(["Yours.", "", "| check | compares |", "|---|---|",
                                                        "| jvp (+ jvp_adjoint) | forward mode of yours |"]) + '"""\n')
    monkeypatch.setitem(SOURCES, "user", ("Your functions", str(tmp_path / "user.py")))  # an absolute path joins as is
    definitions.cache_clear()
    try:
        assert group_of("user") == "user"
        assert definition("user", "jvp_adjoint") == "forward mode of yours"
        assert definition("user", "forward") == definition("unary", "forward")
        page = html(summarize(records_frame([rec(op="f", family="user", check="jvp_adjoint"),
                                             rec(op="f", family="user", check="forward")])), {}, {})
        defs = page[page.index('id="definitions"'):page.index('id="controls"')]
        assert "forward mode of yours" in defs and str(escape(definition("unary", "forward"))) in defs
    finally:
        definitions.cache_clear()


def test_the_page_defines_each_check_beside_the_tables(tmp_path):
    recs = [rec(op="exp", check="forward"), rec(op="exp", check="jvp_adjoint"), rec(op="exp", check="no_such_check"),
            rec(op="Linear", family="modules.linear", check="state_dict", dtype="float32"),
            rec(op="StepLR", family="optim.lr_scheduler", check="resume")]
    page = _page(tmp_path, recs)
    defs = page[page.index('id="definitions"'):page.index('id="controls"')]
    for family, check in [("unary", "forward"), ("unary", "jvp_adjoint"), ("modules.linear", "state_dict"),
                          ("optim.lr_scheduler", "resume")]:
        assert str(escape(definition(family, check))) in defs
    assert "(not described in the check table)" in defs  # a check no table names is listed, not dropped
    assert str(escape(definition("optim", "resume"))) not in defs  # no optimizer ran: only the scheduler's resume
    assert ">Modules <" in defs and ">Ops <" in defs and ">Initializers <" not in defs


def test_the_worst_rows_are_named_and_linked(tmp_path):
    recs = [rec(op=f"op{i}", rel_err=10.0 ** -(14 - i / 2), abs_err=1e-20, rtol=1e-12) for i in range(14)]
    recs += [rec(op="broken", check="jvp", rel_err=1.0, abs_err=1.0, passed=False), rec(op="same", rel_err=0.0)]
    s = summarize(records_frame(recs))
    page = html(s, {}, {})
    row_of = {op: i for i, op in enumerate(s.op)}
    least = page[page.index('<div class="least">'):page.index("</nav>")]
    assert f'href="#r{row_of["broken"]}"' in least and "broken · jvp · float64" in least
    worst = page[page.index('<ol class="worst"'):page.index("</ol>")]
    named = re.findall(r'href="#r(\d+)" data-row="\d+">([^<]+)<', worst)
    assert [name.split(" · ")[0] for _, name in named] == ["broken", *(f"op{i}" for i in range(13, 4, -1))]
    assert all(s.op[int(i)] == name.split(" · ")[0] for i, name in named)  # each link points at its own row
    assert all(f'<tr id="r{i}"' in page for i, _ in named)


def test_worst_test_and_a_command_that_reproduces_it(tmp_path):
    node = "tests/test_ops.py::test_op[exp-forward-float64]"
    recs = [rec(rel_err=1e-15, abs_err=1e-15, test="tests/test_ops.py::other"),
            rec(rel_err=1e-13, abs_err=1e-13, seed="9", example="[1.0, 2.0]", test=node)]
    s = summarize(records_frame(recs))
    assert one(s).worst_test == node
    assert reproduce(node, {"hypothesis_profile": "ci"}) == \
        "python -m pytest 'tests/test_ops.py::test_op[exp-forward-float64]' --hypothesis-profile=ci"
    assert reproduce("t.py::test[it's]", {}) == "python -m pytest 't.py::test[it'\"'\"'s]'"  # quoted for the shell
    page = html(s, {}, {"hypothesis_profile": "ci"})
    data = json.loads(re.search(r'<script type="application/json" id="worst-data">(.*?)</script>', page, re.S)[1])
    assert data == [[reproduce(node, {"hypothesis_profile": "ci"}), "[1.0, 2.0]", ""]]
    assert "derandomized: re-running the node id replays the same examples" in page
    assert "@reproduce_failure" in html(s, {}, {"hypothesis_profile": "dev"})  # a random profile: the blob
    evil = html(summarize(records_frame([rec(example="</script><script>alert(1)</script>", rel_err=1e-13,
                                             abs_err=1e-13)])), {}, {})
    assert "</script><script>alert" not in evil  # the inputs cannot close the data script


def test_a_summary_without_the_newer_columns_still_renders(tmp_path):
    recs = [rec(rel_err=1e-13, abs_err=1e-13), rec(op="log", rel_err=1.0, abs_err=1.0, passed=False)]
    build_from_frame(records_frame(recs), str(tmp_path))
    old = pd.read_csv(tmp_path / "summary.csv").drop(columns=["worst_test"])
    old.to_csv(tmp_path / "old.csv", index=False)
    page = html(read_summary(str(tmp_path / "old.csv")), {}, {})
    assert page.count('<tr id="r') == 2 and "No pytest node id was recorded" in page
    assert "<title>refgrad vs PyTorch</title>" in page and 'id="float32-h"' not in page
    assert re.search(r'id="failing"><b>1</b>rows failing', page)


def test_newer_columns_errors_shrinking_and_float32_accuracy(tmp_path):
    recs = [rec(op=op, check=c, dtype="float32", rel_err=1e-7, abs_err=1e-7, rtol=1e-5, atol=1e-5)
            for op in ("pow", "sum", "var", "exp") for c in ("forward", "vjp_torch")]

    def newer(s):
        s = s.assign(n_errors=0, n_shrink=0, truth_rel_err=np.nan, torch_truth_rel_err=np.nan, accuracy="")
        verdicts = {("pow", "forward"): ("less", 4e-6, 1e-7), ("sum", "vjp_torch"): ("more", 1e-8, 5e-7),
                    ("var", "forward"): ("same", 2e-7, 2e-7), ("exp", "forward"): ("same", 1e-7, 1e-7)}
        for (op, c), (acc, ours, theirs) in verdicts.items():
            at = (s.op == op) & (s.check == c)
            s.loc[at, ["accuracy", "truth_rel_err", "torch_truth_rel_err"]] = [acc, ours, theirs]
        at = (s.op == "var") & (s.check == "vjp_torch")
        s.loc[at, ["n_errors", "n_shrink", "passed"]] = [1, 12, False]
        return s

    page = _page(tmp_path, recs, {"title": "My ops <vs> torch", "intro": "What we check.", "exit_status": 1},
                 newer)
    assert "<title>My ops &lt;vs&gt; torch</title>" in page and "What we check." in page
    assert re.search(r'id="failing"><b>1</b>rows failing', page) and 'id="raised"><b>1</b>check executions' in page
    assert "1 raised" in page and "+12 shrinking" in page
    headline = re.sub(r"\s+", " ", page[page.index('id="accuracy-headline"'):page.index("</p>", page.index(
        'id="accuracy-headline"'))])
    assert "<b>more accurate</b> than torch's on 1 rows, <b>as accurate</b> on 2 and <b>less accurate</b> on 1" \
        in headline and "by op: 1 more, 2 same, 1 less" in headline
    less = page[page.index('id="acc-less"'):page.index("</table>", page.index('id="acc-less"'))]
    assert ">pow<" in less and "4.0e-6" in less and "1.0e-7" in less and "40×" in less and ">sum<" not in less
    assert ">sum<" in page[page.index('id="acc-more"'):]


def test_a_row_whose_check_raised_is_failing_on_the_page(tmp_path):
    page = _page(tmp_path, [rec(rel_err=1e-13, abs_err=1e-13)], {},
                 lambda s: s.assign(n_errors=1))  # even were its passed flag left True
    assert re.search(r'id="failing"><b>1</b>rows failing', page) and 'id="raised"><b>1</b>' in page


@pytest.mark.parametrize("meta,tile", [
    ({"exit_status": 1, "exit_name": "TESTS_FAILED"}, "<b>pytest failed</b>exit status 1 (TESTS_FAILED)"),
    ({"exit": "INTERRUPTED"}, "<b>pytest failed</b>exit status INTERRUPTED"),  # run.json of older runs
    ({"exit_status": 0, "exit": "OK"}, "<b>0</b>rows failing"),
    ({"exit": "OK"}, "<b>0</b>rows failing"),
    ({}, "<b>0</b>rows failing"),
])
def test_the_failing_tile_never_says_0_after_a_failed_run(tmp_path, meta, tile):
    page = _page(tmp_path, [rec(rel_err=1e-13, abs_err=1e-13)], meta)
    assert tile in page
    assert ('class="bad" id="failing"' in page) == (tile != "<b>0</b>rows failing")


def test_histogram_axis_is_labelled():
    axis = axis_svg()
    assert [t for t in re.findall(r">([^<]+)</text>", axis)] == ["0", "1e-15", "1e-10", "1e-5", "1"]
    # the ticks sit on the bins hist_svg draws: bin b of the 1e-15 decade is the 3rd after the zero bin
    assert 'x="21"' in axis  # (3 + 0.5) * 6


def test_long_op_names_may_wrap_without_changing_their_text():
    name = breakable("nn.functional.scaled_dot_product_attention[neg_inf_mask]")
    assert re.sub("<wbr>", "", name) == "nn.functional.scaled_dot_product_attention[neg_inf_mask]"
    assert name.startswith("nn.<wbr>functional.<wbr>scaled_<wbr>") and "<wbr>[neg_" in name
    assert "<script>" not in breakable("<script>")  # still escaped


def test_float32_accuracy_gives_no_verdict_where_both_are_far_from_a_truth_near_zero():
    # refgrad 1.0 and torch 1.5e10 from the truth (nn.GroupNorm's forward in an earlier snapshot): results near 0,
    # judged by atol, whose relative errors say nothing about which library is the more accurate
    ours = np.array([1.0, 0.5, 0.05, 1e-7, 2e-7, 1e-3])
    theirs = np.array([1.5e10, 0.2, 5.0, 1e-3, 1e-7, 1e-7])
    assert list(accuracy(ours, theirs)) == ["", "", "more", "more", "same", "less"]
