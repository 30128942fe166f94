"""The trainers' work on the assistant: review real conversations, fix and add NLU examples,
check the data, evaluate, train, activate and roll back models.

Plain Python over the project's files and Rasa's command line and HTTP API; the workbench pages
(api/) and the command line (`python -m bot.training`) both call it.
"""
