"""Path and query parameters with their bounds: an id no database can hold is a 422, not a 500."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Optional

from fastapi import Path, Query

from api.schemas import MAX_ID

HandoffId = Annotated[int, Path(ge=1, le=MAX_ID, description="a handoff's number")]
ConversationId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$", description="a conversation's id")]
ComplaintKey = Annotated[str, Path(pattern=r"^([0-9]{1,10}|CMP[0-9A-Z]{6,24})$",
                                   description="a complaint's number or its reference (CMP...)")]
AfterId = Annotated[int, Query(ge=0, le=MAX_ID, description="the last message id the client has")]
OutcomeKey = Annotated[str, Query(pattern=r"^[a-z_]{1,32}$", description="how the conversation ends (labels: outcomes)")]
QuoteAmount = Annotated[Decimal, Query(gt=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2,
                                       description="the principal, in yuan")]
QuoteTerm = Annotated[int, Query(ge=1, le=600, description="months; a standard term of the product rules")]
KnowledgeQuery = Annotated[str, Query(min_length=1, max_length=200, description="what to look up, in Chinese")]
ReportDays = Annotated[int, Query(ge=1, le=366, description="how many days back")]
DateFrom = Annotated[Optional[date], Query(description="first day, Asia/Shanghai (default: 29 days before date_to)")]
DateTo = Annotated[Optional[date], Query(description="last day, Asia/Shanghai (default: today)")]
ModelName = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,100}$", description="a trained model's name")]
JobId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="a training or evaluation job")]
PictureName = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="a picture of an evaluation")]
ImportId = Annotated[int, Path(ge=1, le=MAX_ID, description="an imported message's number")]
