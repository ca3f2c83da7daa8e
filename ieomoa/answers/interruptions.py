"""Is a message at an open form question an answer, or clearly something else?

The answer comes first: whatever intent the NLU predicted, a message is read as the
answer to the open question unless it also carries the words of that other request —
a question (…뭐예요?), stopping, fixing another answer, a person, voice or 쉬운 말.
"""

from __future__ import annotations

import re

from ieomoa.answers.text import clean

QUESTION = re.compile(
    r"[?？]|궁금|(뭐|뭔|무엇|무슨|어떻게|어떤|왜|언제|어디|누가|누구|얼마|몇).*"
    r"(예요|에요|이에요|인가요|나요|까요|가요|죠|니|냐|습니까|ㅂ니까|어요|해요|돼요|되나|되요)$"
    r"|(인가요|나요|을까요|ㄹ까요|할까요|습니까|되나요|있나요|없나요|하나요)$"
)
GREETING_ONLY = re.compile(r"(안녕(하세요|하십니까)?|반가워요|반갑습니다|하이|헬로|hello|hi)[\s.!~^]*", re.I)

# Words that confirm what the NLU heard, per interrupting intent.
CUES: dict[str, re.Pattern[str]] = {
    "faq": QUESTION,
    "cancel": re.compile(r"그만|취소|중단|멈추|멈춰|안\s*할래|안\s*할게|안\s*하고\s*싶|관둘|관두|신청\s*안\s*(해|할)|나중에\s*(할|하)"),
    "correct": re.compile(r"잘못|틀렸|틀린|고칠|고쳐|고치|수정|바꿀|바꿔|바꾸|정정"),
    "human_handoff": re.compile(r"상담사|상담원|상담\s*선생님|사람(이랑|과|하고|한테|을|이\s*랑|\s*연결)|직원|담당자"),
    "bot_challenge": re.compile(r"로봇|챗봇|봇이|기계|인공지능|\bai\b|사람이에요|사람이야|사람인가", re.I),
    "check_status": re.compile(r"상태|진행|어떻게\s*됐|접수\s*됐|결과"),
    "repeat": re.compile(r"다시\s*(말|해|들|보|물|알려|읽)|한\s*번\s*더|뭐라고|못\s*들었|못\s*봤|놓쳤"),
    "help": re.compile(r"도움말|도와\s*주|도와줘|도움이\s*필요|help|어떻게\s*(해야|하면|답|적|써|입력)", re.I),
    "delete_my_data": re.compile(r"지워|지우|삭제|탈퇴|없애"),
    "privacy_summary": re.compile(r"개인\s*정보|처리\s*방침|프라이버시|privacy", re.I),
    "show_my_data": re.compile(r"정보.*(보여|보기|볼\s*수|확인|열람|조회)|저장(된|한|해\s*둔)|열람"),
    "voice_on": re.compile(r"음성|소리|목소리|보이스|(읽어|들려)\s*(주세요|줘|주실|줄래|주면|주시겠)"),
    "voice_off": re.compile(r"음성|소리|목소리|보이스|글로만|읽지\s*마|안\s*읽어"),
    "voice_slow": re.compile(r"천천히|느리게|빨라|빠르"),
    "voice_normal": re.compile(r"보통\s*속도|원래\s*속도|빠르게|천천히\s*안"),
    "easy_read_on": re.compile(r"쉬운\s*말|쉽게|어려워|어려운\s*말"),
    "easy_read_off": re.compile(r"쉬운\s*말|쉽게|보통\s*말|원래\s*말|어려운\s*말"),
}


def interrupts(text: str, intent: str | None, other_field_named: bool = False) -> bool:
    """True when the message is clearly not an answer: its intent's own words are in it.

    ``other_field_named``: the message names a form field other than the open one; kept for
    callers, but a correction interrupts only with its own words ("전화번호 잘못 적었어요").
    """
    value = clean(text)
    if intent == "greet":
        return bool(GREETING_ONLY.fullmatch(value))
    if intent == "faq" and re.search(r"[?？]\s*$", text or ""):
        return True  # clean() drops the question mark; it is the clearest cue of all
    cue = CUES.get(intent or "")
    # A correction needs its own words ("잘못", "틀렸어요"): a school's name says "학교" too.
    return bool(cue and cue.search(value))
