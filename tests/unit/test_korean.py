"""Particles after words and numbers, as a Korean reader says them."""

from __future__ import annotations

from ieomoa.korean import particle, to_direction


def test_particles_follow_the_last_syllable_and_digits_as_read() -> None:
    assert particle("센터", "과", "와") == "센터와"
    assert particle("공단", "과", "와") == "공단과"
    # 영 일 삼 육 칠 팔 end in a consonant; 이 사 오 구 do not.
    assert [particle(f"IEM-2026-00012{d}", "이에요", "예요").split(d)[-1] for d in "0123456789"] == [
        "이에요", "이에요", "예요", "이에요", "예요", "예요", "이에요", "이에요", "이에요", "예요"
    ]


def test_direction_particle_after_rieul_and_vowels() -> None:
    assert to_direction("서울특별시") == "서울특별시로"
    assert to_direction("강남구") == "강남구로"
    assert to_direction("공단") == "공단으로"
    assert to_direction("한빛마을") == "한빛마을로"
