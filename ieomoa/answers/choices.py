"""Closed-set answers: disability types, severity, education and the other choices.

Each accepts the button value, its number in the list, or everyday words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ieomoa.answers import InvalidAnswer
from ieomoa.answers.text import clean, is_only_numbers, numbers_in
from ieomoa.answers.vocabulary import named_values
from ieomoa.answers.vocabulary import values as vocabulary_values

# The closed sets come from data/vocabulary.json, which the NLU's entity ruler is built from.
DISABILITY_TYPES = vocabulary_values("disability_type")  # 장애인복지법's 15 types

# Everyday phrasings → legal type. Checked in order, so longer or more specific first.
DISABILITY_PHRASES: list[tuple[str, str]] = [
    (r"뇌\s*전증|간질(?!환)|발작", "뇌전증"),
    (r"뇌\s*병변|뇌성\s*마비|뇌졸중|중풍|뇌\s*손상|뇌\s*출혈|뇌경색", "뇌병변"),
    (r"장루|요루", "장루요루"),
    (r"자폐", "자폐성"),
    (r"지적|지능|인지\s*장애", "지적"),
    (r"정신|조현|우울|양극성|조울|강박", "정신"),
    (r"시각|시력|눈이|눈\s|앞이\s*안|안\s*보여|잘\s*안\s*보|못\s*봐|맹인|저시력|실명|점자", "시각"),
    (r"청각|청력|귀가|귀\s|안\s*들|잘\s*안\s*들|못\s*들|난청|농인|보청기|수어", "청각"),
    (r"언어|말을\s*잘|말하기|말이\s*어|발음|말더듬|말을\s*못", "언어"),
    (r"안면|얼굴", "안면"),
    (r"(^|[^정])신장|콩팥|투석", "신장"),
    (r"심장", "심장"),
    (r"(^|\s)간(\s|$|장애|질환|이식|경화|이요|이에요|입니다)", "간"),
    (r"호흡|(^|[^자])폐|숨이|숨쉬", "호흡기"),
    (r"지체|팔|다리|척추|휠체어|절단|관절|마비|못\s*걸|걷기|거동", "지체"),
]

SEVERITY_VALUES = vocabulary_values("severity")  # 심한, 심하지않은
EDUCATION_VALUES = vocabulary_values("education")
EMPLOYMENT_TYPES = vocabulary_values("employment_type")
SUPPORT_NEEDS = vocabulary_values("support_need")
NO_SUPPORT = "없음"
CONTACT_PREFERENCES = ["메신저", "전화", "행정복지센터 방문"]


def _pick_by_numbers(text: str, values: Sequence[str]) -> list[str] | None:
    """Values picked by their 1-based numbers, or None when the answer is not numbers."""
    if not is_only_numbers(text):
        return None
    numbers = numbers_in(text)
    if any(n < 1 or n > len(values) for n in numbers):
        raise InvalidAnswer("choice_number", count=len(values))
    return list(dict.fromkeys(values[n - 1] for n in numbers))


def _choose(
    text: str, values: Sequence[str], rules: list[tuple[str, str]], reason: str, vocabulary: str | None = None
) -> str:
    """One value of a closed set: by its number, else by the first rule whose pattern matches,
    else by a phrasing of the vocabulary (data/vocabulary.json) the text contains."""
    value = clean(text).replace(" ", "")
    picked = _pick_by_numbers(value, values)
    if picked:
        return picked[0]
    for pattern, choice in rules:
        if re.search(pattern, value):
            return choice
    named = named_values(vocabulary, value) if vocabulary else []
    if len(named) == 1:
        return named[0]
    raise InvalidAnswer(reason)


def parse_disability_types(text: str) -> list[str]:
    """One or more of the 15 legal types, from names, numbers or everyday words."""
    value = clean(text)
    picked = _pick_by_numbers(value, DISABILITY_TYPES)
    if picked:
        return picked
    found: list[str] = []
    for legal in DISABILITY_TYPES:  # exact legal names first ("시각장애", "지체")
        if re.search(rf"(^|[\s,]){legal}(장애|\s|,|$|이|요|예요|이에요|입니다)", value) and legal != "간":
            found.append(legal)
    rest = value
    for pattern, legal in DISABILITY_PHRASES:
        if legal not in found and re.search(pattern, rest):
            found.append(legal)
    # Every phrasing of data/vocabulary.json, as the NLU knows them ("목발", "인공와우").
    found += [legal for legal in named_values("disability_type", value) if legal not in found]
    if not found:
        raise InvalidAnswer("disability_unknown")
    return [t for t in DISABILITY_TYPES if t in found]


def parse_severity(text: str) -> str:
    """심한 or 심하지않은; old grades 1–3 / 중증 → 심한, 4–6 / 경증 → 심하지않은."""
    value = clean(text).replace(" ", "")
    if value in ("1", "1번"):
        return "심한"
    if value in ("2", "2번"):
        return "심하지않은"
    grade = re.search(r"([1-6일이삼사오육])\s*등?급", value)  # the old grades: "2급", "2등급", "이급"
    if grade:
        return "심한" if "123일이삼".find(grade[1]) >= 0 else "심하지않은"
    if re.search(r"심하지않|안심(한|해|하)|심하진않|경증|가벼운|가벼워|경도", value):
        return "심하지않은"
    if re.search(r"심한|심해|중증|중度|중도", value):
        return "심한"
    named = named_values("severity", value)
    if len(named) == 1:
        return named[0]
    raise InvalidAnswer("severity_unknown")


# Still at (or left without finishing) a school: the last one finished is the level below.
STILL_AT_SCHOOL = re.compile(r"(?<![가-힣])[고중][1-3](?!\d)|학년|(?:고등|중|대)학생|다니고|다녀요|다녀|다니는|다닙니다|재학|다니다|중퇴|그만뒀|그만두|휴학|자퇴|졸업\s*전|졸업\s*못|못\s*했|안\s*했|다니는\s*중")
LEVEL_BELOW = {"대졸이상": "고졸", "전문대졸": "고졸", "고졸": "중졸", "중졸": "초졸이하", "초졸이하": "초졸이하"}
EDUCATION_RULES = [
    (r"대학원|석사|박사", "대졸이상"),
    (r"전문대|2년제|3년제|전문학사", "전문대졸"),
    (r"대졸|대학|4년제", "대졸이상"),
    (r"고졸|고등|고교|고[1-3](?!\d)|검정고시|특수학교고등|전공과", "고졸"),
    (r"중졸|중학|중[1-3](?!\d)", "중졸"),
    (r"초졸|초등|학교안|학교를안|안다녔|못다녔|무학|초졸이하", "초졸이하"),
]


def parse_education(text: str) -> str:
    """Highest education completed, as one of the five levels.

    "고등학교 다니고 있어요" has not finished high school: the level below (중졸) is meant.
    """
    level = school_level_named(text)
    compact = clean(text).replace(" ", "")
    # 전공과 comes after high school, and 대학원 after a degree: attending them keeps the level.
    finished_before = "전공과" in compact or "대학원" in compact
    if not is_only_numbers(compact) and still_at_school(text) and level != "초졸이하" and not finished_before:
        return LEVEL_BELOW[level]
    return level


def school_level_named(text: str) -> str:
    """The level of the school a message names, finished or not ("고등학교 다녀요" → 고졸)."""
    return _choose(text, EDUCATION_VALUES, EDUCATION_RULES, "education_unknown", "education")


def still_at_school(text: str) -> bool:
    """True for "다니고 있어요", "중퇴했어요": a school named but not finished."""
    value = clean(text)
    return bool(STILL_AT_SCHOOL.search(value)) and not re.search(r"졸업했|졸업 했|나왔", value)


def parse_employment_type(text: str) -> str:
    """전일제, 시간제, 재택 or 무관."""
    rules = [
        (r"재택|집에서|원격", "재택"),
        (r"시간제|파트|알바|아르바이트|단시간|반나절|몇시간", "시간제"),
        (r"전일|풀타임|정규|하루종일|종일|8시간", "전일제"),
        (r"무관|상관없|아무거나|다좋|다괜찮|모두", "무관"),
    ]
    return _choose(text, EMPLOYMENT_TYPES, rules, "employment_type_unknown", "employment_type")


def parse_support_needs(text: str) -> list[str]:
    """Any of the seven supports, or an empty list for 없음."""
    value = clean(text)
    options = SUPPORT_NEEDS + [NO_SUPPORT]
    picked = _pick_by_numbers(value, options)
    if picked is not None:
        if NO_SUPPORT in picked and len(picked) > 1:
            raise InvalidAnswer("support_needs_conflict")
        return [p for p in picked if p != NO_SUPPORT]
    compact = value.replace(" ", "")
    if re.fullmatch(r"(없음|없어요|없습니다|없어|필요없어요|필요없음|괜찮아요|아니요|아뇨)", compact):
        return []
    rules = [
        (r"근로지원|도우미|옆에서도와", "근로지원인"),
        (r"보조공학|보조기기|공학기기|기기|확대기|스크린리더|화면낭독|화면읽|읽어주는프로그램|점자|보청기|특수키보드", "보조공학기기"),
        (r"수어|수화", "수어통역"),
        (r"직업훈련|훈련|교육받", "직업훈련"),
        (r"능력평가|직업평가|평가", "직업능력평가"),
        (r"지원고용", "지원고용"),
        (r"통근|출퇴근|교통", "통근지원"),
    ]
    found = [need for pattern, need in rules if re.search(pattern, compact)]
    found += [need for need in named_values("support_need", compact) if need not in found]
    if not found:
        raise InvalidAnswer("support_needs_unknown")
    return [n for n in SUPPORT_NEEDS if n in found]


def parse_contact_preference(text: str) -> str:
    """메신저, 전화 or 행정복지센터 방문."""
    rules = [
        (r"방문|센터|주민센터|동사무소|행정복지|직접", "행정복지센터 방문"),
        (r"전화|통화|콜", "전화"),
        (r"메신저|텔레그램|메시지|문자|채팅|카톡", "메신저"),
    ]
    return _choose(text, CONTACT_PREFERENCES, rules, "contact_preference_unknown")


def parse_yes_no(text: str) -> bool:
    """네/아니요 in the many ways people say them."""
    value = clean(text).replace(" ", "")
    if value in ("1", "1번"):
        return True
    if value in ("2", "2번"):
        return False
    if re.search(r"^(아니|아뇨|아님|ㄴㄴ|no|싫|안해|안할|동의하지않|동의안|거부|반대)", value, re.I):
        return False
    if re.search(r"^(네|예|응|어|ㅇㅇ|맞|그래|좋아|좋습|yes|ok|오케이|동의|넵|웅|당연|물론)", value, re.I):
        return True
    raise InvalidAnswer("yes_no_unknown")


SUBMIT_WORDS = re.compile(r"제출|보내|접수|신청할게|신청해|그대로|맞아|좋아|확인")


def confirms_submission(text: str) -> bool:
    """True when typed text really says yes at the summary ("네", "제출할게요"), not "ㅋㅋㅋ" or "👍"."""
    value = clean(text)
    if re.search(r"아니|안\s*(해|할|보내)|말고|지\s*마|지\s*말|않|취소|수정|고칠|그만", value):
        return False
    try:
        return parse_yes_no(value)
    except InvalidAnswer:
        return bool(SUBMIT_WORDS.search(value))


def parse_special_education(text: str) -> bool:
    """Special-education student or not: "네 특수학교 다녀요" is yes, "졸업했어요" is no."""
    value = clean(text).replace(" ", "")
    try:
        return parse_yes_no(text)
    except InvalidAnswer:
        pass
    if re.search(r"졸업|학생아|아니|안다녀|안다님|다니지않|그만뒀|없어요|해당없|해당안", value):
        return False
    if re.search(r"특수|전공과|특수학급|학생이|학생입|다니고|다녀요|다녀|다닙니다|재학|맞아", value):
        return True
    raise InvalidAnswer("yes_no_unknown")


NOT_NAMES = re.compile(
    r"^(안녕|하이|헬로|반가|감사|고마|네|아니|응|몰라|모르|도움|그만|취소|로봇|챗봇|상담)"
)


def parse_name(text: str) -> str:
    """A person's name: 2–30 letters, Hangul or Latin, spaces allowed; not a greeting or reply."""
    value = clean(text)
    if NOT_NAMES.match(value):
        raise InvalidAnswer("name_format")
    value = re.sub(r"^(제\s*이름은|이름은|저는|전)\s*", "", value)
    value = re.sub(r"\s*(입니다|이에요|예요|이라고\s*해요|라고\s*해요|이요|요)$", "", value)
    if not re.fullmatch(r"[가-힣a-zA-Z][가-힣a-zA-Z .'-]{0,28}[가-힣a-zA-Z]", value):
        raise InvalidAnswer("name_format")
    return value


def parse_free_text(text: str, *, max_length: int = 100) -> str:
    """Short free text (school, desired job): cleaned, not empty, not too long."""
    value = clean(text)
    if len(value) < 2 or not re.search(r"[가-힣a-zA-Z]", value):
        raise InvalidAnswer("free_text_short")
    if len(value) > max_length:
        raise InvalidAnswer("free_text_long", limit=max_length)
    return value


# What people add around the jobs themselves: "… 일을 하고 싶어요", "바리스타가 되고 싶어요".
JOB_TAILS = [
    r"(이|가)\s*되고\s*싶(어요|습니다|어|은데요|네요|다)",
    r"(하고|되고|배우고)\s*싶(어요|습니다|어|은데요|네요|다|어용)",
    r"(했|됐|되었|하였)으면\s*(좋겠어요|좋겠습니다|해요|좋겠다)",
    r"(하|되)면\s*좋겠(어요|습니다)",
    r"원해요|원합니다|희망해요|희망합니다|할래요|하려고요|할\s*거예요|하고\s*싶은데",
    r"입니다|이에요|예요|에요|이요|요",
    r"(?<=[가-힣])(을|를)",
    r"(?<!하는)\s(일|직업|일자리|직종|업무|분야|쪽|쪽\s*일|관련\s*일|같은\s*일)",
]
JOB_TAIL = re.compile(r"\s*(?:" + "|".join(JOB_TAILS) + r")$")
JOB_SEPARATORS = re.compile(r"\s*(?:,|/|·|그리고|또는|혹은|아니면)\s*|(?<=[가-힣])(?:이나|이랑|랑|나|하고|와|과)\s+")


def _without_tails(text: str, tail: re.Pattern[str], times: int) -> str:
    """``text`` with ``tail`` cut off its end up to ``times`` times, keeping two letters."""
    for _ in range(times):
        shorter = tail.sub("", text).strip()
        if shorter == text or len(shorter) < 2:
            break
        text = shorter
    return text


def _job_core(part: str) -> str:
    """A job without particles and verb endings: "콜센터 상담 일을 하고 싶어요" → "콜센터 상담"."""
    return _without_tails(part, JOB_TAIL, 6)


SCHOOL_TAIL = re.compile(
    r"\s*(에\s*)?(다니고\s*있어요|다니고\s*있습니다|다녀요|다닙니다|다니는\s*중이에요|다니고요|다녀|다님|재학\s*중이에요|재학\s*중|"
    r"입니다|이에요|예요|에요|이요|요)$"
)


def parse_school(text: str) -> str:
    """A school's name without "… 다녀요": "한빛학교 전공과 다니고 있어요" → "한빛학교 전공과"."""
    return _without_tails(parse_free_text(text, max_length=60), SCHOOL_TAIL, 3)


def parse_jobs(text: str) -> list[str]:
    """One or more desired jobs, split on commas and 'and', without endings and particles."""
    value = parse_free_text(text)
    if re.fullmatch(r"(아무거나|모르겠어요|잘\s*모르겠어요|상관없어요|아직\s*몰라요|아직\s*모르겠어요|몰라요|없어요|아직\s*없어요)", value):
        return ["상담 후 결정"]
    whole = _job_core(value)
    parts = [_job_core(p.strip()) for p in JOB_SEPARATORS.split(whole)]
    jobs = [p for p in parts if len(p) >= 2]
    return list(dict.fromkeys(jobs))[:5] or [whole]
