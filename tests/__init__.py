"""ecsta tests (trial).

A driver whose configuration names no state directory keeps its state in ``$STATE_DIRECTORY``
(as under systemd): tests that start one that way keep it in a directory of their own, never in
``/var/lib/ecsta/driver``.
"""

import os
import tempfile

os.environ.setdefault("STATE_DIRECTORY", os.path.join(tempfile.gettempdir(), "ecsta-test-state"))
