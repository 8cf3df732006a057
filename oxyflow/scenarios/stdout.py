"""Keep a command's stdout for its own output when C libraries write to file descriptor 1.

HiGHS prints its banner straight to fd 1 the first time a solver is created in a process,
below Python's ``sys.stdout``, so ``output_flag=False`` set afterwards cannot stop it. A
command whose stdout must stay parseable (``--format json``) runs such work inside
:func:`c_stdout_to_stderr`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def c_stdout_to_stderr() -> Iterator[None]:
    """Send everything written to fd 1 to fd 2 until the block ends, then restore fd 1."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
