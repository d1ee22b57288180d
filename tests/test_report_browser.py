"""index.html in a real browser: headless Chromium loads the page from disk (no network), its scripts run, and the
rendered DOM has every row; the filters given in the URL hash hide the right rows; sorting works.

Needs the Debian package ``chromium`` (``apt-get install -y chromium``). Without it the test is skipped, except
where ``CI`` or ``REFGRAD_REQUIRE_CHROMIUM`` is set: there it fails, so that CI never skips it silently."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from oracle.records import Record
from oracle.report import build_from_frame, records_frame

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI") or os.environ.get("REFGRAD_REQUIRE_CHROMIUM"):
        pytest.fail("headless Chromium is required here (CI): apt-get install -y chromium")
    pytest.skip("no chromium on PATH (apt-get install -y chromium)")


def dump_dom(browser: str, url: str, profile_dir) -> str:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
           "--disable-extensions", "--disable-default-apps", f"--user-data-dir={profile_dir}", "--dump-dom", url]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "<body" in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


def body_attr(dom: str, name: str) -> str:
    m = re.search(r"<body[^>]*\s" + name + r'="([^"]*)"', dom)
    assert m, f"<body> has no {name}"
    return m.group(1)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser")
    checks = [("forward", "float32", 1e-6, 1e-6), ("forward", "float64", 1e-12, 1e-13), ("jvp", "float64", 1e-7, 1e-8)]
    recs = []
    for i in range(30):
        for check, dtype, rtol, atol in checks:
            for k in range(4):
                rel = 0.0 if i % 5 == 0 else rtol * 10.0 ** (-(i % 4) - k / 4)
                failed = i == 7 and check == "jvp"
                recs.append(Record(op=f"op{i:02d}", family=("unary", "binary", "reduction")[i % 3], check=check,
                                   dtype=dtype, shapes="2x3", params="dim=1", n_elements=6,
                                   max_abs_err=rel * (100 if failed else 1), max_rel_err=rel * (100 if failed else 1),
                                   max_ulp=1.0, rtol=rtol, atol=atol, passed=not failed, seed=str(k)))
    build_from_frame(records_frame(recs), str(out), meta={"torch": "2.13.0+cpu", "hypothesis_profile": "ci"})
    return out / "index.html"


def test_page_renders_every_row_after_its_scripts_ran(page, tmp_path):
    dom = dump_dom(_browser(), page.as_uri(), tmp_path / "profile")
    assert body_attr(dom, "data-ready") == "1"  # set by the page's script once it has run
    assert body_attr(dom, "data-rows") == "90" and body_attr(dom, "data-shown") == "90"
    assert "90 of 90 rows · 30 of 30 ops" in dom
    assert dom.count('<svg class="hg"') == 90  # the error-distribution plots are in the DOM


def test_filters_from_the_url_hash(page, tmp_path):
    browser = _browser()
    dom = dump_dom(browser, page.as_uri() + "#q=op0&dtype=float64", tmp_path / "p1")
    assert body_attr(dom, "data-shown") == str(10 * 2)  # op00..op09, two float64 rows each
    assert "20 of 90 rows · 10 of 30 ops" in dom
    dom = dump_dom(browser, page.as_uri() + "#status=0", tmp_path / "p2")  # failing rows only
    assert body_attr(dom, "data-shown") == "1" and "1 of 90 rows · 1 of 30 ops" in dom
    dom = dump_dom(browser, page.as_uri() + "#q=%3Dop01&family=binary", tmp_path / "p3")  # "=op01": exact name
    assert body_attr(dom, "data-shown") == "3"


def test_sorting_by_headroom(page, tmp_path):
    """Clicks the headroom header through a tiny script appended to a copy of the page; the least headroom
    (the failing row) must come first."""
    html = page.read_text()
    probe = ("<script>(function(){var th=[].slice.call(document.querySelectorAll('#checks th'))"
             ".filter(function(t){return t.textContent==='headroom';})[0];th.click();"
             "var r=document.querySelector('#checks tbody tr');"
             "document.body.setAttribute('data-first', r.dataset.op+'/'+r.dataset.c);})();</script></body>")
    copy = tmp_path / "sorted.html"
    copy.write_text(html.replace("</body>", probe))
    dom = dump_dom(_browser(), copy.as_uri(), tmp_path / "profile")
    assert body_attr(dom, "data-first") == "op07/jvp"
