"""The load report as one self-contained HTML file: tables and inline SVG plots, no script, no CDN."""
from __future__ import annotations

from html import escape
from pathlib import Path

from .stats import KINDS, LoadReport
from .svg import Series, line_chart, stacked_bars

P50, P90, P99 = "#2b7bba", "#f0a202", "#d1495b"
OK, FAILED = "#6a994e", "#d1495b"

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:920px;color:#222}
h1{font-size:20px;margin-bottom:4px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 12px;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}.note{color:#555}.warn{color:#a4161a;font-weight:bold}
figure{margin:12px 0}
"""


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _table(element_id: str, head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table id="{element_id}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def plots(report: LoadReport) -> str:
    """The two plots: answer-time percentiles per bucket, and attempts per bucket (accepted, failed)."""
    rows, width = report.buckets, report.bucket_seconds
    end = max((r.end for r in rows), default=width)
    mids = [r.start + width / 2 for r in rows]
    latency = line_chart(
        "latency-plot", "SP answer time per bucket (ms)", mids,
        [Series("p50", P50, [r.latency.p50 for r in rows]), Series("p90", P90, [r.latency.p90 for r in rows]),
         Series("p99", P99, [r.latency.p99 for r in rows])],
        "seconds into the run", "ms", x_range=(0.0, end))
    attempts = stacked_bars(
        "attempts-plot", "push attempts per bucket", [r.start for r in rows], width,
        [Series("accepted", OK, [float(r.attempts - r.failed) for r in rows]),
         Series("failed", FAILED, [float(r.failed) for r in rows])],
        "seconds into the run", "attempts")
    return f"<figure>{latency}</figure><figure>{attempts}</figure>"


def render(report: LoadReport) -> str:
    """The whole report page."""
    calls = f"{report.calls_line}; the run took {report.seconds:.1f} s."
    refused = "".join(f"<li>{n} refused by the platform: {escape(why)}</li>" for why, n in report.refused.items())
    warn = ("" if report.drained else
            f'<p class="warn">The drain limit ended the run: {report.unfinished} call(s) still live, '
            f"{report.bills.owed_messages} bill message(s) still owed.</p>")
    latency = _table("latency", ["pushes", "answered", "p50 ms", "p90 ms", "p99 ms", "max ms"],
                     [[kind, str(lat.count), _ms(lat.p50), _ms(lat.p90), _ms(lat.p99), _ms(lat.max)]
                      for kind in ("all", *KINDS) for lat in (report.latency[kind],)])
    buckets = _table("buckets", ["seconds", "attempts", "failed", "p50 ms", "p90 ms", "p99 ms"],
                     [[f"{r.start:g}-{r.end:g}", str(r.attempts), str(r.failed), _ms(r.latency.p50),
                       _ms(r.latency.p90), _ms(r.latency.p99)] for r in report.buckets])
    failures = _table("failures", ["kind", "status pushes", "bill pushes"],
                      [[name, str(c["status"]), str(c["bill"])] for name, c in report.failures.items()]
                      or [["none", "0", "0"]])
    delivery = _table("delivery", ["", "count"], [[label, str(n)] for label, n in report.delivery_rows()])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>voicesim load report</title><style>{_STYLE}</style></head>
<body>
<h1>voicesim load report</h1>
<p class="note">{escape(report.title)}</p>
<p>{escape(calls)}</p><ul>{refused}</ul>{warn}
<h2>SP answer time</h2>
<p class="note">Time from sending a push to the SP's complete answer, for attempts the SP answered (any HTTP
status); timeouts and connection or TLS failures are counted below instead.</p>
{latency}
{plots(report)}
<h2>Over time ({report.bucket_seconds:g} s buckets, by when the attempt started)</h2>
{buckets}
<h2>Failures by kind</h2>
{failures}
<h2>Status events and bills</h2>
{delivery}
</body></html>
"""


def write(path: str, report: LoadReport) -> Path:
    """Write the report page to ``path``; the path written."""
    out = Path(path)
    out.write_text(render(report), encoding="utf-8")
    return out
