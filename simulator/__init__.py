"""voicesim: a local, faithful simulator of Huawei Cloud's Voice Call platform."""
from .app import create_app
from .clock import Clock
from .config import Settings
from .platform import Platform

__all__ = ["Clock", "Platform", "Settings", "create_app"]
__version__ = "0.1.0"
