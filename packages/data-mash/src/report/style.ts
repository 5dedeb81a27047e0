/**
 * The report's one style sheet. Colours keep a contrast of at least 4.5:1 against their
 * background for text and 3:1 for marks (WCAG 2.1 AA).
 */
export const STYLE = `:root{--ink:#1d2433;--muted:#4f5a6e;--line:#d9dde6;--bar:#3b6ea5;--far:#b4470c}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;max-width:1140px;color:var(--ink);background:#fff;padding:0 1rem}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.35rem;margin:2.2rem 0 .6rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}
h3{font-size:1.1rem;margin:1.6rem 0 .5rem}h4{margin:0;font-size:1rem;overflow-wrap:anywhere}h5{margin:.8rem 0 .3rem;font-size:.9rem}
a{color:#1f4e85}.meta,.note{color:var(--muted)}.note{margin:.3rem 0}code{font-size:12px}
nav ol{display:flex;flex-wrap:wrap;gap:.2rem 1rem;padding:0;margin:.6rem 0;list-style:none}
svg{max-width:100%;height:auto;display:block;margin:.4rem 0;overflow:visible}svg text{font-size:11px;fill:var(--ink)}svg text.small{font-size:9px}svg text.cell{font-size:10px}svg text.on-dark{fill:#fff}
svg .tick{fill:var(--muted)}svg .axis-title{font-size:12px;font-weight:600}svg .axis{stroke:var(--muted);fill:none}svg .grid{stroke:#e8ebf1}
svg .bar,svg .bin,svg .span{fill:var(--bar)}svg .bin.outside,svg .gap{fill:var(--far)}svg text.outside{fill:var(--far);font-weight:600}
svg .muted .bar{fill:#8c96a8}svg .missing{fill:var(--ink)}svg .present{fill:#e8ebf1}
svg .bool-true{fill:var(--bar)}svg .bool-false{fill:#b45309}svg .bool-missing{fill:#c8ccd4}
svg g:hover>rect,svg rect:hover{opacity:.8}.timeline .failed .bar{fill:#b91c1c}.timeline .running .bar{fill:#c27803}
table.stats{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px;min-width:200px}table.stats th{white-space:nowrap}table.stats td{overflow-wrap:break-word}
table.stats caption{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;padding:0 0 .2rem}
table.stats th{text-align:left;font-weight:normal;color:var(--muted);padding:.1rem 1rem .1rem 0}table.stats td{text-align:right;padding:.1rem 0}
table.stats tr+tr{border-top:1px solid #eef0f4}.stats-pair{display:flex;flex-wrap:wrap;gap:.5rem 2rem;align-items:flex-start}
.column{border:1px solid var(--line);border-radius:6px;padding:.7rem .9rem;margin:0 0 1rem}
.column header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem .6rem;margin-bottom:.5rem}
.type{background:#e3ecf7;color:#1f4e85;border-radius:3px;padding:0 .4rem;font-size:12px;font-weight:600}.physical{color:var(--muted);font-size:12px}
.column-body{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,560px);gap:1rem 1.5rem}
.facts{columns:220px 2;column-gap:1.5rem}.facts table.stats{break-inside:avoid;margin-bottom:.7rem;width:100%}.chart>svg:first-child{margin-top:0}
@media (max-width:1000px){.column-body{grid-template-columns:1fr}}
.badge{border-radius:3px;padding:0 .35rem;font-size:12px;font-weight:600}.badge.warning{background:#fde7d9;color:#8a3a0f}.badge.info{background:#e3ecf7;color:#1f4e85}
ul.alerts{list-style:none;padding:0;margin:0}ul.alerts li{display:grid;grid-template-columns:5rem 9rem minmax(0,1fr) 9rem 12rem;gap:.2rem .7rem;align-items:baseline;padding:.3rem 0;border-bottom:1px solid #eef0f4}
ul.alerts .badge{justify-self:start}ul.alerts .kind{font-weight:600}ul.alerts .figure{font-variant-numeric:tabular-nums;color:var(--muted);text-align:right}ul.alerts a{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
@media (max-width:760px){ul.alerts li{grid-template-columns:auto minmax(0,1fr)}ul.alerts .message{grid-column:1/-1}ul.alerts .figure{text-align:left}}
.unique{font-weight:600;color:var(--ink)}.range{margin:.5rem 0 0;font-variant-numeric:tabular-nums}
.scroll{display:inline-block;max-width:100%;overflow-x:auto;border:1px solid var(--line);border-radius:6px}
table.sample{border-collapse:collapse;font-size:12px;white-space:nowrap}table.sample th,table.sample td{padding:.25rem .6rem;border-bottom:1px solid #eef0f4;text-align:left}
table.sample thead th{background:#f4f6f9;position:sticky;top:0}table.sample tbody th{color:var(--muted);font-weight:normal}td.na{color:var(--muted);background:#f4f6f9}
ul.summary li{margin:.25rem 0}.side-by-side{display:flex;flex-wrap:wrap;gap:0 3rem;align-items:flex-start}.side-by-side>section{flex:1 1 420px;min-width:0}.flag{color:#8a3a0f}`;
