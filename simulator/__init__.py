"""voicesim: a local, faithful simulator of Huawei Cloud's Voice Call platform."""
from .app import create_app
from .clock import Clock
from .config import Settings
from .errors import PlatformError
from .platform import Platform
from .version import __version__

__all__ = ["Clock", "Platform", "PlatformError", "Settings", "__version__", "create_app"]
