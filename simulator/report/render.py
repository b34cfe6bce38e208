"""A report as text: for a terminal (rich), as Markdown, or as JUnit XML an SP's CI can fail on."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..clock import utc_text
from .model import CATEGORIES, CATEGORY_TITLES, ERROR, WARNING, Finding, Report, at_least

TITLE = "voicesim: SP integration report"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry
_STYLE = {ERROR: "bold red", WARNING: "bold yellow"}


def summary(report: Report) -> str:
    """One line: how many problems in how much traffic."""
    errors = sum(f.severity == ERROR for f in report.findings)
    warnings = len(report.findings) - errors
    looked = f"{_n(report.requests, 'platform request')} and {_n(report.pushes, 'push')}"
    if not report.findings:
        return f"No problems found in {looked}."
    return f"{_n(errors, 'error')} and {_n(warnings, 'warning')} in {looked}."


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 'es' if word.endswith('sh') else 's'}"


def _seen(f: Finding) -> str:
    if f.first_at == f.last_at:
        return f"{utc_text(f.first_at)} UTC (simulated)"
    return f"{utc_text(f.first_at)} .. {utc_text(f.last_at)} UTC (simulated)"


def _by_category(report: Report) -> list[tuple[str, list[Finding]]]:
    return [(c, [f for f in report.findings if f.category == c]) for c in CATEGORIES]


# -- Markdown -------------------------------------------------------------------------------------
def markdown(report: Report) -> str:
    """The report as Markdown (a summary table, then each finding with its example, then answer times)."""
    out = [f"# {TITLE}", "", summary(report), ""]
    if report.findings:
        out += ["| severity | count | problem | where | spec |", "|---|---|---|---|---|"]
        out += [f"| {f.severity} | {f.count} | {_cell(f.title)} | {_cell(f.where)} | {_cell(f.spec)} |"
                for f in report.findings]
        out.append("")
    for category, found in _by_category(report):
        if not found:
            continue
        out += [f"## {CATEGORY_TITLES[category]}", ""]
        for f in found:
            fence = "`" * max(3, _longest_backticks(f.example) + 1)
            out += [f"### {f.severity.upper()}: {f.title} ({f.count}x)", "",
                    f"- where: `{f.where}`" if f.where else "- where: -", f"- spec: {f.spec}",
                    f"- seen: {_seen(f)}", f"- fix: {f.fix}", "", fence + "text", f.example, fence, ""]
    if report.latency:
        out += ["## Push answer times (real seconds)", "",
                "| SP URL | answers | p50 | p99 | slowest | timeouts |", "|---|---|---|---|---|---|"]
        out += [f"| {_cell(x.url)} | {x.answers} | {x.p50:.3f} | {x.p99:.3f} | {x.slowest:.3f} | {x.timeouts} |"
                for x in report.latency]
        out.append("")
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _longest_backticks(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


# -- JUnit XML --------------------------------------------------------------------------------------
def junit(report: Report, fail_on: str | None = None) -> str:
    """The report as JUnit XML: a test case per finding, failing at ``fail_on`` or worse (default: errors);
    a passing case per category with no finding, so a clean run shows green tests."""
    threshold = fail_on or ERROR
    suite = ET.Element("testsuite", name=TITLE)
    failures = tests = 0
    for category, found in _by_category(report):
        classname = f"voicesim.{category}"
        if not found:
            ET.SubElement(suite, "testcase", classname=classname, name=f"{CATEGORY_TITLES[category]}: no problems")
            tests += 1
        for f in found:
            tests += 1
            case = ET.SubElement(suite, "testcase", classname=classname, name=_xml(f"{f.id} {f.where}".strip()))
            text = _xml(_plain(f))
            if at_least(f.severity, threshold):
                failures += 1
                failure = ET.SubElement(case, "failure", type=f.severity, message=_xml(f"{f.title} ({f.count}x)"))
                failure.text = text
            else:
                ET.SubElement(case, "system-out").text = text
    for name, value in (("tests", tests), ("failures", failures), ("errors", 0), ("skipped", 0)):
        suite.set(name, str(value))
    root = ET.Element("testsuites", name="voicesim", tests=str(tests), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml(text: str) -> str:
    return _NOT_XML.sub("?", text)


def _plain(f: Finding) -> str:
    lines = [f"{f.severity.upper()}: {f.title} ({f.count}x)"]
    if f.where:
        lines.append(f"where: {f.where}")
    lines += [f"spec: {f.spec}", f"seen: {_seen(f)}", f"fix: {f.fix}", "example:", f.example]
    return "\n".join(lines)


# -- terminal ---------------------------------------------------------------------------------------
def terminal(report: Report, console: Console) -> None:
    """Print the report on ``console`` (colours when it is a terminal)."""
    console.rule(TITLE)
    console.print(Text(summary(report), style="bold"))
    for category, found in _by_category(report):
        if not found:
            continue
        console.print()
        console.print(Text(CATEGORY_TITLES[category], style="bold underline"))
        for f in found:
            head = Text()
            head.append(f.severity.upper(), style=_STYLE[f.severity])
            head.append(f"  {f.count}x  ", style="bold")
            head.append(f.title)
            console.print(head)
            for label, value in (("where", f.where), ("spec", f.spec), ("seen", _seen(f)), ("fix", f.fix)):
                if value:
                    console.print(Text(f"    {label}: ", style="dim") + Text(value))
            for line in f.example.splitlines():
                console.print(Text("    | " + line, style="cyan"), soft_wrap=True)
    if report.latency:
        console.print()
        table = Table(title="Push answer times (real seconds)", title_justify="left")
        for column in ("SP URL", "answers", "p50", "p99", "slowest", "timeouts"):
            table.add_column(column, justify="left" if column == "SP URL" else "right")
        for x in report.latency:
            table.add_row(x.url, str(x.answers), f"{x.p50:.3f}", f"{x.p99:.3f}", f"{x.slowest:.3f}",
                          str(x.timeouts))
        console.print(table)
