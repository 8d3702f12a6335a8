"""Realistic incidents on the sample Điện Biên configuration (config/dienbien) and the exact
agencies each must reach. Data only, shared by the unit and integration tests and the benchmarks.

Official unit codes (config/dienbien/units.yaml): 03127 Điện Biên Phủ ward, 03334 Mường Thanh
ward, 03151 Mường Lay ward, 03349 Thanh Yên, 03328 Thanh Nưa, 03352 Thanh An, 03325 Mường Phăng,
03256 Mường Ảng, 03253 Tuần Giáo, 03166 Mường Chà, 03160 Mường Nhé, 03217 Tủa Chùa, 03169 Nà Hỳ,
03203 Na Son; "11" is the province itself. Pre-2025 codes (legacy_units.yaml) route to the
units that absorbed them: 03136 the old Mường Thanh ward, now in Điện Biên Phủ ward; 03205 the
old Na Son commune; 099 the old Tuần Giáo district, now 8 communes (Tủa Chùa among them).
"""

from typing import Any, NamedTuple

__all__ = ["SCENARIOS", "Scenario"]

PROVINCE_POLICE = "dienbien-police"
HEALTH = "dienbien-health-pcd"
EDUCATION = "dienbien-doet"


class Scenario(NamedTuple):
    name: str
    incident: dict[str, Any]  # an incident.v1 body
    agencies: frozenset[str]


def _incident(identifier: str, category: str, geocode: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "identifier": identifier,
        "sent": "2026-11-29T08:15:00+07:00",
        "status": "Actual",
        "category": category,
        "severity": "Moderate",
        "urgency": "Expected",
        "certainty": "Likely",
        "area": {"geocode": geocode},
    }
    body.update(fields)
    return body


SCENARIOS: list[Scenario] = [
    Scenario(
        "sexual abuse, child in danger and needing shelter, Điện Biên Phủ ward",
        _incident(
            "SCN-01",
            "sexual_abuse",
            "03127",
            severity="Severe",
            urgency="Immediate",
            child={"age": 12, "sex": "female", "school_id": "PTDTNT-DIENBIEN"},
            flags={"immediate_danger": True, "needs_shelter": True},
        ),
        frozenset(
            {
                PROVINCE_POLICE,
                "police-dien-bien-phu",
                "cpo-dien-bien-phu",
                HEALTH,
                "shelter-sunshine-house",
            }
        ),
    ),
    Scenario(
        "severe beating by a parent, Thanh Yên: the shelter in the same commune",
        _incident(
            "SCN-02",
            "physical_abuse",
            "03349",
            severity="Severe",
            child={"age": 8},
            flags={"needs_shelter": True, "perpetrator_in_household": True},
        ),
        frozenset(
            {"shelter-thanh-yen", "cpo-thanh-yen", PROVINCE_POLICE, "police-thanh-yen", HEALTH}
        ),
    ),
    Scenario(
        "moderate neglect, Mường Chà",
        _incident("SCN-03", "neglect", "03166", child={"age_band": "0-5"}),
        frozenset({"cpo-muong-cha", HEALTH}),
    ),
    Scenario(
        "neglect needing shelter, Tuần Giáo: the nearest shelter is in Điện Biên Phủ",
        _incident("SCN-04", "neglect", "03253", flags={"needs_shelter": True}),
        frozenset({"shelter-sunshine-house", "cpo-tuan-giao", HEALTH}),
    ),
    Scenario(
        "online kidnapping of a student in Mường Thanh whose school is in Tuần Giáo",
        _incident(
            "SCN-05",
            "online_abuse",
            "03334",
            severity="Severe",
            urgency="Immediate",
            child={"age": 16, "school_id": "THPT-TUANGIAO"},
        ),
        frozenset({PROVINCE_POLICE, "school-thpt-tuan-giao", EDUCATION}),
    ),
    Scenario(
        "online grooming of a child not at school, Mường Ảng",
        _incident("SCN-06", "online_abuse", "03256", child={"age": 15}),
        frozenset({PROVINCE_POLICE}),
    ),
    Scenario(
        "dropout from the Mường Nhé semi-boarding school",
        _incident(
            "SCN-07",
            "school_dropout",
            "03160",
            severity="Minor",
            urgency="Future",
            child={"age": 13, "school_id": "PTDTBT-THCS-MUONGNHE"},
        ),
        frozenset({"school-ptdtbt-muong-nhe", EDUCATION, "cpo-muong-nhe"}),
    ),
    Scenario(
        "dropout of a child with no school on record, Thanh An",
        _incident("SCN-08", "school_dropout", "03352", severity="Minor", child={"age": 14}),
        frozenset({EDUCATION, "cpo-thanh-an"}),
    ),
    Scenario(
        "drowning, Nà Hỳ",
        _incident(
            "SCN-09",
            "drowning",
            "03169",
            severity="Extreme",
            urgency="Immediate",
            certainty="Observed",
            child={"age_band": "6-10"},
        ),
        frozenset({HEALTH, "cpo-na-hy"}),
    ),
    Scenario(
        "child labour at a workshop, Tủa Chùa",
        _incident("SCN-10", "child_labour", "03217", child={"age": 14}),
        frozenset({"dienbien-home-affairs", PROVINCE_POLICE}),
    ),
    Scenario(
        "trafficking across the border, Mường Nhé",
        _incident(
            "SCN-11",
            "trafficking",
            "03160",
            severity="Extreme",
            urgency="Immediate",
            child={"age": 15, "sex": "female"},
        ),
        frozenset({PROVINCE_POLICE, "police-muong-nhe", "cpo-muong-nhe", HEALTH}),
    ),
    Scenario(
        "missing child, Điện Biên Phủ ward",
        _incident("SCN-12", "missing_child", "03127", severity="Severe", urgency="Immediate"),
        frozenset({PROVINCE_POLICE, "police-dien-bien-phu", "cpo-dien-bien-phu", HEALTH}),
    ),
    Scenario(
        "unclassified report: the province duty desk",
        _incident("SCN-13", "other", "03325", severity="Minor"),
        frozenset({"duty-desk"}),
    ),
    Scenario(
        "unclassified report of a child in immediate danger, Thanh Nưa",
        _incident("SCN-14", "other", "03328", flags={"immediate_danger": True}),
        frozenset({PROVINCE_POLICE, "cpo-thanh-nua", HEALTH, "duty-desk"}),
    ),
    Scenario(
        "emotional abuse, commune not known (the province code only)",
        _incident("SCN-15", "emotional_abuse", "11", severity="Minor"),
        frozenset({HEALTH}),
    ),
    Scenario(
        "severe violence in an exercise routes like a real incident, Na Son",
        _incident("SCN-16", "violence", "03203", status="Exercise", severity="Severe"),
        frozenset({PROVINCE_POLICE, "cpo-na-son", HEALTH}),
    ),
    Scenario(
        "the official code of Thanh Yên is Thanh Yên, not the duty desk",
        _incident("SCN-17", "neglect", "03349", flags={"needs_shelter": True}),
        frozenset({"shelter-thanh-yen", "cpo-thanh-yen", HEALTH}),
    ),
    Scenario(
        "the official code of Mường Thanh ward is Mường Thanh, not Thanh Yên",
        _incident("SCN-18", "neglect", "03334"),
        frozenset({"cpo-muong-thanh", HEALTH}),
    ),
    Scenario(
        "pre-2025 code of the old Mường Thanh ward: now in Điện Biên Phủ ward",
        _incident("SCN-19", "missing_child", "03136", severity="Severe", urgency="Immediate"),
        frozenset({PROVINCE_POLICE, "police-dien-bien-phu", "cpo-dien-bien-phu", HEALTH}),
    ),
    Scenario(
        "pre-2025 code of the old Na Son commune: now in Na Son with the old town",
        _incident("SCN-20", "drowning", "03205", severity="Extreme", urgency="Immediate"),
        frozenset({HEALTH, "cpo-na-son"}),
    ),
    Scenario(
        "pre-2025 code of the old Tuần Giáo district: every commune that absorbed it",
        _incident("SCN-21", "trafficking", "099", severity="Severe", urgency="Immediate"),
        frozenset({PROVINCE_POLICE, "police-tuan-giao", "cpo-tuan-giao", "cpo-tua-chua", HEALTH}),
    ),
    Scenario(
        "a code nobody knows still reaches the province agencies and the duty desk",
        _incident("SCN-22", "neglect", "09999"),
        frozenset({HEALTH, "duty-desk"}),
    ),
]
