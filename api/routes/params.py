"""Path and query parameters with their bounds: an id no database can hold is a 422, not a 500."""
from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from api.schemas import MAX_ID

HandoffId = Annotated[int, Path(ge=1, le=MAX_ID, description="a handoff's number")]
ConversationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$", description="a conversation's id")]
ComplaintKey = Annotated[str, Path(pattern=r"^([0-9]{1,10}|CMP[0-9A-Z]{6,24})$",
                                   description="a complaint's number or its reference (CMP...)")]
AfterId = Annotated[int, Query(ge=0, le=MAX_ID, description="the last message id the client has")]
