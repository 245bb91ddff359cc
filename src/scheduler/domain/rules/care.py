"""The clinic's treatment vocabulary: specializations and what contraindicates them."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.domain.errors import InvalidInput

SPECIALIZATIONS = frozenset(
    {
        "prenatal",
        "ms",
        "sports_injury",
        "lymphatic",
        "oncology",
        "fibromyalgia",
        "tmj",
        "geriatric",
        "general",
    }
)

ALL = SPECIALIZATIONS
"""A flag that rules out every kind of medical massage until cleared."""

CONTRAINDICATIONS: dict[str, frozenset[str]] = {
    # Systemic: no massage of any kind until a physician clears the patient.
    "acute_dvt": ALL,
    "fever": ALL,
    "acute_infection": ALL,
    "uncontrolled_hypertension": ALL,
    # Local or treatment-specific: only the named kinds of massage are ruled out.
    "high_risk_pregnancy": frozenset({"prenatal"}),
    "active_chemotherapy": ALL - {"oncology", "lymphatic"},
    "congestive_heart_failure": frozenset({"lymphatic"}),
    "acute_fracture": frozenset({"sports_injury", "geriatric"}),
    "jaw_dislocation": frozenset({"tmj"}),
    "open_wound": ALL - {"tmj"},
}
"""Contraindication flag → the specializations it rules out."""


def specializations(values: Iterable[str]) -> tuple[str, ...]:
    """Validated, sorted specializations; InvalidInput names any unknown one."""
    result = tuple(sorted(set(values)))
    unknown = [value for value in result if value not in SPECIALIZATIONS]
    if unknown:
        raise InvalidInput(f"unknown specialization(s) {unknown}: use {sorted(SPECIALIZATIONS)}")
    return result


def contraindication_flags(values: Iterable[str]) -> tuple[str, ...]:
    """Validated, sorted contraindication flags; InvalidInput names any unknown one."""
    result = tuple(sorted(set(values)))
    unknown = [value for value in result if value not in CONTRAINDICATIONS]
    if unknown:
        raise InvalidInput(
            f"unknown contraindication flag(s) {unknown}: use {sorted(CONTRAINDICATIONS)}"
        )
    return result


def ruled_out_by(flags: Iterable[str], specialization: str) -> list[str]:
    """The flags among `flags` that rule out `specialization`."""
    return [flag for flag in flags if specialization in CONTRAINDICATIONS.get(flag, ALL)]


INTAKE_QUESTIONS: dict[str, tuple[str, str]] = {
    "fever": ("Do you have a fever or feel unwell today?", "fever"),
    "blood_clot": ("Have you been told you have a blood clot (DVT) now?", "acute_dvt"),
    "infection": ("Do you have an infection being treated now?", "acute_infection"),
    "blood_pressure": (
        "Is your blood pressure high and not controlled by medication?",
        "uncontrolled_hypertension",
    ),
    "high_risk_pregnancy": (
        "Are you pregnant with a pregnancy your doctor calls high-risk?",
        "high_risk_pregnancy",
    ),
    "chemotherapy": ("Are you receiving chemotherapy now?", "active_chemotherapy"),
    "heart_failure": ("Have you been diagnosed with heart failure?", "congestive_heart_failure"),
    "fracture": ("Do you have a fracture that has not healed?", "acute_fracture"),
    "jaw": ("Has your jaw been dislocated recently?", "jaw_dislocation"),
    "wound": ("Do you have an open wound or burn where you want treatment?", "open_wound"),
}
"""The intake's contraindication questions: answer key → (question, the flag a yes suggests).

A yes *suggests* the flag; the therapist confirms or clears it in the evaluation."""


def suggested_flags(answers: dict[str, bool]) -> list[str]:
    """The contraindication flags the intake's yes answers suggest."""
    return sorted(INTAKE_QUESTIONS[key][1] for key, yes in answers.items() if yes)
