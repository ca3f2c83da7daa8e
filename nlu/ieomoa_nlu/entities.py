"""Entity extraction for the closed vocabularies, phone and application numbers.

Three Rasa components, used in nlu/config.yml after DIETClassifier:

* ``VocabularyEntityExtractor``: the entity ruler of the spaCy pipeline (built by
  ieomoa_nlu/build_spacy.py from ieomoa/data/vocabulary.json and regions.json, loaded by
  SpacyNLP). The value is the normalized value (the pattern's id): "눈이 잘 안 보여요" →
  disability_type "시각", "강원도 춘천" → region "강원특별자치도 춘천시".
* ``PatternEntityExtractor``: mobile phone numbers (value: digits only) and application
  numbers (``application_number``, value "IEM-YYYY-NNNNNN"), by regular expression.
* ``EntityOverlapFilter``: drops the entities of other extractors (DIET, whose value the
  synonym table may not know) that overlap an entity of the two above, so whoever reads
  the parse gets one entity per span, and keeps each value once. DIET keeps what the
  vocabularies do not cover (job, field, and phrasings the ruler has no pattern for), but
  an entity of a closed set (region, disability type …) only with a value of that set
  (words DIET marked that no synonym normalizes are no answer anyone can store), and any
  entity only under an intent the training data annotates it with.
  Vocabulary entities are dropped for intents whose training examples carry no entity
  (faq, repeat …), as DIET learns to.
"""

from __future__ import annotations

import typing
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from ieomoa_nlu.created_from_config import CreatedFromConfig
from ieomoa_nlu.entity_rules import (
    PATTERN_ONLY_ENTITIES,
    is_question,
    keep_first_of_each_value,
    negated,
    pattern_entities,
    resolve_overlaps,
    trim_to_content,
)

if typing.TYPE_CHECKING:
    from spacy.tokens.doc import Doc


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class VocabularyEntityExtractor(SpacyEntityExtractor):
    """spaCy's entities with the pattern id (the normalized value) as value."""

    @staticmethod
    def _extract_entities(doc: Doc) -> list[dict[str, Any]]:
        return [
            {
                "entity": ent.label_,
                "value": ent.ent_id_ or ent.text,
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence_entity": 1.0,
            }
            for ent in doc.ents
        ]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PatternEntityExtractor(CreatedFromConfig, GraphComponent, EntityExtractorMixin):
    """Phone numbers and application numbers by regular expression."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            extracted = self.add_extractor_name(pattern_entities(message.get(TEXT) or ""))
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class EntityOverlapFilter(GraphComponent):
    """One entity per span and per value; vocabulary entities where the training data has any.

    * the vocabulary and pattern extractors win over DIET wherever they overlap;
    * each (entity, value) is kept once, at its first mention;
    * entities of ``intent_bound_extractors`` are dropped when the predicted intent has no
      entity annotated in the training data and the text asks something ("지원고용이
      뭐예요?") or the intent is one of ``never_answer_intents`` ("못 들었어요" is repeat):
      they mention vocabulary words without answering anything. A statement keeps them
      whatever the intent ("보조기기요" read as an FAQ is still an answer);
    * a value followed by a negation in its clause is declined, not given: "수어통역은
      필요 없어요", "재택 말고 전일제요" (``negated``);
    * phone and application numbers come from the regular expressions only: DIET marks
      "1" of "1번 제출";
    * another extractor's entity is trimmed to its content: no particle or ending at its
      edges ("서 프로그래머" → "프로그래머");
    * entities of ``closed_entities`` from other extractors are kept only with a value the
      training data knows for them (an annotated value or a synonym's target);
    * an entity of another extractor is kept only under an intent the training data
      annotates that entity with: "번호" in "제 번호는 010…이에요" is no ``field`` (only
      ``correct`` names a field to change).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "preferred_extractors": ["PatternEntityExtractor", "VocabularyEntityExtractor"],
            "intent_bound_extractors": ["VocabularyEntityExtractor"],
            "never_answer_intents": [
                "repeat", "greet", "goodbye", "thank", "bot_challenge", "voice_on", "voice_off",
                "voice_slow", "voice_normal", "easy_read_on", "easy_read_off",
            ],
            "closed_entities": [
                "region", "disability_type", "severity", "education", "employment_type", "support_need",
            ],
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        intents_with_entities: list[str] | None = None,
        closed_values: dict[str, list[str]] | None = None,
        entity_intents: dict[str, list[str]] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._intents_with_entities = set(intents_with_entities or [])
        self._closed_values = {entity: set(found) for entity, found in (closed_values or {}).items()}
        self._entity_intents = {entity: set(found) for entity, found in (entity_intents or {}).items()}

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> EntityOverlapFilter:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self._intents_with_entities = {
            example.get(INTENT)
            for example in training_data.training_examples
            if example.get(INTENT) and example.get(ENTITIES)
        }
        synonyms = training_data.entity_synonyms
        closed = set(self._config["closed_entities"])
        known: dict[str, set] = {entity: set(synonyms.values()) for entity in closed}
        intents: dict[str, set] = {}
        for example in training_data.training_examples:
            for entity in example.get(ENTITIES) or []:
                intents.setdefault(entity["entity"], set()).add(example.get(INTENT))
                if entity["entity"] in closed:
                    value = str(entity.get("value"))
                    known[entity["entity"]].add(synonyms.get(value, value))
        self._closed_values = known
        self._entity_intents = intents
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / "intents_with_entities.json", sorted(self._intents_with_entities)
            )
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / "closed_values.json", {k: sorted(v) for k, v in sorted(known.items())}
            )
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / "entity_intents.json", {k: sorted(v) for k, v in sorted(intents.items())}
            )
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> EntityOverlapFilter:
        intents: list[str] = []
        closed_values: dict[str, list[str]] = {}
        entity_intents: dict[str, list[str]] = {}
        try:
            with model_storage.read_from(resource) as directory:
                intents = rasa.shared.utils.io.read_json_file(directory / "intents_with_entities.json")
                closed_values = rasa.shared.utils.io.read_json_file(directory / "closed_values.json")
                entity_intents = rasa.shared.utils.io.read_json_file(directory / "entity_intents.json")
        except ValueError:
            pass  # not trained (no training data): nothing is intent-bound or closed
        return cls(config, model_storage, resource, intents, closed_values, entity_intents)

    def _plausible(self, entity: dict[str, Any], intent: str | None) -> bool:
        """A closed set's entity with one of its values, under an intent annotated with it."""
        name = entity["entity"]
        if name in self._closed_values and str(entity.get("value")) not in self._closed_values[name]:
            return False
        return name not in self._entity_intents or intent in self._entity_intents[name]

    def process(self, messages: list[Message]) -> list[Message]:
        bound = set(self._config["intent_bound_extractors"])
        never_answers = set(self._config["never_answer_intents"])
        preferred = list(self._config["preferred_extractors"])
        for message in messages:
            entities: list[dict[str, Any]] | None = message.get(ENTITIES)
            if not entities:
                continue
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if self._intents_with_entities and intent not in self._intents_with_entities and (
                intent in never_answers or is_question(text)
            ):
                entities = [e for e in entities if e.get("extractor") not in bound]
            tokens = [(t.start, t.end, str(t.get("pos") or "")) for t in message.get(TOKENS_NAMES[TEXT]) or []]
            kept = []
            for entity in entities:
                if entity.get("extractor") not in preferred:
                    if entity["entity"] in PATTERN_ONLY_ENTITIES or not self._plausible(entity, intent):
                        continue
                    entity = trim_to_content(text, entity, tokens)
                    if entity is None:
                        continue
                if not negated(text, entity):
                    kept.append(entity)
            entities = resolve_overlaps(kept, preferred)
            message.set(ENTITIES, keep_first_of_each_value(entities), add_to_output=True)
        return messages
