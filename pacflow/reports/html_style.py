"""The report page's style sheet, inlined into every HTML report.

System fonts only, no image and no `url(`: the page is one self-contained file. States are
told apart by shape and pattern as well as colour (solid, hollow, half, hatched, dashed,
struck through), so a black-and-white print stays readable; `print-color-adjust: exact`
keeps fills and patterns when printing.
"""

from __future__ import annotations

CSS = """
:root {
  --ink: #1c2330; --muted: #5d6676; --line: #d8dde6; --soft: #f3f5f8; --paper: #fff;
  --accent: #1f3f73; --done: #2e7d4f; --plan: #2b5fad; --late: #c0392b;
  --cancel: #8b929c; --blocked: #b7791f; --label: 40%;
}
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
html { background: #e9edf2; }
body {
  margin: 24px auto; max-width: 1320px; padding: 28px 36px 36px; background: var(--paper);
  color: var(--ink); box-shadow: 0 1px 4px rgba(0, 0, 0, .15);
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    sans-serif;
}
h1, h2, h3, h4 { margin: 0; line-height: 1.2; }
h1 { font-size: 24px; color: var(--accent); }
h1 small { font-weight: 400; color: var(--muted); font-size: 18px; }
h2 {
  font-size: 17px; margin: 26px 0 10px; padding-bottom: 4px; color: var(--accent);
  border-bottom: 2px solid var(--accent);
}
h3 { font-size: 14px; margin: 16px 0 6px; }
h4 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); }
p { margin: 4px 0; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); }
.facts { color: var(--muted); margin-top: 6px; }
.team { color: var(--muted); font-size: 11px; margin-top: 4px; }
.rationale { font-style: italic; color: var(--muted); }
.key { font-weight: 700; white-space: nowrap; }
.muted { color: var(--muted); }
.small { font-size: 11px; }
.doc-head { border-bottom: 3px solid var(--accent); padding-bottom: 12px; }

/* key figures */
.kpis { display: flex; gap: 12px; margin: 14px 0 4px; flex-wrap: wrap; }
.kpi { flex: 1 1 150px; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.kpi b { display: block; font-size: 20px; }
.kpi span { color: var(--muted); font-size: 11px; }
.kpi.alert b { color: var(--late); }

/* progress meters: the number is always written next to the bar */
.meter {
  position: relative; display: inline-block; vertical-align: middle; width: 120px;
  height: 10px; border: 1px solid var(--ink); border-radius: 2px; background: var(--paper);
}
.meter > span { position: absolute; left: 0; top: 0; bottom: 0; background: var(--done); }
.meter > i {
  position: absolute; top: -3px; bottom: -3px; width: 0; border-left: 2px solid var(--late);
}
.meter-text { display: inline-block; min-width: 92px; margin-left: 6px; font-size: 11px; }

/* tables */
table { width: 100%; border-collapse: collapse; margin: 4px 0 10px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left;
  vertical-align: top; }
thead th { background: var(--soft); font-size: 11px; text-transform: uppercase;
  letter-spacing: .04em; color: var(--muted); border-bottom: 1.5px solid var(--ink); }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.steps { table-layout: fixed; }
.steps th:nth-child(1) { width: 6%; } .steps th:nth-child(2) { width: 43%; }
.steps th:nth-child(3) { width: 9%; } .steps th:nth-child(4) { width: 14%; }
.steps th:nth-child(5) { width: 16%; } .steps th:nth-child(6) { width: 12%; }
.target-head { border-left: 4px solid var(--accent); padding-left: 8px; margin-top: 22px; }
.means { display: block; color: var(--muted); font-size: 11px; }

/* state chips: glyph + word, so colour is never the only cue */
.chip { display: inline-block; white-space: nowrap; font-size: 11px; padding: 0 5px;
  border-radius: 3px; border: 1px solid currentColor; }
.chip.s-done { color: var(--done); } .chip.s-planned { color: var(--plan); }
.chip.s-in_progress { color: var(--plan); font-weight: 600; }
.chip.s-late { color: var(--late); font-weight: 700; border-width: 2px; }
.chip.s-blocked { color: var(--blocked); font-weight: 600; }
.chip.s-cancelled { color: var(--cancel); text-decoration: line-through; border-style: dashed; }

/* the timeline */
.gantt { table-layout: fixed; }
.gantt td, .gantt th { padding: 2px 6px; vertical-align: middle; }
.gantt .g-key { width: 5%; } .gantt .g-who { width: 5%; } .gantt .g-state { width: 10%; }
.gantt .g-title { width: 29%; font-size: 11px; }
.gantt .g-lane { width: 51%; padding: 0; }
.gantt thead th { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.gantt tr.group th { background: var(--paper); color: var(--accent); font-size: 12px;
  text-transform: none; letter-spacing: 0; padding-top: 10px;
  border-bottom: 1.5px solid var(--accent); }
.gantt tr.participant .g-title, .gantt tr.participant .g-key { color: var(--muted); }
.lane { position: relative; height: 22px; }
.months .lane { height: 20px; }
.lane .m { position: absolute; top: 0; bottom: 0; width: 0; border-left: 1px solid var(--line); }
.months .lane .mlabel { position: absolute; top: 3px; text-align: center; font-size: 11px;
  color: var(--muted); text-transform: none; letter-spacing: 0; }
.lane .now { position: absolute; top: -2px; bottom: -2px; width: 0;
  border-left: 2px dashed var(--late); z-index: 3; }
.bar { position: absolute; top: 6px; height: 10px; min-width: 7px; border: 1.5px solid;
  border-radius: 2px; z-index: 1; }
.ms { position: absolute; top: 6px; width: 10px; height: 10px; margin-left: -5px;
  border: 1.5px solid; transform: rotate(45deg); z-index: 2; }
.run { position: absolute; top: 10px; height: 0; border-top: 2px solid; z-index: 1; }
.dot { position: absolute; top: 7px; width: 8px; height: 8px; margin-left: -4px;
  border-radius: 50%; border: 1.5px solid var(--done); background: var(--done); z-index: 2; }
.dot.v-planned { background: var(--paper); border-color: var(--plan); }
.dot.v-overdue { border-radius: 0; border: 2px solid var(--late); background: var(--paper); }
.dot.v-cancelled { border: 0; background: none; border-radius: 0; width: 8px; height: 8px; }
.dot.holiday { box-shadow: 0 0 0 2px var(--late); }
.dot.v-cancelled::before, .dot.v-cancelled::after { content: ""; position: absolute; left: 3px;
  top: -1px; height: 10px; border-left: 2px solid var(--cancel); }
.dot.v-cancelled::before { transform: rotate(45deg); }
.dot.v-cancelled::after { transform: rotate(-45deg); }

.s-done.bar, .s-done.ms { background: var(--done); border-color: var(--done); }
.s-planned.bar, .s-planned.ms { background: var(--paper); border-color: var(--plan); }
.s-in_progress.bar, .s-in_progress.ms {
  background: linear-gradient(to right, var(--plan) 50%, var(--paper) 50%);
  border-color: var(--plan); }
.s-late.bar, .s-late.ms {
  background: repeating-linear-gradient(45deg, var(--late) 0 2px, var(--paper) 2px 5px);
  border: 2px solid var(--late); }
.s-blocked.bar, .s-blocked.ms {
  background: repeating-linear-gradient(90deg, var(--blocked) 0 2px, var(--paper) 2px 5px);
  border-color: var(--blocked); }
.s-cancelled.bar, .s-cancelled.ms { background: var(--paper); border: 1.5px dashed var(--cancel); }
.s-cancelled.bar::after { content: ""; position: absolute; left: -3px; right: -3px; top: 3px;
  border-top: 1.5px solid var(--cancel); }
.run.s-done { border-top-color: var(--done); }
.run.s-planned { border-top: 2px dashed var(--plan); }
.run.s-in_progress { border-top-color: var(--plan); }
.run.s-late { border-top: 3px double var(--late); top: 9px; }
.run.s-blocked { border-top: 2px dashed var(--blocked); }
.run.s-cancelled { border-top: 2px dotted var(--cancel); }

/* legend */
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 11px; color: var(--muted);
  margin: 6px 0 8px; }
.legend .item { display: inline-flex; align-items: center; gap: 6px; }
.legend .lane { display: inline-block; width: 30px; height: 22px; }
.legend .lane .bar { left: 2px; width: 26px; }
.legend .lane .ms, .legend .lane .dot { left: 15px; }
.legend .lane .now { left: 15px; }

/* visits per month */
.vchart { table-layout: fixed; }
.vchart td { text-align: center; border: 0; padding: 0 2px; vertical-align: bottom; }
.vchart .col { display: flex; flex-direction: column-reverse; align-items: stretch;
  height: 70px; margin: 0 auto; width: 60%; }
.vchart .seg { border: 1px solid var(--ink); border-bottom-width: 0; }
.vchart .seg:first-child { border-bottom-width: 1px; }
.vchart .seg.v-held { background: var(--done); border-color: var(--done); }
.vchart .seg.v-planned { background: var(--paper); border-color: var(--plan); }
.vchart .seg.v-overdue { border-color: var(--late);
  background: repeating-linear-gradient(45deg, var(--late) 0 2px, var(--paper) 2px 5px); }
.vchart .seg.v-cancelled { border-style: dashed; border-color: var(--cancel);
  background: var(--paper); }
.vchart .n { font-size: 11px; font-weight: 600; }
.vchart .mname { font-size: 11px; color: var(--muted); border-top: 1px solid var(--ink); }

section.person, section.unit { margin-top: 10px; }
footer { margin-top: 24px; padding-top: 8px; border-top: 1px solid var(--line);
  color: var(--muted); font-size: 11px; }

@page { size: A4 landscape; margin: 10mm; }
/* the appointments plan: booked visits solid, visits to book dashed, overdue ones late */
table.appointments { border-collapse: collapse; width: 100%; margin-top: 4px; }
table.appointments th, table.appointments td {
  text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line);
}
table.appointments tr.group th { background: var(--soft); }
.booking { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 11px;
  border: 1px solid currentColor; white-space: nowrap; }
tr.b-booked .booking { color: var(--done); font-weight: 600; }
tr.b-to_book .booking { color: var(--plan); border-style: dashed; }
tr.b-overdue .booking { color: var(--late); font-weight: 700; border-width: 2px; }

@media print {
  html { background: none; }
  body { margin: 0; max-width: none; padding: 0; box-shadow: none; font-size: 10.5px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3, h4 { break-after: avoid; page-break-after: avoid; }
  section.person + section.person, section.unit + section.unit {
    break-before: page; page-break-before: always; }
  .kpis, .legend, .vchart, .objectives tr { break-inside: avoid; page-break-inside: avoid; }
  .gantt .g-title { font-size: 9.5px; }
}
"""

DASHBOARD_CSS = """
/* the commercial dashboard: statuses by colour and by mark (solid, half, hollow) */
:root { --on: #2e7d4f; --risk: #b7791f; --off: #c0392b; --nodata: #8b929c; --corr: #6b3fa0;
  --shown: #e6edf8; --later: #eef0f3; }
.st { display: inline-block; white-space: nowrap; font-size: 11px; padding: 0 6px;
  border-radius: 3px; border: 1px solid currentColor; }
.st.st-on_track { color: var(--on); } .st.st-at_risk { color: var(--risk); font-weight: 600; }
.st.st-off_track { color: var(--off); font-weight: 700; border-width: 2px; }
.st.st-no_data { color: var(--nodata); border-style: dashed; }
.kpi.st-on_track b { color: var(--on); } .kpi.st-at_risk b { color: var(--risk); }
.kpi.st-off_track b { color: var(--off); } .kpi.st-no_data b { color: var(--nodata); }
.legend.rule { color: var(--ink); }
.sw { display: inline-block; width: 22px; height: 12px; position: relative; }
.sw-target::before { content: ""; position: absolute; left: 0; right: 0; top: 5px;
  border-top: 2px solid var(--ink); }
.sw-actual { background: var(--on); width: 12px; }
.sw-corr { width: 9px; height: 9px; background: var(--corr); transform: rotate(45deg); }
.sw-shown { background: var(--shown); border: 1px solid var(--line); }
.sw-later { background: var(--later); border: 1px solid var(--line); }

section.group > h2 { margin-top: 22px; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--nodata); border-radius: 6px;
  padding: 10px 14px; margin: 12px 0; break-inside: avoid; page-break-inside: avoid; }
.card.st-on_track { border-left-color: var(--on); }
.card.st-at_risk { border-left-color: var(--risk); border-left-style: double;
  border-left-width: 5px; }
.card.st-off_track { border-left-color: var(--off); border-left-width: 6px; }
.card > header { display: flex; justify-content: space-between; align-items: baseline;
  gap: 12px; }
.card h3 { margin: 0; }
.figs { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.figs > div { border: 1px solid var(--line); border-radius: 4px; padding: 3px 10px;
  min-width: 92px; }
.figs dt { font-size: 10px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); }
.figs dd { margin: 0; font-size: 16px; font-weight: 700; font-variant-numeric: tabular-nums; }
.corr-mark { color: var(--corr); cursor: help; }
.card-body { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 18px;
  align-items: start; }
.card-body figure { margin: 0; }
.figtable { font-size: 11px; margin: 0; }
.figtable caption { text-align: left; font-size: 11px; color: var(--muted); padding-bottom: 2px; }
.figtable td, .figtable th { padding: 1px 6px; }
.figtable td { white-space: nowrap; }
.figtable tr.shown td { background: var(--shown); font-weight: 700; }
.figtable tr.later td { color: var(--nodata); background: var(--later); }
.corr-note { color: var(--corr); margin: 4px 0 0; }

svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
.chart text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.chart .yl { fill: var(--muted); text-anchor: end; }
.chart .xl { fill: var(--muted); text-anchor: middle; }
.chart .xl.shown { fill: var(--ink); font-weight: 700; }
.chart .xl.later { fill: var(--nodata); }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .grid.zero, .chart .axis { stroke: var(--ink); stroke-width: 1; }
.chart rect.shown { fill: var(--shown); }
.chart rect.later { fill: var(--later); }
.chart .tline { fill: none; stroke: var(--ink); stroke-width: 2; stroke-dasharray: 6 3; }
.chart .tpt { fill: var(--paper); stroke: var(--ink); stroke-width: 1.5; }
.chart .aline { fill: none; stroke: var(--plan); stroke-width: 2; }
.chart .abar, .chart .pt { stroke-width: 1.5; }
.chart .st-on_track { fill: var(--on); stroke: var(--on); }
.chart .st-at_risk { fill: var(--risk); fill-opacity: .45; stroke: var(--risk); }
.chart .st-off_track { fill: var(--paper); stroke: var(--off); stroke-width: 2.5; }
.chart .st-no_data { fill: var(--nodata); stroke: var(--nodata); }
.chart .corr path { fill: var(--corr); stroke: var(--paper); stroke-width: 1; }
.chart .corr .was { stroke: var(--corr); stroke-width: 2; stroke-dasharray: 3 2; }

@media print {
  .card { margin: 6px 0; padding: 6px 10px; }
  .figs dd { font-size: 13px; }
  .card-body { gap: 10px; }
  .figtable td, .figtable th { padding: 0 4px; }
}
"""
