"""Domain rules: plain Python that neither Rasa nor FastAPI imports into its internals."""
