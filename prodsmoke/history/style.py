"""The report's stylesheet, inlined into the page (a Python string, so wheels need no data)."""

CSS = """
:root { --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --card: #fff;
        --pass: #16a34a; --warn: #d97706; --fail: #dc2626; --skip: #94a3b8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { margin: 0; font-size: 24px; letter-spacing: -0.01em; }
header h1 span { color: var(--muted); font-weight: 400; }
h2 { margin: 28px 0 12px; font-size: 19px; }
h2 .muted { font-size: 14px; font-weight: 400; margin-left: 6px; }
h3 { margin: 26px 0 10px; font-size: 15px; text-transform: uppercase; letter-spacing: .05em;
     color: var(--muted); }
.muted { color: var(--muted); font-size: 12.5px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
        padding: 14px 16px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
               letter-spacing: .04em; }
.card .value { font-size: 28px; font-weight: 650; margin: 2px 0; }
.good { color: var(--pass); } .ok { color: var(--warn); } .bad { color: var(--fail); }
table.checks { width: 100%; border-collapse: separate; border-spacing: 0; background: var(--card);
               border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.checks th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted);
             padding: 10px 12px; border-bottom: 1px solid var(--line); background: #f1f5f9; }
.checks td { padding: 10px 12px; border-bottom: 1px solid var(--line); vertical-align: middle; }
.checks tr:last-child td { border-bottom: 0; }
.checks .num { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600;
               width: 56px; }
svg.strip { width: 100%; max-width: 352px; min-width: 200px; display: block; }
svg text { font: 10px system-ui, sans-serif; fill: var(--muted); }
svg .tick { text-anchor: end; } svg .when.end { text-anchor: end; }
svg .grid { stroke: var(--line); stroke-dasharray: 3 3; } svg .axis { stroke: #cbd5e1; }
.swatch { display: inline-block; width: 14px; height: 4px; border-radius: 2px;
          vertical-align: middle; }
.swatch.p50 { background: #2563eb; } .swatch.p95 { background: #93c5fd; height: 8px; }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px;
        font-weight: 600; color: #fff; background: var(--skip); }
.pill.pass { background: var(--pass); } .pill.warn { background: var(--warn); }
.pill.fail { background: var(--fail); }
.card .pill { font-size: 16px; padding: 2px 14px; }
ul.failures { list-style: none; margin: 0; padding: 0; background: var(--card);
              border: 1px solid var(--line); border-radius: 10px; }
.failures li { padding: 12px 16px; border-bottom: 1px solid var(--line);
               border-left: 4px solid var(--fail); }
.failures li:last-child { border-bottom: 0; }
.failures .when { color: var(--muted); font-size: 12px; }
.failures a { color: #2563eb; margin-right: 8px; }
.pill.maint { background: #7c3aed; } .pill.adhoc { background: #0891b2; }
.pill.deploy { background: #0f766e; }
tr.maint td { background: repeating-linear-gradient(135deg, #f5f3ff, #f5f3ff 6px, #ede9fe 6px,
              #ede9fe 12px); }
.checks a { color: #2563eb; }
@media (max-width: 800px) { .cards { grid-template-columns: repeat(2, 1fr); } }
"""
