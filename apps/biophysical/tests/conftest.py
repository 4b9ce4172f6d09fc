import sys
from pathlib import Path

# Test helper modules (bio_helpers.py) live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))
