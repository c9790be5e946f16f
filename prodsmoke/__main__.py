"""`python -m prodsmoke` is the `smoke` command."""

import sys

from prodsmoke.cli import main

sys.exit(main())
