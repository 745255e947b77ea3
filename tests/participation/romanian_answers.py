"""Realistic Romanian open answers on three known topics, with the usual spelling variants
(diacritics with comma or cedilla, or none at all), to test the theme analysis."""

from __future__ import annotations

import itertools
from collections.abc import Callable

PREFIXES = ["", "Cred că ", "Sincer, ", "Problema principală: ", "În opinia mea, ", "Pe scurt: "]

TOPICS: dict[str, list[str]] = {
    "parking": [
        "nu sunt suficiente locuri de parcare în cartier",
        "mașinile parcate pe trotuar blochează pietonii",
        "locurile de parcare de reședință sunt prea puține",
        "parcarea pe trotuar trebuie interzisă, mașinile ocupă tot",
        "găsești greu loc de parcare seara lângă bloc",
        "parcările publice sunt pline, ar trebui construită o parcare supraetajată",
        "parcare cu plată prea scumpă în centru pentru mașini",
        "lipsa parcărilor face traficul mai aglomerat, mașinile caută locuri",
    ],
    "green": [
        "avem nevoie de mai mulți copaci și parcuri în cartier",
        "spațiile verzi sunt neîngrijite, iarba nu e tunsă",
        "plantați arbori pe străzi pentru umbră vara",
        "parcul din cartier nu are bănci și copacii sunt uscați",
        "mai multe zone verzi și copaci, mai puțin beton",
        "copacii tăiați nu au fost înlocuiți, vrem parcuri noi",
        "parcurile și spațiile verzi trebuie extinse pe malul Begăi",
        "grădini și arbori în curțile școlilor, mai multă verdeață",
    ],
    "digital": [
        "plata taxelor online pe site-ul primăriei nu funcționează",
        "vreau să depun cereri online fără cozi la ghișeu",
        "digitalizarea serviciilor publice ale primăriei merge greu",
        "site-ul primăriei este greu de folosit pentru cereri online",
        "documentele ar trebui eliberate online, nu la ghișeu",
        "o aplicație a primăriei pentru plăți și cereri online",
        "programare online la ghișeele primăriei, fără cozi",
        "servicii publice digitale: taxe, cereri și certificate online",
    ],
}


def strip_diacritics(text: str) -> str:
    table = str.maketrans("ăâîșțşţĂÂÎȘȚŞŢ", "aaistst" "AAISTST")
    return text.translate(table)


def cedilla(text: str) -> str:
    return text.replace("ș", "ş").replace("ț", "ţ")


def answers() -> list[tuple[str, str]]:
    """(topic, text) pairs: 8 sentences × 3 spellings × 2 prefixes per topic = 48 per topic."""
    rows = []
    spellings: tuple[Callable[[str], str], ...] = (str, strip_diacritics, cedilla)
    for topic, sentences in TOPICS.items():
        for n, (sentence, spelling) in enumerate(itertools.product(sentences, spellings)):
            for prefix in (PREFIXES[n % len(PREFIXES)], PREFIXES[(n + 3) % len(PREFIXES)]):
                text = prefix + sentence
                rows.append((topic, spelling(text[:1].upper() + text[1:] + ".")))
    return rows
