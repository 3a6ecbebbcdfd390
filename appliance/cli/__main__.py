"""python -m appliance.cli: the `callbox` command."""
import sys

from appliance.cli.main import main

sys.exit(main())
