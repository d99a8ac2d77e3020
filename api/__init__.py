"""domcare as a web service: FastAPI app (``api.main.create_app``), job storage, API keys,
worker processes.

Importing the package loads nothing: the command line loads ``api.cli`` (through its entry
point) without the web framework, and the web process never loads OR-Tools (solving happens
in worker processes, through ``scheduler``; ``tests/test_layers.py`` checks both).
"""
