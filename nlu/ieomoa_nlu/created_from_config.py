"""``create`` for Rasa graph components built from their config alone (nothing stored to load)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class CreatedFromConfig:
    """Mixin, listed before the Rasa base class: Rasa's ``create`` calls ``cls(config)``."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        """Creates the component (it has nothing to train or load)."""
        return cls(config)  # type: ignore[call-arg,return-value]
