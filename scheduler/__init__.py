"""The care domain and its use cases: read a scenario, plan the day, check and report it."""
