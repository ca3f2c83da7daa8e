"""Korean particles that depend on the last syllable (받침)."""

from __future__ import annotations


def has_final_consonant(word: str) -> bool:
    """True when the last Hangul syllable has a 받침 (digits read as Korean numbers)."""
    if not word:
        return False
    last = word.rstrip()[-1]
    if "가" <= last <= "힣":
        return (ord(last) - ord("가")) % 28 != 0
    return last in "013678LMNR"  # 영, 일, 삼, 육, 칠, 팔 and English letters read with a 받침


def particle(word: str, with_final: str, without_final: str) -> str:
    """``word`` followed by the right particle: particle("센터", "과", "와") → "센터와"."""
    return word + (with_final if has_final_consonant(word) else without_final)


def to_direction(word: str) -> str:
    """"서울특별시로", "경기도 수원시로", "강남구로" ((으)로; ㄹ받침 takes 로)."""
    last = word.rstrip()[-1] if word else ""
    if "가" <= last <= "힣" and (ord(last) - ord("가")) % 28 == 8:  # ㄹ
        return word + "로"
    return particle(word, "으로", "로")
