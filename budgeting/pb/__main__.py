import sys

from budgeting.pb.cli import main

sys.exit(main())
