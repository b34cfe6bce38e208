"""What every benchmark section needs: ports, pinning, CPU accounting, and how busy the machine was."""
from __future__ import annotations

import os
import platform as host
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
SERVER_CPU, LOAD_CPU = 0, 1  # the server under test on one core, its load (and the SP receiver) on the other


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 20.0) -> None:
    """Until something accepts connections on ``port``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def pinned(cpu: int) -> list[str]:
    """``taskset`` to one core when there are two: server and load must not share a core."""
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


def pin_self(cpu: int) -> None:
    """Pin this process (an in-process server) to one core, when there are two."""
    if (os.cpu_count() or 1) > 1 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def python(script: Path | str, *args: str, cpu: int, **kw: object) -> subprocess.Popen[bytes]:
    """Start ``script`` with this interpreter, pinned to ``cpu``, with the repository importable."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(pinned(cpu) + [sys.executable, str(script), *args], env=env, **kw)  # type: ignore[call-overload]


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate a process the bench started; kill it if it does not go."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_of(pid: int | str = "self") -> int:
    """Resident memory of a process, bytes."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _machine_busy() -> float:
    """CPU seconds every core of the machine spent busy since boot."""
    with open("/proc/stat") as fh:
        parts = [int(x) for x in fh.readline().split()[1:]]
    idle = parts[3] + parts[4]  # idle + iowait
    return (sum(parts[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _our_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Noise:
    """How much of the machine others used while the bench ran (children count once they are waited for)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.busy = _machine_busy()
        self.ours = _our_cpu()
        self.load = os.getloadavg()[0]

    def others_share(self) -> float:
        """Share of all cores busy with work that was not the bench's, since this was made."""
        elapsed = (time.monotonic() - self.started) * (os.cpu_count() or 1)
        others = (_machine_busy() - self.busy) - (_our_cpu() - self.ours)
        return max(0.0, others / elapsed) if elapsed > 0 else 0.0


def machine() -> str:
    """The line saying where the figures come from."""
    model = host.processor() or host.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), model)
    except OSError:
        pass
    return (f"machine: {model}, {os.cpu_count()} cores, Python {host.python_version()}, "
            f"aiohttp {version('aiohttp')}, {host.system()} {host.release()}")


@dataclass(slots=True)
class Spread:
    """A median and the rounds it came from."""

    values: list[float]

    @property
    def median(self) -> float:
        """The median of the rounds."""
        return statistics.median(self.values)

    @property
    def spread(self) -> float:
        """(max - min) / median: how far the rounds disagreed."""
        med = self.median
        return (max(self.values) - min(self.values)) / med if med else 0.0

    def runs(self, fmt: str = ",.0f") -> str:
        """The rounds, as text."""
        return "[" + ", ".join(format(v, fmt) for v in self.values) + "]"
