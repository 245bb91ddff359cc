"""Which specializations treat a prescribed condition: the mapping plans are checked on.

A plan's specialization must treat its prescription's condition (a prenatal plan on a
sciatica prescription is refused). A prescription names its condition in words (as the
prescriber wrote it) and optionally as an ICD-10 code; both are matched against this
table: a condition matches a row when it contains one of the row's phrases (whole
words, case-insensitive) or its ICD-10 code starts with one of the row's prefixes. The
specializations allowed are the union over every matching row.

A clinic extends the table with its own phrases (`Clinic.condition_map`, edited by its
admins): the extension adds specializations, it never removes the defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scheduler.domain.errors import ConditionMismatch, InvalidInput
from scheduler.domain.rules.care import specializations

ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")


@dataclass(frozen=True)
class ConditionRule:
    """Conditions (by phrase or ICD-10 prefix) that a set of specializations treats."""

    label: str
    phrases: tuple[str, ...]
    icd10: tuple[str, ...]
    treated_by: frozenset[str]


CONDITIONS: tuple[ConditionRule, ...] = (
    ConditionRule("multiple sclerosis", ("multiple sclerosis", "ms"), ("G35",), frozenset({"ms"})),
    ConditionRule(
        "pregnancy and postpartum",
        ("pregnancy", "pregnant", "prenatal", "antenatal", "postpartum"),
        ("O", "Z33", "Z34", "Z39"),
        frozenset({"prenatal"}),
    ),
    ConditionRule(
        "sports and soft-tissue injury",
        (
            "sprain",
            "strain",
            "tendinitis",
            "tendinopathy",
            "tendonitis",
            "bursitis",
            "sports injury",
            "injury",
            "whiplash",
            "rotator cuff",
            "tennis elbow",
            "plantar fasciitis",
            "tear",
            "post-operative",
            "postoperative",
            "fracture rehab",
        ),
        ("S", "M65", "M66", "M67", "M70", "M75", "M76", "M77"),
        frozenset({"sports_injury", "general"}),
    ),
    ConditionRule(
        "lymphedema and swelling",
        ("lymphedema", "lymphoedema", "edema", "oedema", "lipedema", "swelling", "mastectomy"),
        ("I89", "I97.2", "R60", "Q82.0"),
        frozenset({"lymphatic"}),
    ),
    ConditionRule(
        "cancer",
        (
            "cancer",
            "tumor",
            "tumour",
            "carcinoma",
            "lymphoma",
            "leukemia",
            "oncology",
            "chemotherapy",
        ),
        ("C", "D0", "Z85", "Z51.1"),
        frozenset({"oncology", "lymphatic"}),
    ),
    ConditionRule(
        "fibromyalgia and myofascial pain",
        ("fibromyalgia", "myofascial pain", "chronic widespread pain"),
        ("M79.7", "M79.1"),
        frozenset({"fibromyalgia", "general"}),
    ),
    ConditionRule(
        "temporomandibular disorders",
        ("tmj", "temporomandibular", "jaw pain", "bruxism"),
        ("M26.6",),
        frozenset({"tmj"}),
    ),
    ConditionRule(
        "conditions of older age",
        ("parkinson", "parkinson's", "arthritis", "osteoarthritis", "frailty", "stroke"),
        ("G20", "M15", "M16", "M17", "M18", "M19", "R54", "I69"),
        frozenset({"geriatric", "general"}),
    ),
    ConditionRule(
        "back, neck and nerve pain; headache; tension",
        (
            "back pain",
            "low back",
            "lumbago",
            "neck pain",
            "sciatica",
            "headache",
            "migraine",
            "muscle tension",
            "muscle spasm",
            "posture",
            "postural",
            "carpal tunnel",
            "stress",
        ),
        ("M54", "M53", "G43", "G44", "G56.0", "M62.83"),
        frozenset({"general"}),
    ),
)
"""The default table; `docs`: README's "Conditions and specializations"."""


def icd10(code: str | None) -> str | None:
    """A validated ICD-10 code ('G35', 'M54.3'), upper-cased; None when not given."""
    if code is None or not code.strip():
        return None
    value = code.strip().upper()
    if not ICD10.match(value):
        raise InvalidInput(f"{code!r} is not an ICD-10 code such as 'M54.3' or 'G35'")
    return value


def _mentions(condition: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", condition) is not None


def treating(
    condition: str, code: str | None = None, extra: Mapping[str, Sequence[str]] | None = None
) -> frozenset[str]:
    """The specializations that treat `condition` (words, optional ICD-10 `code`), with a
    clinic's `extra` phrases (phrase → specializations) added to the defaults."""
    words = condition.lower()
    found: set[str] = set()
    for rule in CONDITIONS:
        if any(_mentions(words, phrase) for phrase in rule.phrases) or (
            code is not None and any(code.startswith(prefix) for prefix in rule.icd10)
        ):
            found |= rule.treated_by
    for phrase, skills in (extra or {}).items():
        if _mentions(words, phrase.lower()):
            found |= set(skills)
    return frozenset(found)


def check_treats(
    specialization: str,
    condition: str,
    code: str | None = None,
    extra: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Raise ConditionMismatch unless `specialization` treats the condition."""
    allowed = treating(condition, code, extra)
    if specialization not in allowed:
        known = ", ".join(sorted(allowed)) or "none on file"
        raise ConditionMismatch(
            f"{specialization} does not treat the prescribed condition (treated by: {known}): "
            "choose one of those, or ask an admin to map the condition for this clinic"
        )


def mapping(phrase: str, skills: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """A validated extension entry: a phrase of 2-80 characters and known specializations."""
    words = phrase.strip().lower()
    if not 2 <= len(words) <= 80:
        raise InvalidInput("a condition phrase must have 2 to 80 characters")
    chosen = specializations(skills)
    if not chosen:
        raise InvalidInput("map the condition to at least one specialization")
    return words, chosen
