"""`python -m scheduler.cli`: the same command as `scheduler`."""

import sys

from scheduler.cli import main

sys.exit(main())
