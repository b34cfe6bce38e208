"""Reading what crosses into the process, within limits: strict JSON, bounded YAML, safe text, push
URLs and linear-time patterns.

Every reader refuses with ``InputError`` (a ``ValueError``) whose message names what is wrong; the
surface that called it renders the refusal in its own shape (the platform's 1010002, the control
API's ``{"error", "status"}``, a scenario's ``file:line: field: message``).
"""
from .errors import InputError
from .json_doc import MAX_DEPTH, loads
from .patterns import MAX_PATTERN, Pattern, compile_pattern
from .text import app_key, bounded_text, finite, global_number, storable, token
from .typed import conforms, describe
from .urls import push_url
from .yaml_doc import MAX_YAML_CHARS, Lines, YamlPath, field_name, read_yaml

__all__ = ["MAX_DEPTH", "MAX_PATTERN", "MAX_YAML_CHARS", "InputError", "Lines", "Pattern", "YamlPath", "app_key",
           "bounded_text", "compile_pattern", "conforms", "describe", "field_name", "finite", "global_number", "loads",
           "push_url", "read_yaml", "storable", "token"]
