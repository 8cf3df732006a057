"""Test settings: the production settings with test-only speed-ups."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from oxyflow.settings import *  # noqa: F403
from oxyflow.settings import DATABASES, STORAGES

# Static files are served from the app folders: tests do not run collectstatic.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Password hashing is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not ":memory:", so threads in concurrency tests share one database as the
    # server's worker threads do; the process id keeps simultaneous runs apart.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"oxyflow-test-{os.getpid()}.sqlite3")
    }
else:
    # The pool keeps connections open, which blocks dropping the test database at the end.
    DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
