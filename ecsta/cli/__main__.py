"""``python -m ecsta.cli``: the ``ecsta`` command without the installed script."""

import sys

from ecsta.cli.main import main

sys.exit(main())
