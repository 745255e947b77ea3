"""The algorithm register (OASC MIM5, as Amsterdam and Helsinki publish): every algorithm that shapes a
public outcome on this platform, with its purpose, data, parameters in force, human oversight, code and docs.

The entries are data, in Romanian and English. opendata sits below the rooms (floors), so it never imports
their code: the parameters in force are read from the rooms' module-level constants with `ast` (a literal
read of the repository's own source, cached), so the register follows the code without an import.
tests/opendata/test_algorithms.py checks them against the imported constants.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from opendata.registry import Dataset, Distribution, Text, register
from opendata.tables import Table, register_table, schema

ROOM = "opendata"
DATASET_NAME = "algorithm-register"
JSON_URL = "/data/opendata/algorithms.json"
REPOSITORY = Path(__file__).resolve().parent.parent


@cache
def constant(path: str, name: str) -> Any:
    """The literal value of a module-level constant `name` in the repository file `path` (no import)."""
    tree = ast.parse((REPOSITORY / path).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return ast.literal_eval(node.value) if node.value is not None else None
    raise LookupError(f"{name} not found in {path}")


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str
    meaning: Text


@dataclass(frozen=True)
class Algorithm:
    key: str
    room: str
    name: Text
    purpose: Text
    data_used: Text
    method: Text
    oversight: Text
    code: tuple[str, ...]  # repository paths
    docs: tuple[str, ...]  # repository paths
    parameters: tuple[Parameter, ...]


def algorithms() -> list[Algorithm]:
    opinion, themes, reports = "participation/opinion.py", "participation/themes.py", "reports/services.py"
    return [
        Algorithm(
            key="budgeting-rules", room="budgeting",
            name=Text(ro="Reguli de calcul al bugetării participative", en="Participatory-budgeting outcome rules"),
            purpose=Text(ro="Decide ce proiecte votate sunt finanțate din bugetul fiecărui fond.",
                         en="Decides which voted projects are funded from each pool's budget."),
            data_used=Text(ro="Voturile anonime (ce proiecte a susținut fiecare buletin), costul proiectelor, "
                              "bugetul fondului.",
                           en="The anonymous ballots (which projects each ballot supports), the projects' "
                              "costs, the pool's budget."),
            method=Text(ro="Una din cinci reguli: lacomă, Timișoara, metoda cotelor egale (MES), MES cu "
                           "completare (add-one), Phragmén secvențial; fiecare proiect primește o explicație.",
                        en="One of five rules: greedy, Timișoara, Method of Equal Shares (MES), MES with "
                           "add-one completion, sequential Phragmén; every project gets an explanation."),
            oversight=Text(ro="Personalul alege regula înainte de vot; rezultatul oficial este publicat de "
                              "personal, cu rezultatele celorlalte reguli alături pentru comparație.",
                           en="Staff choose the rule before voting; staff publish the official result, with "
                              "the other rules' results alongside for comparison."),
            code=("budgeting/pb/rules.py", "budgeting/pb/mes.py", "budgeting/pb/greedy.py",
                  "budgeting/pb/phragmen.py"),
            docs=("docs/budgeting-rules.md", "docs/budgeting.md"),
            parameters=(Parameter("default rule", "mes-add1", Text(ro="regula implicită a unei ediții",
                                                                   en="an edition's default rule")),)),
        Algorithm(
            key="open-answer-themes", room="participation",
            name=Text(ro="Teme ale răspunsurilor libere", en="Themes of open answers"),
            purpose=Text(ro="Grupează răspunsurile libere la consultări în teme, ca să fie citite și "
                            "raportate.",
                         en="Groups the open answers to consultations into themes so they can be read and "
                            "reported."),
            data_used=Text(ro="Textul răspunsurilor (fără date personale, după anonimizare).",
                           en="The answers' text (without personal data, after redaction)."),
            method=Text(ro="Detectarea limbii (lingua), cuvinte de legătură și stemming pe limbă, TF-IDF, "
                           "analiză semantică latentă, k-means și unire prin legătură medie.",
                        en="Language detection (lingua), per-language stop words and stemming, TF-IDF, latent "
                           "semantic analysis, k-means and average-linkage merging."),
            oversight=Text(ro="Personalul vede acoperirea și calitatea temelor și le poate redenumi (numele dat "
                              "de om se păstrează la recalculare); răspunsurile neanalizate sunt arătate cu "
                              "motivul.",
                           en="Staff see the themes' coverage and quality and can rename them (a name given by a "
                              "person is kept when themes are recomputed); answers not analysed are shown with "
                              "the reason."),
            code=(themes, "participation/theming.py"), docs=("docs/participation.md",),
            parameters=(
                Parameter("MIN_CONFIDENCE", str(constant(themes, "MIN_CONFIDENCE")),
                          Text(ro="încrederea minimă în limba detectată", en="minimum confidence in the "
                               "detected language")),
                Parameter("MERGE_SIMILARITY", str(constant(themes, "MERGE_SIMILARITY")),
                          Text(ro="similaritatea de la care grupurile se unesc", en="similarity above which "
                               "clusters merge")),
                Parameter("MIN_SIMILARITY", str(constant(themes, "MIN_SIMILARITY")),
                          Text(ro="sub această similaritate un răspuns nu are temă clară", en="below this "
                               "similarity an answer has no clear theme")),
                Parameter("SUPPORTED", ", ".join(constant(themes, "SUPPORTED")),
                          Text(ro="limbile analizate", en="languages analysed")))),
        Algorithm(
            key="opinion-groups", room="participation",
            name=Text(ro="Grupuri de opinie (hartă Polis)", en="Opinion groups (Polis map)"),
            purpose=Text(ro="Arată cine este de acord cu cine și ce afirmații unesc sau despart grupurile.",
                         en="Shows who agrees with whom and which statements unite or divide the groups."),
            data_used=Text(ro="Voturile pseudonime (de acord, împotrivă, neutru) pe afirmații.",
                           en="Pseudonymous votes (agree, disagree, pass) on statements."),
            method=Text(ro="PCA pe matricea voturilor, k-means în două trepte ales prin silhouette, "
                           "afirmații reprezentative și consens, după matematica publicată de Polis.",
                        en="PCA of the vote matrix, two-stage k-means chosen by silhouette, representative "
                           "statements and consensus, after Polis's published math."),
            oversight=Text(ro="Moderatorii scot afirmațiile nepotrivite înainte de calcul și stabilesc pragul "
                              "de voturi al fiecărei conversații.",
                           en="Moderators take unsuitable statements out before computing and set each "
                              "conversation's vote threshold."),
            code=(opinion, "participation/selectors.py"), docs=("docs/participation.md",),
            parameters=(
                Parameter("min_votes", "7", Text(ro="voturi necesare pentru a apărea pe hartă (implicit, "
                                                    "modificabil pe conversație)",
                                                 en="votes needed to appear on the map (default, set per "
                                                    "conversation)")),
                Parameter("MOST_ACTIVE", str(constant(opinion, "MOST_ACTIVE")),
                          Text(ro="cei mai activi votanți păstrați mereu pe hartă", en="most active voters "
                               "always kept on the map")),
                Parameter("Z_90", str(round(constant(opinion, "Z_90"), 4)),
                          Text(ro="pragul z (90 %) pentru afirmații reprezentative", en="z threshold (90 %) "
                               "for representative statements")))),
        Algorithm(
            key="air-quality-index", room="environment",
            name=Text(ro="Indicele european al calității aerului", en="European Air Quality Index"),
            purpose=Text(ro="Arată cât de curat este aerul la fiecare stație și declanșează alertele.",
                         en="Shows how clean the air is at each station and triggers alerts."),
            data_used=Text(ro="Măsurătorile stațiilor și senzorilor (PM2.5, PM10, NO2, O3, SO2); nu folosește "
                              "date personale.",
                           en="Station and sensor measurements (PM2.5, PM10, NO2, O3, SO2); no personal data."),
            method=Text(ro="Fiecare poluant primește un nivel din tabelul de benzi al AEM; indicele stației "
                           "este cel mai rău nivel, niciodată o medie.",
                        en="Each pollutant gets a level from the EEA band table; the station's index is the "
                           "worst level, never an average."),
            oversight=Text(ro="Benzile sunt cele publicate de Agenția Europeană de Mediu; personalul validează "
                              "stațiile, iar un indice parțial arată ce poluanți lipsesc.",
                           en="The bands are those the European Environment Agency publishes; staff validate "
                              "stations, and a partial index says which pollutants are missing."),
            code=("environment/airquality/aqi.py", "environment/airquality/bands.py"),
            docs=("docs/environment-airquality.md", "docs/environment.md"),
            parameters=(Parameter("scale", "EEA European Air Quality Index",
                                  Text(ro="tabelul de benzi în vigoare", en="the band table in force")),)),
        Algorithm(
            key="report-duplicate-detection", room="reports",
            name=Text(ro="Detectarea sesizărilor duplicate", en="Duplicate detection of problem reports"),
            purpose=Text(ro="La trimiterea unei sesizări arată sesizările deschise din apropiere, din aceeași "
                            "categorie, ca să fie susținute în loc de repetate.",
                         en="When a report is submitted, shows open reports nearby in the same category, so "
                            "they can be supported instead of repeated."),
            data_used=Text(ro="Poziția și categoria sesizării noi; sesizările publice deschise.",
                           en="The new report's position and category; public open reports."),
            method=Text(ro="Cutie în jurul punctului, apoi distanța haversine; cele mai apropiate primele.",
                        en="A bounding box around the point, then the haversine distance; nearest first."),
            oversight=Text(ro="Doar o sugestie: cetățeanul decide; numai personalul poate închide o sesizare "
                              "ca duplicat, cu acțiunea înregistrată în jurnalul de audit.",
                           en="Only a suggestion: the citizen decides; only staff can close a report as a "
                              "duplicate, and the action is audited."),
            code=(reports,), docs=("docs/reports.md",),
            parameters=(Parameter("DUPLICATE_RADIUS_M", f"{constant(reports, 'DUPLICATE_RADIUS_M'):g}",
                                  Text(ro="raza căutării, în metri", en="search radius, in metres")),)),
    ]


def _record(algorithm: Algorithm) -> dict[str, Any]:
    def both(text: Text) -> dict[str, str]:
        return {"ro": text.ro, "en": text.en}
    return {"key": algorithm.key, "room": algorithm.room, "name": both(algorithm.name),
            "purpose": both(algorithm.purpose), "data_used": both(algorithm.data_used),
            "method": both(algorithm.method), "human_oversight": both(algorithm.oversight),
            "parameters": [{"name": p.name, "value": p.value, "meaning": both(p.meaning)}
                           for p in algorithm.parameters],
            "code": list(algorithm.code), "docs": list(algorithm.docs)}


def _rows(_part: str | None) -> list[tuple[Any, ...]]:
    return [(a.key, a.room, a.name.ro, a.name.en, a.purpose.ro, a.purpose.en, a.data_used.ro, a.data_used.en,
             a.oversight.ro, a.oversight.en, "; ".join(f"{p.name}={p.value}" for p in a.parameters),
             " ".join(a.code), " ".join(a.docs)) for a in algorithms()]


TABLE = register_table(Table(ROOM, "algorithms", schema(
    ("key", "string", "Algorithm key"), ("room", "string", "Room that runs it"),
    ("name_ro", "string", "Name (Romanian)"), ("name_en", "string", "Name (English)"),
    ("purpose_ro", "string", "Purpose (Romanian)"), ("purpose_en", "string", "Purpose (English)"),
    ("data_used_ro", "string", "Data used (Romanian)"), ("data_used_en", "string", "Data used (English)"),
    ("human_oversight_ro", "string", "Human oversight (Romanian)"),
    ("human_oversight_en", "string", "Human oversight (English)"),
    ("parameters", "string", "Parameters in force, name=value separated by '; '"),
    ("code", "string", "Repository paths of the code"), ("docs", "string", "Repository paths of the docs"),
    primary_key=["key"]), _rows))


@require_GET
def register_json(request: HttpRequest) -> HttpResponse:
    body = {"standard": "OASC MIM5 (algorithm register)", "algorithms": [_record(a) for a in algorithms()]}
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def page(request: HttpRequest) -> HttpResponse:
    language = get_language() or "ro"
    entries = [{"key": a.key, "name": a.name.get(language), "purpose": a.purpose.get(language),
                "data_used": a.data_used.get(language), "method": a.method.get(language),
                "oversight": a.oversight.get(language), "code": a.code, "docs": a.docs,
                "parameters": [(p.name, p.value, p.meaning.get(language)) for p in a.parameters]}
               for a in algorithms()]
    return render(request, "opendata/algorithms.html", {"algorithms": entries, "json_url": JSON_URL,
                                                         "csv_url": TABLE.url()})


def datasets() -> list[Dataset]:
    return [Dataset(
        name=DATASET_NAME, room=ROOM, title=Text(ro="Registrul algoritmilor", en="Algorithm register"),
        description=Text(
            ro="Fiecare algoritm care influențează un rezultat public al platformei: scop, date folosite, "
               "parametri în vigoare, supraveghere umană, cod și documentație (OASC MIM5).",
            en="Every algorithm that shapes a public outcome of the platform: purpose, data used, parameters "
               "in force, human oversight, code and documentation (OASC MIM5)."),
        themes=("GOVE",), tags=("algorithms", "transparency", "mim5"), frequency="IRREG",
        landing_page="/en/open-data/algorithms/",
        distributions=(
            Distribution(key="json", title=Text(ro="Registrul (JSON)", en="The register (JSON)"), url=JSON_URL,
                         media_type="application/json", file_type="JSON"),
            Distribution(key="csv", title=Text(ro="Registrul (CSV)", en="The register (CSV)"), url=TABLE.url(),
                         media_type="text/csv", file_type="CSV", table_schema=TABLE.schema)))]


def register_all() -> None:
    register(ROOM, datasets, sources=[])  # written in the code: no model feeds it
