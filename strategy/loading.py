"""Loading the strategy data file into the database (one transaction, audited).

Reloading updates by code and never duplicates. Values that editors maintain live in the back
office (status, progress, milestones, measurements) are only set from the file when the file
gives them, so a reload never wipes the monitoring work.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from core import audit
from strategy import models as m
from strategy.dataset import ActivityEntry, StrategyFile, Text

LANGS = ("en", "ro")


def _tr(prefix: str, text: Text | None) -> dict[str, str]:
    """{'title_en': ..., 'title_ro': ...} for a translatable field."""
    return {f"{prefix}_{lang}": (getattr(text, lang) if text else "") for lang in LANGS}


def _texts(items: list[Text]) -> list[dict[str, str]]:
    return [item.model_dump(exclude_defaults=True) for item in items]



@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return ", ".join(
            f"{kind}: {self.created[kind]} new, {self.updated[kind]} updated, {self.unchanged[kind]} unchanged"
            for kind in kinds
        )


class _Upserter:
    def __init__(self, actor: Any, report: LoadReport) -> None:
        self.actor = actor
        self.report = report

    def upsert(self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
        instance = model._default_manager.filter(**lookup).first()
        kind = model._meta.model_name or model.__name__
        if instance is None:
            instance = model(**lookup, **values)
            instance.full_clean(validate_unique=False, validate_constraints=False)
            instance.save()
            self.report.created[kind] += 1
            audit.record(self.actor, f"{model._meta.label_lower}.created", instance, {"loaded": lookup})
            return instance
        changes = audit.diff(instance, values.keys(), values)
        if changes:
            for name, value in values.items():
                setattr(instance, name, value)
            instance.full_clean(validate_unique=False, validate_constraints=False)
            instance.save()
            self.report.updated[kind] += 1
            audit.record(self.actor, f"{model._meta.label_lower}.updated", instance, changes)
        else:
            self.report.unchanged[kind] += 1
        return instance


@transaction.atomic
def load_dataset(data: StrategyFile, *, actor: Any = "loader") -> LoadReport:
    report = LoadReport()
    up = _Upserter(actor, report)
    s = data.strategy
    extra = {
        "city_value_propositions": [
            {"code": c.code, "title": c.title.model_dump(exclude_defaults=True), "items": _texts(c.items)}
            for c in data.city_value_propositions
        ],
        "peer_reviewers": [r.model_dump(exclude_none=True) for r in data.co_design.peer_reviewers],
        "co_design_facts": _texts(data.co_design.facts),
        "levels_of_engagement": _texts(data.co_design.levels_of_engagement),
    }
    strategy = up.upsert(m.Strategy, {"slug": s.slug}, {
        **_tr("title", s.title), **_tr("motto", s.motto), **_tr("motto_text", s.motto_text),
        **_tr("vision", s.vision), **_tr("vision_text", s.vision_text), **_tr("mission", s.mission),
        **_tr("mission_text", s.mission_text), **_tr("summary", s.summary),
        "period_start": s.period_start, "period_end": s.period_end, "contact_email": s.contact_email or "",
        "dataset_version": data.dataset_version, "source": data.source, "extra": extra,
    })

    dimensions = {d.code: up.upsert(m.SmartCityDimension, {"code": d.code}, {**_tr("name", d.name),
                                                                             "notes": d.notes or ""})
                  for d in data.smart_city_dimensions}
    categories = {c.code: up.upsert(m.OpenActionCategory, {"code": c.code},
                                    {**_tr("name", c.name), "order": i, "notes": c.notes or ""})
                  for i, c in enumerate(data.open_action_categories)}
    actors = {a.code: up.upsert(m.LocalActorType, {"code": a.code}, {**_tr("name", a.name), "notes": a.notes or ""})
              for a in data.local_actor_types}
    dysfunctions = {c.code: up.upsert(m.DysfunctionCluster, {"code": c.code}, {
        **_tr("title", c.title), "share_percent": c.share_percent, "items": _texts(c.items), "notes": c.notes or ""})
        for c in data.dysfunction_clusters}
    for c in data.needs_clusters:
        up.upsert(m.NeedsCluster, {"code": c.code}, {
            **_tr("title", c.title), "share_percent": c.share_percent, "items": _texts(c.items),
            "notes": c.notes or ""})
    funding = {f.code: up.upsert(m.FundingProgramme, {"code": f.code}, {
        **_tr("name", f.name), "category": f.category or "", "notes": f.notes or ""})
        for f in data.funding_programmes}

    ambitions: dict[str, m.Ambition] = {}
    for a in data.ambitions:
        ambition = up.upsert(m.Ambition, {"code": a.code}, {
            "strategy": strategy, "number": a.number, **_tr("title", a.title),
            "dimension": dimensions.get(a.dimension) if a.dimension else None, "sdg": a.sdg,
            **_tr("situation", a.situation), "swot": a.swot.model_dump(exclude_defaults=False, mode="json"),
            "internal_logic": {"value_propositions": _texts(a.value_propositions), "needs": _texts(a.needs)},
            "notes": a.notes or "",
        })
        ambitions[a.code] = ambition
        ambition.dysfunction_clusters.set([dysfunctions[c] for c in a.dysfunction_clusters])
        ambition.local_actor_types.set([actors[c] for c in a.local_actor_types])
        _replace_list(ambition.open_actions.all(), [
            m.OpenAction(ambition=ambition, category=categories.get(o.category) if o.category else None,
                         order=i, **_tr("title", o.title)) for i, o in enumerate(a.open_actions)])
        _replace_list(ambition.digital_enablers.all(), [
            m.DigitalEnabler(ambition=ambition, order=i, **_tr("title", t)) for i, t in enumerate(a.digital_enablers)])
        for o in a.objectives:
            objective = up.upsert(m.Objective, {"code": o.code}, {
                "ambition": ambition, "number": o.number, **_tr("title", o.title), "notes": o.notes or ""})
            for p in o.projects:
                values: dict[str, Any] = {
                    "objective": objective, **_tr("title", p.title), **_tr("description", p.description),
                    "flagship": p.flagship, **_tr("notes", p.notes),
                }
                # Live monitoring values: only when the file states them.
                optional = {"status": p.status, "progress": p.progress, "lead": p.lead, "partners": p.partners,
                            "budget": p.budget, "start_date": p.start_date, "end_date": p.end_date,
                            "funding_programme": funding.get(p.funding_programme) if p.funding_programme else None}
                values.update({k: v for k, v in optional.items() if v is not None})
                up.upsert(m.Project, {"code": p.code}, values)
        for order, k in enumerate(a.kpis):
            kpi_notes = _tr("notes", k.notes)
            if k.unit_as_given and k.unit_as_given != (k.unit or ""):
                kpi_notes["notes_en"] = f"{kpi_notes['notes_en']} Unit as given in the seed: {k.unit_as_given}.".strip()
                if kpi_notes["notes_ro"]:
                    kpi_notes["notes_ro"] += f" Unitatea, așa cum apare în document: {k.unit_as_given}."
            up.upsert(m.KPI, {"code": k.code}, {
                "ambition": ambition, **_tr("name", k.name), "kind": k.kind or "",
                "unit": k.unit or k.unit_as_given or "", "baseline_value": k.baseline_value,
                "baseline_year": k.baseline_year, "target_value": k.target_value, "target_year": k.target_year,
                "direction": k.direction or "", "source": k.source or "", "order": order, **kpi_notes,
                **({"provider": k.provider} if k.provider else {}),
            })

    for v in data.value_propositions:
        up.upsert(m.ValueProposition, {"code": v.code}, {
            **_tr("title", v.title), "ambition": ambitions.get(v.ambition) if v.ambition else None,
            "notes": v.notes or ""})

    bodies: dict[str, m.GovernanceBody] = {}
    for order, b in enumerate(data.governance_bodies):
        bodies[b.code] = up.upsert(m.GovernanceBody, {"code": b.code}, {
            **_tr("name", b.name), **_tr("role", b.role), "kind": b.kind or "", "order": order,
            "ambition": ambitions.get(b.ambition) if b.ambition else None, "notes": b.notes or ""})
    for b in data.governance_bodies:
        body = bodies[b.code]
        parent_id = bodies[b.parent].pk if b.parent else None
        if body.parent_id != parent_id:
            audit.record(actor, "strategy.governancebody.updated", body, {"parent_id": [body.parent_id, parent_id]})
            body.parent_id = parent_id
            body.save(update_fields=["parent"])

    for f in data.figures:
        notes = f.notes or ""
        if f.unit_as_given and f.unit_as_given != (f.unit or ""):
            notes = (notes + f" Unit as given in the seed: {f.unit_as_given}.").strip()
        up.upsert(m.Figure, {"code": f.code}, {
            **_tr("name", f.name), "value": f.value, "unit": f.unit or f.unit_as_given or "", "year": f.year,
            "ambition": ambitions.get(f.ambition) if f.ambition else None, "source": f.source or "", "notes": notes})

    co = data.co_design
    for kind, entries in ((m.CoDesignActivity.Kind.WORKSHOP, co.steering_group_workshops),
                          (m.CoDesignActivity.Kind.CONSULTATION, co.consultations),
                          (m.CoDesignActivity.Kind.EVENT, co.events),
                          (m.CoDesignActivity.Kind.SURVEY, co.surveys)):
        for entry in entries:
            up.upsert(m.CoDesignActivity, {"code": entry.code}, _activity_values(kind, entry))

    audit.record(actor, "strategy.dataset_loaded", strategy,
                 {"dataset_version": data.dataset_version, "summary": report.summary()})
    return report


def _activity_values(kind: str, entry: ActivityEntry) -> dict[str, Any]:
    return {"kind": kind, **_tr("title", entry.title), "start": entry.start or entry.date,
            "end": entry.end or entry.date, "respondents": entry.respondents,
            "conducted_by": entry.by or "", "notes": entry.notes or ""}


def _replace_list(existing: models.QuerySet[Any], new_objects: list[models.Model]) -> None:
    """Lists without codes (open actions, enablers) are replaced whole when they differ."""
    def key(obj: Any) -> tuple[Any, ...]:
        return (obj.title_en, obj.title_ro, getattr(obj, "category_id", None), obj.order)

    if [key(o) for o in existing] == [key(o) for o in new_objects]:
        return
    existing.delete()
    for obj in new_objects:
        obj.save()
