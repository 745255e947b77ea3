"""The schema of the strategy data file (data/timisoara/strategy.yaml), validated whole.

A file that does not fit is rejected before anything is written, with a message that names
the entry (by its code) and the field, e.g.
``ambitions[3] (A4) → objectives[1] (A4.O2) → projects[0] → status: Input should be ...``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Code = str


class Text(BaseModel):
    """A translatable text: English is the seed's language; Romanian may be missing."""

    model_config = ConfigDict(extra="forbid")
    en: str = ""
    ro: str = ""
    notes: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"en": value}
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Text:
        if not (self.en or self.ro):
            raise ValueError("needs at least an 'en' or a 'ro' text")
        return self


class Loose(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NamedEntry(Loose):
    code: Code
    name: Text
    notes: str | None = None


class SwotBlock(Loose):
    strengths: list[Text] = []
    weaknesses: list[Text] = []
    opportunities: list[Text] = []
    threats: list[Text] = []


class OpenActionEntry(Loose):
    title: Text
    category: Code | None = None


class ProjectEntry(Loose):
    code: Code
    title: Text
    description: Text | None = None
    status: Literal["planned", "in_progress", "completed", "suspended"] | None = None
    flagship: bool = False
    progress: int | None = Field(default=None, ge=0, le=100)
    lead: str | None = None
    partners: str | None = None
    funding_programme: Code | None = None
    budget: Decimal | None = Field(default=None, ge=0)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    notes: Text | None = None  # shown on the project page, hence translatable

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProjectEntry:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class ObjectiveEntry(Loose):
    code: Code
    number: int = Field(ge=1)
    title: Text | None = None
    notes: str | None = None
    projects: list[ProjectEntry] = []


class KpiEntry(Loose):
    code: Code
    name: Text | None = None
    kind: Literal["key", "outcome", "output"] | None = None
    unit: str | None = None
    unit_as_given: str | None = None
    baseline_value: Decimal | None = None
    baseline_year: int | None = Field(default=None, ge=1900, le=2100)
    target_value: Decimal | None = None
    target_year: int | None = Field(default=None, ge=1900, le=2100)
    direction: Literal["higher", "lower"] | None = None
    source: str | None = None
    provider: str | None = None
    notes: Text | None = None  # shown on the KPI page, hence translatable


class AmbitionEntry(Loose):
    code: Code
    number: int = Field(ge=1)
    title: Text
    dimension: Code | None = None
    sdg: int | None = Field(default=None, ge=1, le=17)
    situation: Text | None = None
    swot: SwotBlock = SwotBlock()
    value_propositions: list[Text] = []
    needs: list[Text] = []
    dysfunction_clusters: list[Code] = []
    open_actions: list[OpenActionEntry] = []
    digital_enablers: list[Text] = []
    local_actor_types: list[Code] = []
    notes: str | None = None
    objectives: list[ObjectiveEntry]
    kpis: list[KpiEntry] = []


class ClusterEntry(Loose):
    code: Code
    title: Text
    share_percent: Decimal | None = Field(default=None, ge=0, le=100)
    items: list[Text] = []
    notes: str | None = None


class ValuePropositionEntry(Loose):
    code: Code
    title: Text
    ambition: Code | None = None
    notes: str | None = None


class CityValuePropositionEntry(Loose):
    code: Code
    title: Text
    items: list[Text] = []
    notes: str | None = None


class GovernanceEntry(Loose):
    code: Code
    name: Text
    kind: Literal["leader", "deliberative", "executive", "consultative", "action_group"] | None = None
    role: Text | None = None
    parent: Code | None = None
    ambition: Code | None = None
    notes: str | None = None


class FundingEntry(Loose):
    code: Code
    name: Text
    category: str | None = None
    notes: str | None = None


class FigureEntry(Loose):
    code: Code
    name: Text | None = None
    value: Decimal | None = None
    unit: str | None = None
    unit_as_given: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    ambition: Code | None = None
    source: str | None = None
    notes: str | None = None


class ActivityEntry(Loose):
    code: Code
    title: Text
    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    respondents: int | None = Field(default=None, ge=0)
    by: str | None = None
    notes: str | None = None


class PeerReviewer(Loose):
    name: str | None = None
    country: str | None = None
    role: Text | None = None
    notes: str | None = None


class CoDesign(Loose):
    steering_group_workshops: list[ActivityEntry] = []
    consultations: list[ActivityEntry] = []
    events: list[ActivityEntry] = []
    surveys: list[ActivityEntry] = []
    peer_reviewers: list[PeerReviewer] = []
    facts: list[Text] = []
    levels_of_engagement: list[Text] = []


class StrategyEntry(Loose):
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    title: Text
    motto: Text | None = None
    motto_text: Text | None = None
    vision: Text | None = None
    vision_text: Text | None = None
    mission: Text | None = None
    mission_text: Text | None = None
    summary: Text | None = None
    period_start: int = Field(ge=1900, le=2100)
    period_end: int = Field(ge=1900, le=2100)
    contact_email: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _period_in_order(self) -> StrategyEntry:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class StrategyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: Literal[1]
    dataset_version: str
    source: dict[str, Any] = {}
    strategy: StrategyEntry
    smart_city_dimensions: list[NamedEntry]
    open_action_categories: list[NamedEntry] = []
    ambitions: list[AmbitionEntry]
    dysfunction_clusters: list[ClusterEntry] = []
    needs_clusters: list[ClusterEntry] = []
    value_propositions: list[ValuePropositionEntry] = []
    city_value_propositions: list[CityValuePropositionEntry] = []
    local_actor_types: list[NamedEntry] = []
    governance_bodies: list[GovernanceEntry] = []
    funding_programmes: list[FundingEntry] = []
    figures: list[FigureEntry] = []
    co_design: CoDesign = CoDesign()

    @field_validator("ambitions")
    @classmethod
    def _numbers_unique(cls, ambitions: list[AmbitionEntry]) -> list[AmbitionEntry]:
        numbers = [a.number for a in ambitions]
        if len(numbers) != len(set(numbers)):
            raise ValueError("two ambitions share a number")
        return ambitions

    @model_validator(mode="after")
    def _references_resolve(self) -> StrategyFile:
        problems: list[str] = []
        codes: dict[str, str] = {}

        def claim(code: str, where: str) -> None:
            if code in codes:
                problems.append(f"{where}: code {code!r} is already used by {codes[code]}")
            codes[code] = where

        dimensions = {d.code for d in self.smart_city_dimensions}
        categories = {c.code for c in self.open_action_categories}
        actors = {a.code for a in self.local_actor_types}
        dysfunctions = {c.code for c in self.dysfunction_clusters}
        funding = {f.code for f in self.funding_programmes}
        ambitions = {a.code for a in self.ambitions}
        bodies = {b.code for b in self.governance_bodies}
        for a_index, ambition in enumerate(self.ambitions):
            where = f"ambitions[{a_index}] ({ambition.code})"
            claim(ambition.code, where)
            if ambition.dimension and ambition.dimension not in dimensions:
                problems.append(f"{where} → dimension: unknown code {ambition.dimension!r}")
            for code in ambition.dysfunction_clusters:
                if code not in dysfunctions:
                    problems.append(f"{where} → dysfunction_clusters: unknown code {code!r}")
            for code in ambition.local_actor_types:
                if code not in actors:
                    problems.append(f"{where} → local_actor_types: unknown code {code!r}")
            for action in ambition.open_actions:
                if action.category and action.category not in categories:
                    problems.append(f"{where} → open_actions: unknown category {action.category!r}")
            for o_index, objective in enumerate(ambition.objectives):
                o_where = f"{where} → objectives[{o_index}] ({objective.code})"
                claim(objective.code, o_where)
                for p_index, project in enumerate(objective.projects):
                    p_where = f"{o_where} → projects[{p_index}] ({project.code})"
                    claim(project.code, p_where)
                    if project.funding_programme and project.funding_programme not in funding:
                        problems.append(f"{p_where} → funding_programme: unknown code {project.funding_programme!r}")
            for k_index, kpi in enumerate(ambition.kpis):
                claim(kpi.code, f"{where} → kpis[{k_index}] ({kpi.code})")
        for index, figure in enumerate(self.figures):
            claim(figure.code, f"figures[{index}] ({figure.code})")
            if figure.ambition and figure.ambition not in ambitions:
                problems.append(f"figures[{index}] ({figure.code}) → ambition: unknown code {figure.ambition!r}")
        for index, body in enumerate(self.governance_bodies):
            if body.parent and body.parent not in bodies:
                problems.append(f"governance_bodies[{index}] ({body.code}) → parent: unknown code {body.parent!r}")
            if body.ambition and body.ambition not in ambitions:
                problems.append(f"governance_bodies[{index}] ({body.code}) → ambition: unknown code {body.ambition!r}")
        for index, proposition in enumerate(self.value_propositions):
            if proposition.ambition and proposition.ambition not in ambitions:
                where = f"value_propositions[{index}] ({proposition.code})"
                problems.append(f"{where} → ambition: unknown code {proposition.ambition!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class DatasetError(ValueError):
    """The data file was rejected; nothing was written."""


def _describe_location(data: Any, location: tuple[Any, ...]) -> str:
    """Turn pydantic's ('ambitions', 3, 'objectives', 1, 'title') into a path naming codes."""
    parts: list[str] = []
    node = data
    for step in location:
        if isinstance(step, int):
            label = f"[{step}]"
            if isinstance(node, list) and 0 <= step < len(node):
                node = node[step]
                if isinstance(node, dict) and node.get("code"):
                    label += f" ({node['code']})"
            else:
                node = None
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return " → ".join(parts) or "(file)"


def parse(raw: str, *, name: str = "data file") -> StrategyFile:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise DatasetError(f"{name}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise DatasetError(f"{name}: expected a mapping at the top level")
    try:
        return StrategyFile.model_validate(data)
    except ValidationError as error:
        messages = []
        for problem in error.errors():
            where = _describe_location(data, tuple(problem["loc"]))
            messages.append(f"{where}: {problem['msg']}")
        raise DatasetError(f"{name} rejected, nothing was written:\n  " + "\n  ".join(messages)) from None


def read(path: Path) -> StrategyFile:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DatasetError(f"{path}: cannot be read: {error}") from error
    except UnicodeDecodeError as error:
        raise DatasetError(f"{path}: not UTF-8 text: {error}") from error
    return parse(raw, name=str(path))
