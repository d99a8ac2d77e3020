"""Speed and quality measurements, kept apart from the tests (no timing is ever asserted)."""
