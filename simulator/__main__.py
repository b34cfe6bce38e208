"""``python -m simulator``: the same as the ``voicesim`` command."""
from .cli import main

raise SystemExit(main())
