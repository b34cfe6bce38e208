"""The SP integration report: what an SP's backend got wrong, read from the journal.

``sources`` reads the records (a running simulator's journal, or a data dir),
``analysis`` turns them into typed findings (``refusals`` for requests, ``pushes``
for push answers; pure), ``render`` writes them for a terminal, as Markdown or as
JUnit XML. ``command`` is ``voicesim report`` (imported by the CLI only).
"""
from .analysis import SLOW_AFTER, analyze
from .model import ERROR, SEVERITIES, WARNING, Finding, Latency, Report
from .render import junit, markdown, summary, terminal
from .sources import NoJournal, Records, from_data_dir, from_journal

__all__ = ["ERROR", "SEVERITIES", "SLOW_AFTER", "WARNING", "Finding", "Latency", "NoJournal", "Records", "Report",
           "analyze", "from_data_dir", "from_journal", "junit", "markdown", "summary", "terminal"]
