"""How long a cardholder waiting for a person should expect to wait."""
from __future__ import annotations

AVERAGE_HANDLING_MINUTES = 2
"""Minutes the agent desk needs, on average, to take on the next waiting conversation.

A collections chat lasts about six minutes and the demo desk staffs three agents, so the
queue moves by one conversation about every two minutes. A bank replaces this with the
figure its own desk measures; the cardholder is shown an estimate, never a promise.
"""


def estimated_wait_minutes(queue_position: int) -> int:
    """The wait behind `queue_position` conversations (the number ahead): one desk turn each."""
    return max(queue_position, 0) * AVERAGE_HANDLING_MINUTES
