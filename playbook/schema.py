"""The one definition of what playbook files may say.

These JSON Schemas are both what `playbook schema` writes for editors and what
the loader validates against (see yamlread.py), so the two cannot drift.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .i18n.catalogues import LANGUAGES

Schema = dict[str, Any]

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
DURATION_PATTERN = r"^[0-9]+\s*(m|min|h|d|w)$"
TRANSLATABLE = "x-translatable"  # marks the fields a translation file holds
BLOB_PATTERN = r"^[0-9a-f]{40}$"


def _text(description: str, **extra: Any) -> Schema:
    return {"type": "string", "minLength": 1, "description": description, **extra}


def _prose(description: str, **extra: Any) -> Schema:
    """Text for people to read: a translation (translations/<lang>/...) may give it anew."""
    return _text(description, **{TRANSLATABLE: True}, **extra)


def _list(items: Schema, description: str) -> Schema:
    return {"type": "array", "items": items, "description": description}


def _object(properties: dict[str, Schema], required: list[str], description: str = "") -> Schema:
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _id(description: str) -> Schema:
    return _text(description, pattern=ID_PATTERN)


RESPONSIBILITIES = _list(
    _object(
        {
            "area": _prose("Group name, e.g. Prospecting"),
            "items": _list(_prose("One responsibility"), "Responsibilities"),
        },
        ["area", "items"],
    ),
    "Responsibilities grouped by area",
)

REQUIREMENTS = _list(
    _prose("One requirement, e.g. six months of outbound prospecting"),
    "What a person needs to have or to have done to hold the role",
)

KPIS = _list(
    _object(
        {
            "name": _prose("KPI name, e.g. Qualified leads handed over"),
            "definition": _prose("How it is counted"),
            "target": {
                "type": ["number", "string"],
                "minLength": 1,
                "description": "Target value, e.g. 40 or '20-25', or text such as "
                "'set per territory each quarter'; leave it out when there is none",
            },
            "unit": _text("Unit, e.g. leads, %, EUR"),
            "cadence": {
                "type": "string",
                "enum": ["daily", "weekly", "monthly", "quarterly", "yearly"],
                "description": "How often it is measured",
            },
        },
        ["name", "definition", "unit", "cadence"],
    ),
    "Key performance indicators",
)

LINK = _text("A URL or a page of this site, e.g. principles.md")

ROLE: Schema = _object(
    {
        "title": _prose("Full job title, e.g. Sales Development Representative"),
        "aliases": _list(_text("Another name"), "Other names for the role, e.g. BDR"),
        "family": {
            "type": "string",
            "enum": ["sales", "sales-operations", "customer-success", "management"],
            "description": "Which part of the organisation the role belongs to",
        },
        "summary": _prose("One sentence: what the role is for"),
        "mission": _prose("A paragraph on why the role exists and what good looks like"),
        "reports_to": _id("Role id of the manager this role reports to"),
        "responsibilities": RESPONSIBILITIES,
        "requirements": REQUIREMENTS,
        "kpis": KPIS,
        "funnel_stages": _list(
            _id("Stage id from playbook.yml's funnel"), "Funnel stages this role owns"
        ),
        "handoffs": _list(
            _object(
                {
                    "to": _id("Role id receiving the hand-off"),
                    "when": _prose("The moment of the hand-off, e.g. qualified lead"),
                    "criteria": _list(_prose("A criterion"), "What must be true to hand off"),
                    "handover": _list(_prose("An artefact"), "What is handed over"),
                },
                ["to", "when", "criteria", "handover"],
            ),
            "Hand-offs from this role to another",
        ),
        "tools": _list(_text("A tool"), "Tools the role works with"),
        "skills": _list(_prose("A skill"), "Skills the role needs"),
        "onboarding": _list(
            _object(
                {
                    "phase": _prose("Phase name, e.g. First week"),
                    "due": _text(
                        "How long after the start date the phase should be done, e.g. 7d",
                        pattern=DURATION_PATTERN,
                    ),
                    "tasks": _list(
                        _object(
                            {
                                "id": _id("Stable task id, used by completion records"),
                                "text": _prose("What to do"),
                                "help": _prose("How to do it"),
                                "link": LINK,
                            },
                            ["id", "text"],
                        ),
                        "Tasks of the phase",
                    ),
                },
                ["phase", "due", "tasks"],
            ),
            "Onboarding plan in phases; becomes the role's onboarding checklist",
        ),
        "levels": _list(
            _object(
                {
                    "id": _id("Level id, unique within the role, e.g. senior-sdr"),
                    "title": _prose("Title at this level, e.g. Senior SDR"),
                    "summary": _prose("One sentence: what changes at this level"),
                    "responsibilities": RESPONSIBILITIES,
                    "requirements": REQUIREMENTS,
                    "kpis": KPIS,
                    "reports_to": _id("Role id of the manager at this level"),
                },
                ["id", "title"],
            ),
            "Levels of the role in order; each adds to the role and to every level before it",
        ),
        "career_path": _list(
            {
                "type": ["string", "object"],
                "pattern": ID_PATTERN,
                "minLength": 1,
                "properties": {
                    "to": _id("Role id the step leads to, e.g. account-executive"),
                    "when": _prose("The condition, e.g. two quarters above 110 % of target"),
                },
                "required": ["to", "when"],
                "additionalProperties": False,
                "description": "A role id, or {to: role id, when: the condition for the step}",
            },
            "Roles this one can grow into",
        ),
    },
    ["title", "summary", "responsibilities"],
    "A role of the sales organisation (roles/<id>.yml)",
)

METRIC_TYPES = ["integer", "number", "money", "percent", "text"]

CHECKLIST: Schema = _object(
    {
        "title": _prose("Checklist title, e.g. Monday pipeline check"),
        "purpose": _prose("Why the review exists and what it should produce"),
        "owners": _list(_id("Role id"), "Roles that run this checklist"),
        "cadence": _text(
            "When it recurs: 'every monday at 09:00', 'monthly on day 15', "
            "'last friday of each quarter', 'once per person' or an RRULE"
        ),
        "timezone": _text("IANA time zone, e.g. Europe/Warsaw; defaults to the playbook's"),
        "late_after": _text(
            "How long after the due time a completion counts as late, e.g. 4h",
            pattern=DURATION_PATTERN,
        ),
        "sections": _list(
            _object(
                {
                    "title": _prose("Section title"),
                    "items": _list(
                        _object(
                            {
                                "id": _id("Stable item id, used by completion records"),
                                "text": _prose("What to check"),
                                "help": _prose("How to check it"),
                                "link": LINK,
                                "required": {
                                    "type": "boolean",
                                    "description": "Must be done or skipped with a reason",
                                },
                            },
                            ["id", "text"],
                        ),
                        "Items of the section",
                    ),
                },
                ["title", "items"],
            ),
            "Sections of items",
        ),
        "metrics": _list(
            _object(
                {
                    "id": _id("Metric id"),
                    "label": _prose("Label shown when recording"),
                    "type": {"type": "string", "enum": METRIC_TYPES},
                    "unit": _text("Unit, e.g. leads, EUR"),
                    "required": {"type": "boolean"},
                },
                ["id", "label", "type"],
            ),
            "Numbers to capture when the checklist is completed",
        ),
        "scope": {
            "type": "string",
            "enum": ["team", "playbook", "person"],
            "description": "Run once per team (default), once for the whole playbook, "
            "or once per person (onboarding)",
        },
        "on_holiday": {
            "type": "string",
            "enum": [
                "keep",
                "previous",
                "next",
                "skip",
                "previous-working-day",
                "next-working-day",
            ],
            "description": "What happens when an occurrence falls on a public holiday of "
            "the team's country: keep it, move it to the previous or next working day, or skip "
            "it; previous-working-day and next-working-day also move it off weekends",
        },
        "starts": _text(
            "The first day of the series (YYYY-MM-DD): every-N-weeks, every-N-months and "
            "yearly cadences count from it, and nothing occurs before it",
            pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        ),
        "teams": _list(_id("Team id"), "Only these teams run the checklist (default: every team)"),
        "people": _list(
            _id("Role id"),
            "With scope: person, the roles whose members each get their own series "
            "(e.g. a weekly 1:1 per account executive)",
        ),
        "until": _text(
            "Retire the checklist after this day (YYYY-MM-DD): it keeps its history "
            "and has no occurrences after it",
            pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        ),
        "roles": _list(_id("Role id"), "Related roles"),
        "pages": _list(_text("Page of docs/, e.g. principles.md"), "Related pages"),
        "tags": _list(_text("Tag"), "Extra tags for the site"),
    },
    ["title", "purpose", "owners", "cadence", "sections"],
    "A recurring review checklist (checklists/<id>.yml)",
)

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
COUNTRY = _text(
    "ISO 3166 country code for public holidays, e.g. PL, HU, VN, CN", pattern=r"^[A-Z]{2}$"
)

PERSON: Schema = _object(
    {
        "id": _id("Person id, e.g. anna-kowalska"),
        "name": _text("Full name"),
        "email": _text("Email address, used in completion records"),
        "role": _id("Role id"),
        "started": _text("First working day, YYYY-MM-DD", pattern=DATE_PATTERN),
    },
    ["id", "name", "role"],
)

TEAM: Schema = _object(
    {
        "id": _id("Team id, e.g. warsaw"),
        "name": _text("Team name"),
        "timezone": _text("IANA time zone of the team; defaults to the playbook's"),
        "country": COUNTRY,
        "manager": _id("Person id of the team's manager"),
        "members": _list(PERSON, "People in the team, the manager included"),
    },
    ["id", "name", "members"],
    "A team (a pod): its checklists are recorded separately",
)

PLAYBOOK: Schema = _object(
    {
        "title": _text("Name of the playbook, shown on the site"),
        "company": _text("Company or team name"),
        "timezone": _text("Default IANA time zone for cadences, e.g. Europe/Warsaw"),
        "late_after": _text(
            "Default grace period for checklists, e.g. 1d", pattern=DURATION_PATTERN
        ),
        "funnel": _list(
            _object(
                {
                    "id": _id("Stage id"),
                    "title": _text("Stage name"),
                    "description": _text("What happens in the stage"),
                },
                ["id", "title"],
            ),
            "Funnel stages in order",
        ),
        "country": COUNTRY,
        "tracking_since": _text(
            "Date from which every occurrence is expected to be recorded, YYYY-MM-DD; "
            "earlier ones are not counted as missed",
            pattern=DATE_PATTERN,
        ),
        "teams": _list(TEAM, "Teams that record checklists"),
        "language": {
            "type": "string",
            "enum": list(LANGUAGES),
            "description": "The language of the generated site (headings, dates, cadences); "
            "default en",
        },
        "languages": {
            "type": "array",
            "items": {"type": "string", "enum": list(LANGUAGES)},
            "minItems": 1,
            "description": "One site per language, e.g. [en, pl, vi]: the first is the "
            "language the files are written in, the others are translated in "
            "translations/<lang>/ and docs/<page>.<lang>.md",
        },
    },
    ["title", "timezone", "funnel"],
    "Playbook settings (playbook.yml)",
)


def translation_schema(schema: Schema) -> Schema:
    """What a translation of a file of `schema` may hold: its prose, and the ids that say
    which item each text belongs to. What the source requires, a translation requires too."""
    if schema.get(TRANSLATABLE):
        return {key: value for key, value in schema.items() if key != TRANSLATABLE}
    if schema.get("type") == "array":
        items = translation_schema(schema["items"])
        return {**schema, "items": items} if items else {}
    if schema.get("type") != "object":
        return {}
    properties = {
        key: derived
        for key, value in schema["properties"].items()
        if (derived := translation_schema(value))
    }
    if not properties:
        return {}
    if "id" in schema["properties"]:
        properties = {"id": schema["properties"]["id"], **properties}
    return {
        **schema,
        "properties": properties,
        "required": [key for key in schema.get("required", []) if key in properties],
    }


def _translation(schema: Schema, source: str) -> Schema:
    derived = translation_schema(schema)
    derived["properties"] = {
        "translated_from": _text(
            f"The git blob id of the {source} this translation was made from; "
            "`playbook translations` prints the current one",
            pattern=BLOB_PATTERN,
        ),
        **derived["properties"],
    }
    derived["required"] = ["translated_from", *derived["required"]]
    derived["description"] = f"A translation of {source}: its text in another language"
    return derived


ROLE_TRANSLATION = _translation(ROLE, "roles/<id>.yml")
CHECKLIST_TRANSLATION = _translation(CHECKLIST, "checklists/<id>.yml")

SCHEMAS: dict[str, Schema] = {
    "role": ROLE,
    "checklist": CHECKLIST,
    "playbook": PLAYBOOK,
    "role.translation": ROLE_TRANSLATION,
    "checklist.translation": CHECKLIST_TRANSLATION,
}


def json_schema(kind: str) -> Schema:
    """The schema of `kind` as an editor-ready JSON Schema document."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://playbook.dev/schemas/{kind}.schema.json",
        **SCHEMAS[kind],
    }


def write_schemas(folder: Path) -> list[Path]:
    """Write `<kind>.schema.json` for every kind; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in SCHEMAS:
        path = folder / f"{kind}.schema.json"
        path.write_text(json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written
