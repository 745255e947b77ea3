"""EU controlled vocabularies (Publications Office authority tables) and the other URIs of DCAT-AP 3.0.1.

Plain data, no Django: the codes rooms use in `opendata.registry` and their URIs and labels.
"""

from __future__ import annotations

AUTHORITY = "http://publications.europa.eu/resource/authority/"
FILE_TYPE_SCHEME = AUTHORITY + "file-type"
LANGUAGE_SCHEME = AUTHORITY + "language"
THEME_SCHEME = AUTHORITY + "data-theme"
LICENCE_SCHEME = AUTHORITY + "licence"
FREQUENCY_SCHEME = AUTHORITY + "frequency"
ACCESS_RIGHT_SCHEME = AUTHORITY + "access-right"
# High-value datasets: Implementing Regulation (EU) 2023/138 and the HVD category vocabulary.
HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
HVD_CATEGORY_SCHEME = "http://data.europa.eu/bna/asd487ae75"
HVD_CATEGORIES = {
    "c_ac64a52d": "Geospatial",
    "c_dd313021": "Earth observation and environment",
    "c_164e0bf5": "Meteorological",
    "c_e1da4e07": "Statistics",
    "c_a9135398": "Companies and company ownership",
    "c_b79e35eb": "Mobility",
}
# The same categories as the Romanian text of Implementing Regulation (EU) 2023/138 names them (for the pages).
HVD_CATEGORIES_RO = {
    "c_ac64a52d": "Date geospațiale",
    "c_dd313021": "Observarea Pământului și mediu",
    "c_164e0bf5": "Date meteorologice",
    "c_e1da4e07": "Statistică",
    "c_a9135398": "Societăți și proprietatea asupra societăților",
    "c_b79e35eb": "Mobilitate",
}
# Timișoara in GeoNames (a URI the DCAT-AP vocabulary shapes accept for dct:spatial).
TIMISOARA_GEONAMES = "https://sws.geonames.org/665087/"
PUBLISHER_TYPE_LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority"
PUBLISHER_TYPE_SCHEME = "http://purl.org/adms/publishertype/1.0"

THEMES = {  # EU data themes: code → (Romanian, English)
    "AGRI": ("Agricultură, pescuit, silvicultură și alimentație", "Agriculture, fisheries, forestry and food"),
    "ECON": ("Economie și finanțe", "Economy and finance"),
    "EDUC": ("Educație, cultură și sport", "Education, culture and sport"),
    "ENER": ("Energie", "Energy"),
    "ENVI": ("Mediu", "Environment"),
    "GOVE": ("Guvern și sector public", "Government and public sector"),
    "HEAL": ("Sănătate", "Health"),
    "INTR": ("Chestiuni internaționale", "International issues"),
    "JUST": ("Justiție, sistem juridic și siguranță publică", "Justice, legal system and public safety"),
    "REGI": ("Regiuni și orașe", "Regions and cities"),
    "SOCI": ("Populație și societate", "Population and society"),
    "TECH": ("Știință și tehnologie", "Science and technology"),
    "TRAN": ("Transport", "Transport"),
}
FREQUENCIES = {
    "CONT": ("continuu", "continuous"), "UPDATE_CONT": ("actualizat continuu", "continuously updated"),
    "HOURLY": ("orar", "hourly"), "DAILY": ("zilnic", "daily"), "WEEKLY": ("săptămânal", "weekly"),
    "MONTHLY": ("lunar", "monthly"), "QUARTERLY": ("trimestrial", "quarterly"), "ANNUAL": ("anual", "annual"),
    "IRREG": ("neregulat", "irregular"), "NEVER": ("niciodată", "never"), "OTHER": ("altă frecvență", "other"),
}
FILE_TYPES = {"CSV", "JSON", "GEOJSON", "RDF_TURTLE", "RDF_XML", "JSON_LD", "ICS", "XML", "ATOM", "ZIP", "TXT",
              "HTML", "PDF"}
LICENCES = {  # code of the EU licence table → (label, canonical URL)
    "CC_BY_4_0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
    "ODC_BL": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
    "CC0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
}
DEFAULT_LICENCE = "CC_BY_4_0"


def file_type_uri(code: str) -> str:
    return f"{FILE_TYPE_SCHEME}/{code}"


def theme_uri(code: str) -> str:
    return f"{THEME_SCHEME}/{code}"


def frequency_uri(code: str) -> str:
    return f"{FREQUENCY_SCHEME}/{code}"


def licence_uri(code: str) -> str:
    return f"{LICENCE_SCHEME}/{code}"


def language_uri(code: str) -> str:
    return f"{LANGUAGE_SCHEME}/{code}"


def hvd_category_uri(code: str) -> str:
    return f"http://data.europa.eu/bna/{code}"
