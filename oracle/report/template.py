"""The Jinja2 template of index.html: one self-contained page (inline CSS, inline SVG, a little vanilla JS; no
network access). Kept as a Python string so that it ships with the package without package-data rules."""

TEMPLATE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>refgrad error report</title>
<style>
:root{--fg:#1d2330;--mut:#5d6677;--line:#e3e6ec;--bg:#fff;--head:#f5f6f8;
--b-failed:#f9c9c9;--b-tight:#fbdcae;--b-low:#f7efb4;--b-ok:#dff1d2;--b-good:#c4e6b8;--b-exact:#cfe3f6}
*{box-sizing:border-box}
body{margin:0;font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1500px;margin:0 auto;padding:18px 24px 40px}
h1{font-size:22px;margin:0 0 2px}
h2{font-size:16px;margin:26px 0 8px}
p{margin:4px 0}
.mut{color:var(--mut)}
.meta{display:flex;flex-wrap:wrap;gap:4px 18px;margin:10px 0 4px;padding:8px 12px;background:var(--head);border-radius:6px}
.meta b{font-weight:600;margin-right:4px}
.tot{display:flex;gap:10px;margin:12px 0 0;flex-wrap:wrap}
.tot div{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:110px}
.tot div b{display:block;font-size:18px}
.tot div.bad{border-color:#e5484d;background:#fdeeee}
.legend{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:8px 0}
.sw{display:inline-block;padding:1px 8px;border-radius:3px;font-size:12px}
.failed{background:var(--b-failed)}.tight{background:var(--b-tight)}.low{background:var(--b-low)}
.ok{background:var(--b-ok)}.good{background:var(--b-good)}.exact{background:var(--b-exact)}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:var(--head);font-weight:600;font-size:12px}
td.n,th.n{text-align:right}
.ov td{padding:4px 10px}
.bar{display:flex;width:220px;height:12px;border-radius:3px;overflow:hidden;background:var(--line)}
.bar span{display:block;height:100%}
.ctl{position:sticky;top:0;z-index:3;background:var(--bg);display:flex;flex-wrap:wrap;gap:8px;align-items:center;
padding:10px 0;border-bottom:1px solid var(--line)}
.ctl input,.ctl select{font:inherit;padding:4px 6px;border:1px solid #c5cad3;border-radius:4px;background:#fff}
.ctl input{width:300px}
#shown{margin-left:auto;color:var(--mut)}
.mx td{padding:2px 4px;text-align:center;font-size:12px;min-width:52px;border:1px solid #fff}
.mx td.op,.mx th.op{text-align:left;min-width:0}
.mx th{white-space:normal;max-width:80px;text-align:center;position:sticky;top:var(--ctl,46px);z-index:2}
.mx td.na{background:#fafbfc;color:#b8bdc7}
.mx a,.dt a{color:inherit;text-decoration:none;border-bottom:1px dotted #8a93a3;cursor:pointer}
.dt{width:100%}
.dt thead th{position:sticky;top:var(--ctl,46px);z-index:2;cursor:pointer;user-select:none}
.dt thead th:hover{background:#e9ecf1}
.dt th.asc:after{content:" \25B2";font-size:9px}.dt th.desc:after{content:" \25BC";font-size:9px}
.dt td.h{font-weight:600}
.dt td.w{max-width:250px;overflow:hidden;text-overflow:ellipsis;color:var(--mut)}
.dt th,.dt td{padding:3px 6px}
.dt tr.bad td:not(.h){background:#fff3f3}
.dt tr:hover td:not(.h){background:#eef2f8}
svg.hg{display:block;width:95px;height:16px;border-bottom:1px solid #cfd4dc}
svg.hg path{fill:#7b8aa3}svg.hg path.z{fill:#b5d3ee}svg.hg path.o{fill:#e08a2c}svg.hg path.t{stroke:#d12f35;stroke-width:1;fill:none}
.hide{display:none}
.scroll{overflow-x:auto}
.ovs{display:flex;flex-wrap:wrap;gap:0 28px}
.ovs .bar{width:110px}
.ov td,.ov th{padding:3px 7px}
.ov th{vertical-align:bottom}
footer{margin-top:30px;color:var(--mut);max-width:1000px}
code{white-space:nowrap;font-size:12px;background:var(--head);padding:0 3px;border-radius:3px}
</style>
</head>
<body data-rows="{{ rows|length }}">
<main>
<h1>refgrad error report</h1>
<p class="mut">How far refgrad is from PyTorch and from numerical derivatives, per op, check and dtype.
Headroom = how many times larger the worst error could be and still pass its tolerance (definition at the bottom).</p>
<div class="meta" id="meta">
{%- for k, v in meta_items %}<span><b>{{ k }}</b>{{ v }}</span>{% endfor -%}
</div>
{% if meta_note %}<p class="mut">{{ meta_note }}</p>{% endif %}
<div class="tot">
<div><b>{{ totals.ops }}</b>ops</div>
<div><b>{{ totals.rows }}</b>op · check · dtype rows</div>
<div><b>{{ totals.cases }}</b>check executions</div>
<div{% if totals.failed %} class="bad"{% endif %}><b>{{ totals.failed }}</b>rows failing</div>
<div><b>{{ totals.min_headroom }}</b>least headroom</div>
</div>
<div class="legend"><span class="mut">headroom:</span>
{%- for b, label in bands %} <span class="sw {{ b }}">{{ label }}</span>{% endfor %}
<span class="mut">· in the grid: ✗ failed, = exact, ≥1 passed (bound below 1)</span></div>

<div class="ovs"><div>
<h2>By family</h2>
<div class="scroll"><table class="ov" id="families">
<thead><tr><th>family</th><th class="n">ops</th><th class="n">rows</th><th class="n">cases</th><th class="n">failing<br>rows</th>
<th class="n">least<br>headroom</th><th class="n">median<br>headroom</th><th>headroom<br>bands</th></tr></thead>
<tbody>
{%- for f in families %}
<tr><td><a data-family="{{ f.family }}">{{ f.family }}</a></td><td class="n">{{ f.n_ops }}</td><td class="n">{{ f.n_rows }}</td>
<td class="n">{{ f.n_cases }}</td><td class="n">{{ f.n_failed_rows }}</td><td class="n {{ f.min_band }}">{{ f.min_headroom }}</td>
<td class="n">{{ f.median_headroom }}</td><td>{{ f.bar|safe }}</td></tr>
{%- endfor %}
</tbody></table></div>

</div><div>
<h2>By check</h2>
<div class="scroll"><table class="ov" id="bycheck">
<thead><tr><th>check</th><th>dtype</th><th class="n">ops</th><th class="n">cases</th><th class="n">failing<br>rows</th>
<th class="n">least<br>headroom</th><th class="n">median<br>headroom</th><th>headroom<br>bands</th></tr></thead>
<tbody>
{%- for c in checks %}
<tr><td>{{ c.check }}</td><td>{{ c.dtype }}</td><td class="n">{{ c.n_ops }}</td><td class="n">{{ c.n_cases }}</td>
<td class="n">{{ c.n_failed_rows }}</td><td class="n {{ c.min_band }}">{{ c.min_headroom }}</td><td class="n">{{ c.median_headroom }}</td>
<td>{{ c.bar|safe }}</td></tr>
{%- endfor %}
</tbody></table></div>
</div></div>

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

<h2 id="ops-h">Ops at a glance <span class="mut">— least headroom per check · dtype; click an op for its rows</span></h2>
<table class="mx" id="matrix">
<thead><tr><th class="op">op</th><th class="op">family</th>{% for c, d in columns %}<th>{{ c|replace("_", "_\u200b") }}<br><span class="mut">{{ d }}</span></th>{% endfor %}</tr></thead>
<tbody>
{%- for m in matrix %}
<tr data-op="{{ m.op }}" data-f="{{ m.family }}" data-b="{{ m.b }}"><td class="op"><a>{{ m.op }}</a></td><td class="op mut">{{ m.family }}</td>
{%- for c in m.cells %}{% if c %}<td class="{{ c.band }}" title="{{ c.title }}">{{ c.text }}</td>{% else %}<td class="na">·</td>{% endif %}{% endfor %}</tr>
{%- endfor %}
</tbody></table>

<h2 id="checks-h">All checks <span class="mut">— one row per op · check · dtype; click a column to sort</span></h2>
<table class="dt" id="checks">
<thead><tr><th data-t="s">op</th><th data-t="s">family</th><th data-t="s">check</th><th data-t="s">dtype</th>
<th class="n" data-t="n" title="check executions (failed)">cases</th><th class="n" data-t="n">max rel err</th>
<th class="n" data-t="n">median rel</th><th class="n" data-t="n">p99 rel</th><th class="n" data-t="n">max abs err</th>
<th class="n" data-t="n">max ulp</th><th class="n" data-t="n">rtol</th><th class="n" data-t="n">atol</th>
<th class="n" data-t="n" title="tolerance over worst error; the basis in the cell's tooltip">headroom</th>
<th data-t="n" title="cases per decade of max rel err, 1e-17 … ≥1; first (blue) bar: exactly 0; red line: rtol">rel err per case</th>
<th data-t="s" title="the case with the least headroom: input shapes · non-tensor arguments · seed; its input values (when small) in summary.csv">worst case</th></tr></thead>
<tbody>
{%- for r in rows %}
<tr data-op="{{ r.op }}" data-f="{{ r.family }}" data-c="{{ r.check }}" data-d="{{ r.dtype }}" data-b="{{ r.b }}"{% if r.bad %} class="bad"{% endif %}>
<td>{{ r.op }}</td><td>{{ r.family }}</td><td>{{ r.check }}</td><td>{{ r.dtype }}</td><td class="n">{{ r.cases }}</td>
<td class="n">{{ r.max_rel }}</td><td class="n">{{ r.med_rel }}</td><td class="n">{{ r.p99_rel }}</td><td class="n">{{ r.max_abs }}</td>
<td class="n">{{ r.max_ulp }}</td><td class="n">{{ r.rtol }}</td><td class="n">{{ r.atol }}</td>
<td class="n h {{ r.band }}" data-v="{{ r.hv }}" title="{{ r.basis }}">{{ r.headroom }}</td>
<td data-v="{{ r.max_rel_v }}">{{ r.svg|safe }}</td><td class="w"{% if r.worst_title %} title="{{ r.worst_title }}"{% endif %}>{{ r.worst }}</td></tr>
{%- endfor %}
</tbody></table>

<footer>
<h2>How to read this</h2>
<p>Each row aggregates the check executions (Records) of one op, check and dtype. A comparison passes when every
element satisfies <code>|a − e| ≤ atol + rtol·|e|</code>. <b>Headroom</b> is the factor by which the errors could grow and
still pass. From a Record's maxima it is bounded below by <code>max(atol / max_abs_err, rtol / max_rel_err)</code>;
a passed Record counts at least 1 (basis <i>floor</i> when the bound alone says less), a failed one less than 1
(0 with basis <i>mismatch</i> when the failure is a NaN/inf pattern, shape or dtype rather than a magnitude).
The row's headroom is the least over its Records; the worst case is that Record. <b>exact</b>: bitwise equal results.
p99 is the nearest-rank 99th percentile of the Records' max rel err. The same numbers are in
<code>summary.csv</code> (per row) and <code>records.csv</code> (per check execution).</p>
<p>Built by <code>oracle.report</code>: <code>refgrad-report build records.csv</code> rebuilds this page and summary.csv;
<code>refgrad-report diff OLD NEW</code> lists what got worse between two runs.</p>
</footer>
</main>
<script>
(function () {
  "use strict";
  var $ = function (s) { return document.querySelector(s); };
  var tbody = $("#checks tbody"), rows = Array.prototype.slice.call(tbody.rows);
  var mrows = Array.prototype.slice.call($("#matrix tbody").rows);
  var q = $("#q"), fam = $("#f-family"), chk = $("#f-check"), dt = $("#f-dtype"), st = $("#f-status");
  function terms() {
    return q.value.trim().toLowerCase().split(/[\s,|]+/).filter(function (t) { return t; });
  }
  function opMatch(op, ts) {
    if (!ts.length) return true;
    op = op.toLowerCase();
    return ts.some(function (t) { return t.charAt(0) === "=" ? op === t.slice(1) : op.indexOf(t) >= 0; });
  }
  function apply() {
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
    if (history.replaceState) history.replaceState(null, "", h.length ? "#" + h.join("&") : location.pathname);
  }
  function fromHash() {
    location.hash.slice(1).split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
      var el = { q: q, family: fam, check: chk, dtype: dt, status: st }[k];
      if (i > 0 && el) el.value = v;
    });
  }
  var timer = null;
  q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
  [fam, chk, dt, st].forEach(function (el) { el.addEventListener("change", apply); });
  function show(op) {
    q.value = "=" + op; fam.value = ""; apply();
    $("#checks-h").scrollIntoView();
  }
  $("#matrix tbody").addEventListener("click", function (e) {
    var a = e.target.closest("a"); if (a) show(a.textContent);
  });
  $("#families tbody").addEventListener("click", function (e) {
    var a = e.target.closest("a[data-family]");
    if (a) { fam.value = a.getAttribute("data-family"); apply(); $("#ops-h").scrollIntoView(); }
  });
  // sorting: numbers from data-v or the cell text ("exact" = Infinity), strings otherwise
  var heads = Array.prototype.slice.call($("#checks thead").rows[0].cells), order = rows.slice();
  function key(cell, numeric) {
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (!numeric) return v.toLowerCase();
    var x = parseFloat(v);
    return isNaN(x) ? (v === "exact" || v === "inf" ? Infinity : -Infinity) : x;
  }
  heads.forEach(function (th, i) {
    th.addEventListener("click", function () {
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
      tbody.appendChild(frag);
    });
  });
  var ctl = $("#controls");
  function ctlHeight() { document.documentElement.style.setProperty("--ctl", ctl.offsetHeight + "px"); }
  window.addEventListener("resize", ctlHeight);
  ctlHeight();
  fromHash();
  apply();
  document.body.setAttribute("data-ready", "1");
})();
</script>
</body>
</html>
"""
