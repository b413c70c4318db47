/**
 * The status page's stylesheet, served as /static/status.css (the Content-Security-Policy allows
 * styles from the monitor only, so nothing is inline). Colours keep a contrast of at least 4.5:1,
 * and every state is also written as a word. Below 760 px the tables become one card per row.
 */
export const STATUS_CSS = `
:root { --fg: #1d1d22; --muted: #55555f; --bg: #ffffff; --line: #d7d7de; --link: #1a4fa3; --panel: #f6f6f9;
  --crit: #b3261e; --crit-fg: #ffffff; --warn: #f7d768; --warn-fg: #3b2c00; --ok: #d6f0dd; --ok-fg: #0d4d20;
  --unknown: #e3e3e8; --unknown-fg: #2f2f37; --focus: #1a4fa3; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, main:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -10000px; top: 0; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px 10px; z-index: 10; }
.top { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: baseline; padding: 10px 16px; border-bottom: 1px solid var(--line); background: var(--panel); }
.top .brand { font-weight: 700; margin-right: auto; }
.top nav a { margin-right: 14px; }
.top nav a[aria-current="page"] { font-weight: 700; color: var(--fg); }
.wrap { padding: 12px 16px 24px; max-width: 1500px; }
h1 { font-size: 1.4rem; margin: 8px 0 12px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 1.15rem; margin: 26px 0 8px; }
h3 { font-size: 1rem; margin: 18px 0 6px; }
.muted, .small { color: var(--muted); }
.small { font-size: 0.85rem; }
.filters { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; padding: 10px 16px; border-bottom: 1px solid var(--line); }
.filters label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--muted); gap: 2px; }
.filters label.check { flex-direction: row; align-items: center; gap: 6px; color: var(--fg); font-size: 0.95rem; }
.filters input[type="search"], .filters select { font: inherit; padding: 5px 8px; border: 1px solid #8b8b96; border-radius: 4px; min-width: 12em; }
button, .button { font: inherit; padding: 5px 12px; border: 1px solid #1a4fa3; border-radius: 4px; background: #1a4fa3; color: #fff; cursor: pointer; text-decoration: none; }
button.secondary { background: #fff; color: #1a4fa3; }
.counts { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 4px 0 10px; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 7px 8px; border-bottom: 1px solid var(--line); }
thead th { font-size: 0.85rem; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr.row-critical { box-shadow: inset 4px 0 0 var(--crit); }
tbody tr.row-warning { box-shadow: inset 4px 0 0 #c99a00; }
tbody tr.row-unknown { box-shadow: inset 4px 0 0 #8b8b96; }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem; font-weight: 700; letter-spacing: 0.02em; text-transform: uppercase; white-space: nowrap; }
.sev-critical { background: var(--crit); color: var(--crit-fg); }
.sev-warning { background: var(--warn); color: var(--warn-fg); }
.sev-ok { background: var(--ok); color: var(--ok-fg); }
.sev-unknown { background: var(--unknown); color: var(--unknown-fg); }
td[data-label="State"] { min-width: 14em; }
td[data-label="Nearest tariff end"] { min-width: 11em; }
.firing-list { margin: 4px 0 0; padding-left: 1.1em; font-size: 0.85rem; }
.poll { list-style: none; margin: 0; padding: 0; font-size: 0.85rem; }
.poll li { white-space: nowrap; }
.poll .bad, .bad { color: var(--crit); font-weight: 600; }
.poll .note { color: #6b4e00; }
.spark { display: block; margin-top: 3px; }
td.num .spark { margin-left: auto; }
.chart { width: 100%; height: auto; max-width: 720px; display: block; }
.spark .line, .chart .line { fill: none; stroke: #1a4fa3; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.spark .line.s-email_emails_left, .chart .line.s-email_emails_left { stroke: #6a3d9a; }
.spark .line.s-smtp_email_qty_left, .chart .line.s-smtp_email_qty_left { stroke: #0f6e66; }
.chart .forecast { fill: none; stroke: var(--crit); stroke-width: 1.5; stroke-dasharray: 5 4; vector-effect: non-scaling-stroke; }
.chart .axis { stroke: #8b8b96; stroke-width: 1; vector-effect: non-scaling-stroke; }
.chart .grid { stroke: #e6e6ec; stroke-width: 1; vector-effect: non-scaling-stroke; }
.chart .zero { stroke: var(--crit); stroke-width: 1; stroke-opacity: 0.5; vector-effect: non-scaling-stroke; }
.chart text { font-size: 13px; fill: #44444d; }
.spark .dot, .chart .dot { fill: #1a4fa3; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); gap: 16px 24px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.pager { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; margin: 12px 0; }
meter { width: 8em; height: 0.9em; vertical-align: middle; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; overflow-wrap: anywhere; }
footer { padding: 10px 16px 30px; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.85rem; }
footer .legend { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; margin-top: 6px; }
.js-only { display: none; }
.js .js-only { display: inline; }
.updated { color: var(--muted); font-size: 0.85rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.scroll { overflow-x: auto; }
@media (max-width: 760px) {
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.cards, table.cards tbody, table.cards tr, table.cards td, table.cards th { display: block; width: 100%; }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 12px; padding: 4px 8px 4px 12px; }
  table.cards td, table.cards th { border: 0; padding: 4px 0; text-align: left; }
  table.cards td[data-label]::before { content: attr(data-label); display: block; font-size: 0.78rem; color: var(--muted); }
  table.cards td.num { text-align: left; }
  table.cards caption { display: block; width: 100%; }
  td.num .spark { margin-left: 0; }
  .filters input[type="search"], .filters select { min-width: 0; width: 100%; }
  .filters label { flex: 1 1 100%; }
}
`;
