"""Korean morphological tokenizer for Rasa, backed by MeCab-ko.

Rasa's WhitespaceTokenizer treats the whole Hangul block as emoji and turns each
sentence into one token. MeCab splits words into morphemes and returns surface
substrings with offsets, so "서울에서" becomes "서울" + "에서" and entities line up.

The morphemes are those of ieomoa_nlu.korean_morphemes, the same as the spaCy layer's: with
``names_from`` (the built spaCy pipeline, whose tokenizer stores the region names and
one-word vocabulary phrases) names MeCab does not know are joined ("영종구요" → "영종구" +
"요"), and a verb fused with its ending is split after its stem ("보여요" → "보여" + "요"). Rasa
keeps an annotated entity for DIET only when it starts and ends on token boundaries, so
these splits decide which of the training data's spans DIET learns at all.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from ieomoa_nlu.created_from_config import CreatedFromConfig
from ieomoa_nlu.korean_morphemes import KoreanMorphemes

# Punctuation and symbols carry no meaning for intents or entities.
SKIPPED_POS_PREFIXES = ("SF", "SE", "SS", "SP", "SO", "SW", "SY", "SC")


def names_file(pipeline: str | None) -> Path | None:
    """The names file of a built spaCy pipeline (its tokenizer), if there is one."""
    if not pipeline:
        return None
    path = Path(pipeline) / "tokenizer"
    return path if path.is_file() else None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class MecabKoTokenizer(CreatedFromConfig, Tokenizer):
    """Splits Korean text into morphemes; each token keeps its place in the text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # A spaCy pipeline built by build_spacy.py (relative to where Rasa runs): its
            # tokenizer's names are joined here too. None: MeCab's own words only.
            "names_from": None,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Korean only."""
        return ["ko"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The names change the tokens: Rasa's training cache must see them."""
        path = names_file(config.get("names_from"))
        return hashlib.sha256(path.read_bytes()).hexdigest() if path else None

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        names: list[str] = []
        if config.get("names_from"):
            path = names_file(config["names_from"])
            if path is None:
                raise FileNotFoundError(
                    f"names_from: no built spaCy pipeline at {config['names_from']} "
                    "(scripts/train-model.sh builds it)"
                )
            names = json.loads(path.read_text("utf-8"))["names"]
        self._analyzer = KoreanMorphemes(names)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Morphemes of the text as tokens, punctuation left out."""
        text = message.get(attribute) or ""
        tokens = [
            Token(text[m.start : m.end], m.start, m.end, lemma=text[m.start : m.end].lower(), data={"pos": m.tag})
            for m in self._analyzer(text)
            if not m.tag.startswith(SKIPPED_POS_PREFIXES)
        ]
        if not tokens:
            tokens = [Token(text, 0, len(text))]
        return self._apply_token_pattern(tokens)
