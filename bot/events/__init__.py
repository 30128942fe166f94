"""Rasa's tracker events, read from RabbitMQ, keep the contact log's figures current.

records (an event's JSON to a small record without text), figures (what a conversation's
stored events say), store (one transaction per event), consumer (the process). Importing the
package loads none of them, so the database side can use `inserts` without the broker client.
"""
