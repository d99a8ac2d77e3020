"""``python -m benchmarks run [--suite NAME] [--quick] [--time-limit S]``: see
``benchmarks.runner`` (a module of its own, so that worker processes can import it)."""

import sys

from benchmarks.runner import main

sys.exit(main())
