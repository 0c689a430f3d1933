/** The report's inline stylesheet (no external fonts or files). */
export const STYLE = `
:root{--fg:#1d1d1f;--dim:#666;--line:#ddd;--good:#1a7f37;--bad:#c62828;--warn:#b26a00;--neutral:#555}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:16px 24px 64px}
h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.meta,.dim{color:var(--dim)}.desc{margin:4px 0}
.banner{border-radius:6px;padding:10px 14px;margin:12px 0;border:2px solid}
.banner.tcg{background:#fff3e0;border-color:#ef6c00;color:#5d2c00;font-size:15px}
.banner.warn-banner{background:#fffde7;border-color:#f9a825}
.banner.mismatch-banner{background:#ffebee;border-color:var(--bad)}
.banner ul{margin:4px 0 0 18px;padding:0}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:var(--neutral)}
.badge.good{background:var(--good)}.badge.bad{background:var(--bad)}.badge.warn{background:var(--warn)}.badge.neutral{background:var(--neutral)}
.tcg-note{color:#ef6c00;font-weight:600}
.caveat{border-left:3px solid var(--warn);padding:2px 8px;margin:6px 0;color:#5d3a00}
ul.verdicts{list-style:none;padding:0}ul.verdicts li{margin:6px 0}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
table.kv th{width:140px;color:var(--dim);font-weight:normal}
table.data{display:block;overflow-x:auto;max-width:100%}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.differs{background:#fff8e1}
/* provenance: long facts (kernel command lines) wrap inside their column; fact names stay whole */
table.facts td{overflow-wrap:anywhere;max-width:26em}td.fact{white-space:nowrap;word-break:normal}
td.mismatch{background:#ffebee;color:var(--bad);font-weight:600}td.mismatch::after{content:" ✗"}
tr.tcg-row{background:#fff8f0}.ok{color:var(--good)}.bad-text{color:var(--bad);font-weight:600}
.empty{color:var(--dim);font-style:italic}
figure.chart{margin:12px 0 20px;overflow-x:auto}figure.chart svg{max-width:100%;height:auto}
figure.chart figcaption{color:var(--dim);font-size:12px}
nav.toc{font-size:13px;margin:8px 0}nav.toc a{margin-right:12px;color:#1565c0;text-decoration:none}nav.toc a.none{color:#aaa}
details{margin:6px 0}summary{cursor:pointer;color:#333}
pre{white-space:pre-wrap;font-size:12px;background:#f6f6f6;padding:6px;max-height:240px;overflow:auto}
article.run + article.run{border-top:3px double var(--line);margin-top:40px}
`
