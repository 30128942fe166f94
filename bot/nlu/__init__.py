"""Chinese NLU for the overdue-bill assistant: entity normalization and its Rasa component."""
