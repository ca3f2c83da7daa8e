"""Korean morphological tokenizer for Rasa, backed by MeCab-ko.

Rasa's WhitespaceTokenizer treats the whole Hangul block as emoji and turns each
sentence into one token. MeCab splits words into morphemes and returns surface
substrings with offsets, so "서울에서" becomes "서울" + "에서" and entities line up.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from mecab import MeCab
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

# Punctuation and symbols carry no meaning for intents or entities.
SKIPPED_POS_PREFIXES = ("SF", "SE", "SS", "SP", "SO", "SW", "SY", "SC")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class MecabKoTokenizer(Tokenizer):
    """Splits Korean text into morphemes; each token keeps its place in the text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Korean only."""
        return ["ko"]

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._mecab = MeCab()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MecabKoTokenizer":
        """Creates the tokenizer (it has nothing to train)."""
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Morphemes of the text as tokens, punctuation left out."""
        text = message.get(attribute) or ""
        tokens = []
        position = 0
        for m in self._mecab.parse(text):
            # MeCab's spans do not count leading whitespace: find each surface in the text.
            start = text.find(m.surface, position)
            if start < 0:
                continue
            position = start + len(m.surface)
            if not m.pos.startswith(SKIPPED_POS_PREFIXES):
                tokens.append(Token(m.surface, start, position, lemma=m.surface.lower(), data={"pos": m.pos}))
        if not tokens:
            tokens = [Token(text, 0, len(text))]
        return self._apply_token_pattern(tokens)
