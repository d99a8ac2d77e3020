"""domcare as a web service: FastAPI app, job storage, API keys, worker processes.

Never imports ``ortools``: solving happens in worker processes, through ``scheduler``.
"""

from api.main import create_app

__all__ = ["create_app"]
