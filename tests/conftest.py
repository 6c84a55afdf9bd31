"""Keep the test suite's lockjaw runs out of the user's result cache."""

from __future__ import annotations

import os
import tempfile

os.environ["LOCKJAW_CACHE_DIR"] = tempfile.mkdtemp(prefix="lockjaw-test-cache-")
