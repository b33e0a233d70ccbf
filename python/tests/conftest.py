# Tests import the package from this source tree (python/), whatever the current directory.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
