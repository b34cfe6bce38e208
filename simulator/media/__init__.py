"""Audio files and voice templates: what the platform knows, their review state, and template rules."""
from .library import STATES, Media, MediaLibrary, default_media
from .templates import MAX_TEMPLATE_BYTES, check_text, fill, variables

__all__ = ["MAX_TEMPLATE_BYTES", "STATES", "Media", "MediaLibrary", "check_text", "default_media", "fill",
           "variables"]
