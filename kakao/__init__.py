"""The KakaoTalk adapter: a skill server that answers 카카오 i 오픈빌더's SkillPayloads through the
channel-neutral conversation core (ieomoa/conversation/), rendering each turn within Kakao's
limits (three bubbles, ten quick replies, five seconds; late answers by callback).
``python -m kakao`` serves it. This package may import the core ``ieomoa``; nothing in
``ieomoa`` imports it, nor does any other adapter.
"""
