"""Rasa checks every answer of the action server against a JSON schema; this checks it against
the same schema with a validator built once.

Rasa 3.6 calls `jsonschema.validate(answer, schema)` for each custom action, and that function
first validates the (large, constant) schema itself against the JSON-Schema meta-schema. Under
load that was the biggest single cost of a turn in the Rasa process (see README, "Capacity"):
about 45 ms per action call against 4 ms with a prepared validator. The answer is checked
exactly as before and an invalid answer still raises Rasa's own error.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.protocols import Validator
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator() -> Validator:
    """The validator of Rasa's action-response schema, with the schema itself checked once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        response_validator().validate(result)
        return True
    except ValidationError as error:  # the same message Rasa gives
        error.message += (
            f". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    """Use the prepared validator in this process (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
