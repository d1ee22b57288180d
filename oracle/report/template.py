"""The Jinja2 template of index.html: one self-contained page (inline CSS, inline SVG, a little vanilla JS; no
network access). Kept as a Python string so that it ships with the package without package-data rules.

Layout: the page itself never scrolls sideways (checked at 1400 and 800 px in tests/test_report_browser.py); the
wide tables (ops grid, all checks) scroll inside their own boxes, whose headers stay in view."""

TEMPLATE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
:root{--fg:#1d2330;--mut:#5d6677;--line:#e3e6ec;--bg:#fff;--head:#f5f6f8;--link:#1f5fbf;
--b-failed:#f9c9c9;--b-tight:#fbdcae;--b-low:#f7efb4;--b-ok:#dff1d2;--b-good:#c4e6b8;--b-exact:#cfe3f6}
*{box-sizing:border-box}
body{margin:0;font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1500px;margin:0 auto;padding:18px 24px 40px}
h1{font-size:22px;margin:0 0 2px}
h2{font-size:16px;margin:26px 0 8px;scroll-margin-top:calc(var(--ctl,46px) + 8px)}
h3{font-size:13px;margin:14px 0 4px}
p{margin:4px 0}
.mut{color:var(--mut)}
.meta{display:flex;flex-wrap:wrap;gap:4px 18px;margin:10px 0 4px;padding:8px 12px;background:var(--head);border-radius:6px;overflow-wrap:anywhere}
.meta b{font-weight:600;margin-right:4px}
.toc{display:flex;flex-wrap:wrap;gap:4px 14px;margin:10px 0 0}
a{color:var(--link)}
a.f{color:var(--link);text-decoration:underline dotted;text-underline-offset:2px;cursor:pointer}
a.f:hover{text-decoration-style:solid}
.tot{display:flex;gap:10px;margin:12px 0 0;flex-wrap:wrap}
.tot>div{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:110px;max-width:100%}
.tot>div>b{display:block;font-size:18px}
.tot div.bad{border-color:#e5484d;background:#fdeeee}
.tot .least{overflow-wrap:anywhere}
.legend{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:8px 0}
.sw{display:inline-block;padding:1px 8px;border-radius:3px;font-size:12px}
.failed{background:var(--b-failed)}.tight{background:var(--b-tight)}.low{background:var(--b-low)}
.ok{background:var(--b-ok)}.good{background:var(--b-good)}.exact{background:var(--b-exact)}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:var(--head);font-weight:600;font-size:12px}
td.n,th.n{text-align:right}
.bar{display:flex;width:220px;height:12px;border-radius:3px;overflow:hidden;background:var(--line)}
.bar span{display:block;height:100%}
.ctl{position:sticky;top:0;z-index:3;background:var(--bg);display:flex;flex-wrap:wrap;gap:8px;align-items:center;
padding:10px 0;border-bottom:1px solid var(--line)}
.ctl input,.ctl select{font:inherit;padding:4px 6px;border:1px solid #c5cad3;border-radius:4px;background:#fff;max-width:100%}
.ctl input{width:300px}
#shown{margin-left:auto;color:var(--mut)}
.scroll{overflow-x:auto;max-width:100%}
.box{overflow:auto;max-width:100%;max-height:calc(100vh - var(--ctl,46px) - 24px);border:1px solid var(--line);border-radius:4px}
.box thead th{position:sticky;top:0;z-index:2}
.mx td{padding:2px 4px;text-align:center;font-size:12px;min-width:52px;border:1px solid #fff}
.mx td.op,.mx th.op{text-align:left;min-width:0}
.mx td.op:first-child,.dt td:first-child,td.opn{white-space:normal;min-width:170px;max-width:230px}
.mx th{white-space:normal;max-width:96px;overflow-wrap:break-word;text-align:center;cursor:pointer;user-select:none}
.mx th.op{position:sticky;left:0;z-index:3}
.mx td.op:first-child{position:sticky;left:0;z-index:1;background:var(--bg)}
.mx td.na{background:#fafbfc;color:#b8bdc7}
.mx a,.dt a.op{color:inherit;text-decoration:none;border-bottom:1px dotted #8a93a3;cursor:pointer}
.dt{width:100%}
.dt thead th,.mx thead th{cursor:pointer;user-select:none}
.dt thead th:hover,.mx thead th:hover{background:#e9ecf1}
th.asc:after{content:" \25B2";font-size:9px}th.desc:after{content:" \25BC";font-size:9px}
.dt td.h{font-weight:600}
.dt td.w{max-width:250px;overflow:hidden;text-overflow:ellipsis;color:var(--link);cursor:pointer}
.dt th,.dt td{padding:3px 6px}
.dt tr.bad td:not(.h){background:#fff3f3}
.dt tr:hover td:not(.h){background:#eef2f8}
.dt tr.hl td:not(.h){background:#fff7cc}
.dt tr{scroll-margin-top:40px}
.dt tr.detail td{white-space:normal;background:#f8f9fb;padding:8px 12px}
.detail .in{position:sticky;left:0;max-width:min(900px,calc(100vw - 80px))}
.detail code{white-space:pre-wrap;word-break:break-all;user-select:all;display:inline-block;padding:2px 6px}
.detail p{margin:4px 0}
.detail button{font:inherit;font-size:12px;margin-left:6px}
small.x{color:var(--mut);margin-left:4px}
svg.hg{display:block;width:114px;height:16px;border-bottom:1px solid #cfd4dc}
svg.hg path{fill:#7b8aa3}svg.hg path.z{fill:#b5d3ee}svg.hg path.o{fill:#e08a2c}svg.hg path.t{stroke:#d12f35;stroke-width:1;fill:none}
svg.ax{display:block;width:114px;height:14px;overflow:visible;margin-top:2px}
svg.ax path{stroke:#5d6677;stroke-width:1}svg.ax text{font-size:8px;fill:#5d6677;text-anchor:middle;font-weight:400}
th.hgh{white-space:normal;width:130px}
.hide{display:none}
.ovs{display:flex;flex-wrap:wrap;gap:0 28px;max-width:100%}
.ovs>div{min-width:0;max-width:100%}
.ovs .bar{width:110px}
.ov td,.ov th{padding:3px 7px}
.ov th{vertical-align:bottom}
.defs td{white-space:normal;vertical-align:top}
.defs td.c{white-space:nowrap}
.defs td.d{min-width:260px}
ol.worst{margin:4px 0;padding-left:22px;columns:2 380px}
ol.worst li{margin:1px 0;break-inside:avoid}
footer{margin-top:30px;color:var(--mut);max-width:1000px}
code{font-size:12px;background:var(--head);padding:0 3px;border-radius:3px;overflow-wrap:anywhere}
@media (max-width:900px){main{padding:12px 12px 30px}.ctl input{width:200px}}
</style>
</head>
<body data-rows="{{ rows|length }}">
<main>
<h1 id="top">{{ title }}</h1>
<p class="mut">{{ intro }}</p>
<div class="meta" id="meta">
{%- for k, v in meta_items %}<span><b>{{ k }}</b>{{ v }}</span>{% endfor -%}
</div>
{% if meta_note %}<p class="mut">{{ meta_note }}</p>{% endif %}
<div class="tot" id="tiles">
<div><b>{{ totals.ops }}</b>ops</div>
<div><b>{{ totals.rows }}</b>op · check · dtype rows</div>
<div><b>{{ totals.cases }}</b>{% if totals.shrink %}Hypothesis examples <small class="x">+{{ totals.shrink }} while shrinking</small>{% else %}check executions{% endif %}</div>
{%- if totals.failed %}
<div class="bad" id="failing"><b>{{ totals.failed }}</b>rows failing{% if totals.raised_rows %} <small class="x">({{ totals.raised_rows }} with checks that raised)</small>{% endif %}</div>
{%- elif totals.exit_failed %}
<div class="bad" id="failing"><b>pytest failed</b>exit status {{ totals.exit }}: a failure outside these rows</div>
{%- else %}
<div id="failing"><b>0</b>rows failing</div>
{%- endif %}
{%- if totals.raised %}
<div class="bad" id="raised"><b>{{ totals.raised }}</b>check executions raised</div>
{%- endif %}
<div class="least"><b>{{ totals.min_headroom }}</b>least headroom{% if totals.least %}:
<a class="row" href="#r{{ totals.least.id }}" data-row="{{ totals.least.id }}">{{ totals.least.op }} · {{ totals.least.check }} · {{ totals.least.dtype }}</a>{% endif %}</div>
</div>
<nav class="toc" aria-label="sections">
<a href="#worst-h">worst ten</a><a href="#families-h">by family</a><a href="#bycheck-h">by check</a>
<a href="#defs-h">what each check compares</a>{% if float32 %}<a href="#float32-h">float32 vs the float64 truth</a>{% endif %}
<a href="#ops-h">ops grid</a><a href="#checks-h">all checks</a><a href="#how-h">how to read this</a>
</nav>
<div class="legend"><span class="mut">headroom:</span>
{%- for b, label in bands %} <span class="sw {{ b }}">{{ label }}</span>{% endfor %}
<span class="mut">· in the grid: ✗ failed, = exact, ≥1 passed (bound below 1)</span></div>

<h2 id="worst-h">Worst ten <span class="mut">— least headroom first; click for the row, its worst case and how to reproduce it</span></h2>
{% if worst %}<ol class="worst" id="worst">
{%- for w in worst %}
<li><a class="row" href="#r{{ w.id }}" data-row="{{ w.id }}">{{ w.op }} · {{ w.check }} · {{ w.dtype }}</a>
<span class="sw {{ w.band }}">{{ w.headroom }}</span> <span class="mut">max rel err {{ w.max_rel }}{% if w.basis == "mismatch" %} · <span title="not a matter of magnitude: NaN/inf pattern, shape or dtype differ, or the check raised">mismatch</span>{% endif %}{% if w.errors %} · {{ w.errors }} raised{% endif %}</span></li>
{%- endfor %}
</ol>{% else %}<p class="mut">Every row is exact.</p>{% endif %}

<div class="ovs"><div>
<h2 id="families-h">By family <span class="mut">— click to filter</span></h2>
<div class="scroll"><table class="ov" id="families">
<thead><tr><th>family</th><th class="n">ops</th><th class="n">rows</th><th class="n">cases</th><th class="n">failing<br>rows</th>
<th class="n">least<br>headroom</th><th class="n">median<br>headroom</th><th>headroom<br>bands</th></tr></thead>
<tbody>
{%- for f in families %}
<tr><td><a class="f" data-family="{{ f.family }}" href="#ops-h">{{ f.family }}</a></td><td class="n">{{ f.n_ops }}</td><td class="n">{{ f.n_rows }}</td>
<td class="n">{{ f.n_cases }}</td><td class="n">{{ f.n_failed_rows }}</td><td class="n {{ f.min_band }}">{{ f.min_headroom }}</td>
<td class="n">{{ f.median_headroom }}</td><td>{{ f.bar|safe }}</td></tr>
{%- endfor %}
</tbody></table></div>

</div><div>
<h2 id="bycheck-h">By check <span class="mut">— click to filter; hover for what it compares</span></h2>
<div class="scroll"><table class="ov" id="bycheck">
<thead><tr><th>check</th><th>dtype</th><th class="n">ops</th><th class="n">cases</th><th class="n">failing<br>rows</th>
<th class="n">least<br>headroom</th><th class="n">median<br>headroom</th><th>headroom<br>bands</th></tr></thead>
<tbody>
{%- for c in checks %}
<tr><td><a class="f" data-check="{{ c.check }}" data-dtype="{{ c.dtype }}" href="#ops-h"{% if c.title %} title="{{ c.title }}"{% endif %}>{{ c.check }}</a></td><td>{{ c.dtype }}</td><td class="n">{{ c.n_ops }}</td><td class="n">{{ c.n_cases }}</td>
<td class="n">{{ c.n_failed_rows }}</td><td class="n {{ c.min_band }}">{{ c.min_headroom }}</td><td class="n">{{ c.median_headroom }}</td>
<td>{{ c.bar|safe }}</td></tr>
{%- endfor %}
</tbody></table></div>
</div></div>

<h2 id="defs-h">What each check compares <span class="mut">— refgrad against torch (or numerical derivatives, or itself); a failing Record is one comparison outside its tolerance</span></h2>
<div class="ovs" id="definitions">
{%- for g in defined %}
<div><h3>{{ g.title }} <span class="mut">({{ g.source }})</span></h3>
<div class="scroll"><table class="ov defs" data-group="{{ g.group }}">
<thead><tr><th>check</th><th>compares</th><th>dtypes here</th><th class="n">rows</th></tr></thead>
<tbody>
{%- for d in g["items"] %}
<tr><td class="c">{% for c in d.checks %}{% if not loop.first %}, {% endif %}<a class="f" data-check="{{ c }}" href="#ops-h">{{ c }}</a>{% endfor %}
{%- if d.qualifier %} <span class="mut">({{ d.qualifier }})</span>{% endif %}{% if d.label %}<span class="mut">{{ d.label }}</span>{% endif %}</td>
<td class="d">{{ d.compares }}</td><td class="c">{{ d.dtypes }}</td><td class="n">{{ d.n }}</td></tr>
{%- endfor %}
</tbody></table></div></div>
{%- endfor %}
</div>

{% if float32 %}
<h2 id="float32-h">float32 against the float64 truth</h2>
<p id="accuracy-headline">Each float32 case also ran in float64 through torch (the truth). Against it, refgrad's float32 is
<b>more accurate</b> than torch's on {{ float32.rows.more }} rows, <b>as accurate</b> on {{ float32.rows.same }} and
<b>less accurate</b> on {{ float32.rows.less }} (of {{ float32.n_rows }} float32 rows); by op: {{ float32.ops.more }} more,
{{ float32.ops.same }} same, {{ float32.ops.less }} less (of {{ float32.n_ops }}; an op is less accurate when one of its rows is).</p>
<div class="ovs">
{%- for kind, label in (("less", "refgrad less accurate than torch"), ("more", "refgrad more accurate than torch")) %}
<div><h3>{{ label }} ({{ float32[kind]|length }})</h3>
{% if float32[kind] %}<div class="box" style="max-height:360px"><table class="ov" id="acc-{{ kind }}">
<thead><tr><th>op</th><th>check</th><th class="n">refgrad err</th><th class="n">torch err</th><th class="n">ratio</th></tr></thead>
<tbody>
{%- for a in float32[kind] %}
<tr><td class="opn"><a class="row" href="#r{{ a.id }}" data-row="{{ a.id }}">{{ a.op }}</a></td><td>{{ a.check }}</td><td class="n">{{ a.ours }}</td><td class="n">{{ a.theirs }}</td><td class="n">{{ a.ratio }}</td></tr>
{%- endfor %}
</tbody></table></div>{% else %}<p class="mut">none</p>{% endif %}</div>
{%- endfor %}
</div>
<p class="mut">Errors are the largest relative errors of the float32 results against the float64 truth (refgrad's, torch's), and
ratio = refgrad's / torch's.</p>
{% endif %}

<div class="ctl" id="controls">
<input id="q" type="search" placeholder="filter ops: exp sum …  (=exp: exact name)" aria-label="filter ops">
<select id="f-family" aria-label="family"><option value="">all families</option>
{%- for f in families %}<option>{{ f.family }}</option>{% endfor %}</select>
<select id="f-check" aria-label="check"><option value="">all checks</option>
{%- for c in check_names %}<option>{{ c }}</option>{% endfor %}</select>
<select id="f-dtype" aria-label="dtype"><option value="">all dtypes</option>
{%- for d in dtype_names %}<option>{{ d }}</option>{% endfor %}</select>
<select id="f-status" aria-label="headroom"><option value="5">any headroom</option><option value="0">failing</option>
<option value="1">headroom &lt; 3</option><option value="2">headroom &lt; 10</option><option value="3">headroom &lt; 100</option>
<option value="4">not exact</option></select>
<span id="shown"></span>
</div>

<h2 id="ops-h">Ops at a glance <span class="mut">— least headroom per check · dtype; click an op for its rows, a column to sort</span></h2>
<div class="box" id="matrix-box"><table class="mx" id="matrix">
<thead><tr><th class="op" data-t="s">op</th><th class="op" data-t="s">family</th><th data-t="n" title="the op's least headroom over all its rows">least</th>
{%- for c, d, t in columns %}<th data-t="n"{% if t %} title="{{ t }}"{% endif %}>{{ c|replace("_", "_\u200b") }}<br><span class="mut">{{ d }}</span></th>{% endfor %}</tr></thead>
<tbody>
{%- for m in matrix %}
<tr data-op="{{ m.op }}" data-f="{{ m.family }}" data-b="{{ m.b }}"><td class="op"><a>{{ m.op_html }}</a></td><td class="op mut">{{ m.family }}</td><td class="{{ m.least_band }}" data-v="{{ m.least_v }}">{{ m.least }}</td>
{%- for c in m.cells %}{% if c %}<td class="{{ c.band }}" data-v="{{ c.hv }}" title="{{ c.title }}">{{ c.text }}</td>{% else %}<td class="na" data-v="inf">·</td>{% endif %}{% endfor %}</tr>
{%- endfor %}
</tbody></table></div>

<h2 id="checks-h">All checks <span class="mut">— one row per op · check · dtype; click a column to sort, a worst case for how to reproduce it</span></h2>
<div class="box" id="checks-box"><table class="dt" id="checks">
<thead><tr><th data-t="s">op</th><th data-t="s">family</th><th data-t="s">check</th><th data-t="s">dtype</th>
<th class="n" data-t="n" title="tolerance over worst error; the basis in the cell's tooltip">headroom</th>
<th class="n" data-t="n" title="{% if totals.shrink %}Hypothesis examples outside shrinking (failed); records made while shrinking beside{% else %}check executions (failed){% endif %}">cases</th><th class="n" data-t="n">max rel err</th>
<th class="n" data-t="n">median rel</th><th class="n" data-t="n">p99 rel</th><th class="n" data-t="n">max abs err</th>
<th class="n" data-t="n">max ulp</th><th class="n" data-t="n">rtol</th><th class="n" data-t="n">atol</th>
{%- if has_truth %}
<th class="n" data-t="n" title="float32 only: refgrad's largest relative error against the float64 truth">refgrad vs<br>f64 truth</th>
<th class="n" data-t="n" title="float32 only: torch's largest relative error against the float64 truth">torch vs<br>f64 truth</th>
{%- endif %}
<th data-t="n" title="x: each case's max rel err, one bar per decade (first, blue bar: exactly 0; ≥1 and inf in the last); bar height: number of cases, scaled to the row's tallest bar; red line: rtol" class="hgh">cases per decade of rel err{{ axis|safe }}</th>
<th data-t="s" title="the case with the least headroom: input shapes · non-tensor arguments · seed; click for its inputs and the command that reproduces it">worst case</th></tr></thead>
<tbody>
{%- for r in rows %}
<tr id="r{{ r.id }}" data-op="{{ r.op }}" data-f="{{ r.family }}" data-c="{{ r.check }}" data-d="{{ r.dtype }}" data-b="{{ r.b }}"{% if r.bad %} class="bad"{% endif %}>
<td><a class="op">{{ r.op_html }}</a></td><td>{{ r.family }}</td><td>{{ r.check }}</td><td>{{ r.dtype }}</td>
<td class="n h {{ r.band }}" data-v="{{ r.hv }}" title="{{ r.basis }}">{{ r.headroom }}</td><td class="n"{% if r.cases_title %} title="{{ r.cases_title }}"{% endif %}>{{ r.cases }}{% if r.cases_extra %}<small class="x">{{ r.cases_extra }}</small>{% endif %}</td>
<td class="n">{{ r.max_rel }}</td><td class="n">{{ r.med_rel }}</td><td class="n">{{ r.p99_rel }}</td><td class="n">{{ r.max_abs }}</td>
<td class="n">{{ r.max_ulp }}</td><td class="n">{{ r.rtol }}</td><td class="n">{{ r.atol }}</td>
{%- if has_truth %}<td class="n"{% if r.accuracy %} title="refgrad {{ r.accuracy }} accurate than torch{% if r.accuracy == 'same' %} (as accurate){% endif %}"{% endif %}>{{ r.truth }}</td><td class="n">{{ r.torch_truth }}</td>{% endif %}
<td data-v="{{ r.max_rel_v }}">{{ r.svg|safe }}</td><td class="w">{{ r.worst }}</td></tr>
{%- endfor %}
</tbody></table></div>

<footer>
<h2 id="how-h">How to read this</h2>
<p>Each row aggregates the check executions (Records) of one op, check and dtype. A comparison passes when every
element satisfies <code>|a − e| ≤ atol + rtol·|e|</code>. <b>Headroom</b> is the factor by which the errors could grow and
still pass. From a Record's maxima it is bounded below by <code>max(atol / max_abs_err, rtol / max_rel_err)</code>;
a passed Record counts at least 1 (basis <i>floor</i> when the bound alone says less), a failed one less than 1
(0 with basis <i>mismatch</i> when the failure is a NaN/inf pattern, shape or dtype rather than a magnitude, or the
check raised). The row's headroom is the least over its Records; the worst case is that Record. <b>exact</b>: bitwise
equal results. p99 is the nearest-rank 99th percentile of the Records' max rel err. The same numbers are in
<code>summary.csv</code> (per row) and <code>records.csv</code> (per check execution).</p>
<p><b>Reproducing a case</b>: click a row's worst case for the pytest command that re-runs its test. {{ replay }}</p>
<p>Built by <code>oracle.report</code>: <code>refgrad-report build records.csv</code> rebuilds this page and summary.csv;
<code>refgrad-report diff OLD NEW</code> lists what got worse between two runs.</p>
</footer>
</main>
<script type="application/json" id="worst-data">{{ details|safe }}</script>
<template id="detail-tpl"><tr class="detail"><td><div class="in">
<p><b>Worst case</b> <span class="what"></span></p>
<p class="cmd">Reproduce: <code></code><button type="button">copy</button></p>
<p class="nocmd mut">No pytest node id was recorded for this case (records written before Records had a test field):
run the test of this op, check and dtype.</p>
<p class="mut">{{ replay }}</p>
<p class="inputs">Inputs: <code></code></p>
<p class="note">Note: <span></span></p>
</div></td></tr></template>
<script>
(function () {
  "use strict";
  var $ = function (s) { return document.querySelector(s); };
  var table = $("#checks"), tbody = table.tBodies[0], rows = Array.prototype.slice.call(tbody.rows);
  var mrows = Array.prototype.slice.call($("#matrix tbody").rows);
  var details = JSON.parse($("#worst-data").textContent);
  var q = $("#q"), fam = $("#f-family"), chk = $("#f-check"), dt = $("#f-dtype"), st = $("#f-status");
  function terms() {
    return q.value.trim().toLowerCase().split(/[\s,|]+/).filter(function (t) { return t; });
  }
  function opMatch(op, ts) {
    if (!ts.length) return true;
    op = op.toLowerCase();
    return ts.some(function (t) { return t.charAt(0) === "=" ? op === t.slice(1) : op.indexOf(t) >= 0; });
  }
  function closeDetails() {
    Array.prototype.slice.call(tbody.querySelectorAll("tr.detail")).forEach(function (d) { d.remove(); });
  }
  function apply() {
    closeDetails();
    var ts = terms(), f = fam.value, c = chk.value, d = dt.value, s = +st.value, n = 0, ops = {};
    rows.forEach(function (r) {
      var ds = r.dataset;
      var on = opMatch(ds.op, ts) && (!f || ds.f === f) && (!c || ds.c === c) && (!d || ds.d === d) && +ds.b <= s;
      r.classList.toggle("hide", !on);
      if (on) { n++; ops[ds.op] = 1; }
    });
    var m = 0;
    mrows.forEach(function (r) {
      var on = !!ops[r.dataset.op];
      r.classList.toggle("hide", !on);
      if (on) m++;
    });
    $("#shown").textContent = n + " of " + rows.length + " rows · " + m + " of " + mrows.length + " ops";
    document.body.setAttribute("data-shown", n);
    var h = [];
    [["q", q.value.trim()], ["family", f], ["check", c], ["dtype", d], ["status", s === 5 ? "" : String(s)]]
      .forEach(function (p) { if (p[1]) h.push(p[0] + "=" + encodeURIComponent(p[1])); });
    // the filters live in the hash; a plain section or row anchor there is left alone
    if (history.replaceState && (h.length || location.hash.indexOf("=") >= 0))
      history.replaceState(null, "", h.length ? "#" + h.join("&") : location.pathname + location.search);
  }
  function fromHash() {
    location.hash.slice(1).split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
      var el = { q: q, family: fam, check: chk, dtype: dt, status: st }[k];
      if (i > 0 && el) el.value = v;
    });
  }
  function clearFilters() { q.value = ""; fam.value = ""; chk.value = ""; dt.value = ""; st.value = "5"; }
  var timer = null;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
  [fam, chk, dt, st].forEach(function (el) { el.addEventListener("change", apply); });
  function show(op) {
    q.value = "=" + op; fam.value = ""; apply();
    $("#checks-h").scrollIntoView();
  }
  // the worst case of a row: what it was, the command that replays it, its inputs
  function openDetail(tr) {
    var next = tr.nextElementSibling;
    if (next && next.classList.contains("detail")) { next.remove(); return null; }
    var d = details[+tr.id.slice(1)] || ["", "", ""];
    var row = $("#detail-tpl").content.firstElementChild.cloneNode(true);
    row.cells[0].colSpan = tr.cells.length;
    var ds = tr.dataset, what = tr.cells[tr.cells.length - 1].textContent;
    row.querySelector(".what").textContent = ds.op + " · " + ds.c + " · " + ds.d + (what ? ": " + what : "");
    row.querySelector(".cmd code").textContent = d[0];
    row.querySelector(d[0] ? ".nocmd" : ".cmd").remove();
    if (d[1]) row.querySelector(".inputs code").textContent = d[1]; else row.querySelector(".inputs").remove();
    if (d[2]) row.querySelector(".note span").textContent = d[2]; else row.querySelector(".note").remove();
    var button = row.querySelector("button");
    if (button) button.addEventListener("click", function () {
      var code = row.querySelector(".cmd code");
      function done(ok) { button.textContent = ok ? "copied" : "select and copy"; }
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(d[0]).then(function () { done(true); }, function () { done(false); });
      else { var range = document.createRange(); range.selectNodeContents(code); var sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); done(document.execCommand && document.execCommand("copy")); }
    });
    tr.after(row);
    return row;
  }
  function showRow(id) {
    var tr = document.getElementById("r" + id);
    if (!tr) return;
    if (tr.classList.contains("hide")) { clearFilters(); apply(); }
    rows.forEach(function (r) { r.classList.remove("hl"); });
    tr.classList.add("hl");
    var next = tr.nextElementSibling;
    if (!(next && next.classList.contains("detail"))) openDetail(tr);
    tr.scrollIntoView({ block: "center" });
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-row]");
    if (a) { e.preventDefault(); showRow(a.getAttribute("data-row")); }
  });
  tbody.addEventListener("click", function (e) {
    var w = e.target.closest("td.w");
    if (w) { openDetail(w.parentNode); return; }
    var a = e.target.closest("a.op");
    if (a) show(a.textContent);
  });
  $("#matrix tbody").addEventListener("click", function (e) {
    var a = e.target.closest("a"); if (a) show(a.textContent);
  });
  function filterLink(e) {
    var a = e.target.closest("a.f");
    if (!a) return;
    e.preventDefault();
    if (a.hasAttribute("data-family")) fam.value = a.getAttribute("data-family");
    if (a.hasAttribute("data-check")) chk.value = a.getAttribute("data-check");
    if (a.hasAttribute("data-dtype")) dt.value = a.getAttribute("data-dtype");
    apply();
    $("#ops-h").scrollIntoView();
  }
  ["#families", "#bycheck", "#definitions"].forEach(function (s) { $(s).addEventListener("click", filterLink); });
  // sorting: numbers from data-v or the cell text ("exact" = Infinity), strings otherwise
  function key(cell, numeric) {
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (!numeric) return v.toLowerCase();
    var x = parseFloat(v);
    return isNaN(x) ? (v === "exact" || v === "inf" || v === "=" ? Infinity : -Infinity) : x;
  }
  function sortable(tab, before) {
    var heads = Array.prototype.slice.call(tab.tHead.rows[0].cells), body = tab.tBodies[0];
    var order = Array.prototype.slice.call(body.rows);
    heads.forEach(function (th, i) {
      if (!th.hasAttribute("data-t")) return;
      th.addEventListener("click", function () {
        if (before) before();
        var numeric = th.getAttribute("data-t") === "n", asc = !th.classList.contains("asc");
        heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var keyed = order.map(function (r, j) { return [key(r.cells[i], numeric), j, r]; });
        keyed.sort(function (a, b) {
          var c = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
          return (asc ? c : -c) || a[1] - b[1];
        });
        var frag = document.createDocumentFragment();
        keyed.forEach(function (k) { frag.appendChild(k[2]); });
        body.appendChild(frag);
      });
    });
  }
  sortable(table, closeDetails);
  sortable($("#matrix"));
  var ctl = $("#controls");
  function ctlHeight() { document.documentElement.style.setProperty("--ctl", ctl.offsetHeight + "px"); }
  window.addEventListener("resize", ctlHeight);
  ctlHeight();
  fromHash();
  apply();
  var target = /^#r(\d+)$/.exec(location.hash);
  if (target) showRow(target[1]);
  document.body.setAttribute("data-ready", "1");
})();
</script>
</body>
</html>
"""
