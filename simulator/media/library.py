"""Audio files and voice templates, which must be approved before a call may use them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import invalid
from ..inputs import InputError, bounded_text, finite, storable
from .templates import check_text

STATES = ("pending", "approved", "rejected")
MAX_MEDIA_SECONDS = 3600.0  # playback of one audio file or template


@dataclass(slots=True)
class Media:
    """One uploaded audio file (``.wav``) or TTS template, with its review state."""

    name: str
    kind: str = "audio"  # "audio" or "template"
    state: str = "approved"
    duration: float = 2.0  # seconds of playback (templates: a rough TTS length)
    text: str = ""  # a template's text with ${TXT_n}/${NUM_n}/${DATE}/${TIME} variables

    def __post_init__(self) -> None:
        self._check("name", self.name, bounded_text(128))
        # A NaN or endless playback would freeze every call that plays it.
        self._check("duration", self.duration, lambda d: finite(d, 0, MAX_MEDIA_SECONDS))
        self._check("text", self.text, storable)
        if self.kind not in ("audio", "template"):
            raise ValueError(f"media {self.name!r}: kind must be audio or template")
        if self.state not in STATES:
            raise ValueError(f"media {self.name!r}: state must be one of {', '.join(STATES)}")
        if self.kind == "template":
            try:
                check_text(self.text)
            except ValueError as exc:
                raise ValueError(f"media {self.name!r}: {exc}") from None

    def _check(self, field: str, value: object, rule: Callable[[Any], object]) -> None:
        try:
            rule(value)
        except InputError as exc:
            raise ValueError(f"media {str(self.name)[:64]!r}: {field} {exc}") from None


def default_media() -> list[Media]:
    """What a fresh simulator knows (spec section 10): the documentation's examples work."""
    return [
        Media("pretone.wav", duration=2.0),
        Media("postone.wav", duration=2.0),
        Media("notifyvoice.wav", duration=5.0),
        Media("welcome.wav", duration=3.0),
        Media("TPL_DEMO", kind="template", duration=4.0, text="Your verification code is ${NUM_6}."),
    ]


@dataclass(slots=True)
class MediaLibrary:
    """The approved (and not yet approved) media of the platform, by name."""

    items: dict[str, Media] = field(default_factory=dict)

    @classmethod
    def of(cls, media: list[Media]) -> MediaLibrary:
        """A library holding ``media``."""
        return cls({m.name: m for m in media})

    def put(self, media: Media) -> None:
        """Add or replace one item."""
        self.items[media.name] = media

    def approved(self, name: str, kind: str = "audio") -> Media:
        """The approved item ``name`` of ``kind``, or the platform's 1010002 refusal."""
        media = self.items.get(name)
        if media is None or media.kind != kind or media.state != "approved":
            raise invalid(f"{name} does not exist")
        return media
