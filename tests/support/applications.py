"""Ready-made applications for tests that start after submission."""

from __future__ import annotations

from datetime import date

from ieomoa.services.applications import ApplicationDraft


def draft(**changes: object) -> ApplicationDraft:
    """A valid draft; keyword arguments override fields."""
    values: dict[str, object] = dict(
        name="홍길동", birth_date=date(1990, 3, 5), phone="01012345678", region="경기도 수원시",
        disability_types=["시각"], severity="심한", education="고졸", special_education_student=False,
        school=None, jobs=["바리스타"], employment_type="시간제", support_needs=["보조공학기기"],
        contact_preference="메신저", consent_local_center=False, consent_edu_office=False,
    )
    values.update(changes)
    return ApplicationDraft(**values)  # type: ignore[arg-type]
