"""Shared package of the overdue-bill assistant: domain rules, data layer, Chinese NLU."""
