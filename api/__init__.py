"""FastAPI app: the bank site's chat gateway and the agent console API (see api/main.py)."""
