"""Rasa action server: thin actions and forms that read slots, call bot.* and choose a response."""
