"""The platform's pool of call ports, and each app's quota of concurrent calls."""
from __future__ import annotations

from ..errors import PlatformError


class PortPool:
    """Every live call holds one port from callout to disconnect.

    ``capacity`` may change at run time (chaos, the control API); lowering it below
    the live count leaves those calls alone and only refuses new ones.
    """

    __slots__ = ("capacity", "live", "_by_app")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.live = 0
        self._by_app: dict[str, int] = {}

    @property
    def idle(self) -> int:
        """Ports free for new calls: what ``idlePort`` reports (0-65535)."""
        return min(65535, max(0, self.capacity - self.live))

    def in_use(self, app_key: str) -> int:
        """Live calls of one app."""
        return self._by_app.get(app_key, 0)

    def acquire(self, app_key: str, quota: int | None) -> None:
        """Take a port for a new call of ``app_key`` or raise 1020165 / 1020154."""
        used = self._by_app.get(app_key, 0)
        if quota is not None and used >= quota:
            raise PlatformError(1020165)
        if self.live >= self.capacity:
            raise PlatformError(1020154)
        self._by_app[app_key] = used + 1
        self.live += 1

    def release(self, app_key: str) -> None:
        """Give back the port of an ended call."""
        left = self._by_app.get(app_key, 0) - 1
        if left > 0:
            self._by_app[app_key] = left
        else:
            self._by_app.pop(app_key, None)
        self.live = max(0, self.live - 1)
