"""Short open answers in the city's languages on two topics each (cycling, and trees and parks), written
for the tests of the theme analysis: each language must be recognised and analysed on its own."""

from __future__ import annotations

ANSWERS: dict[str, dict[str, list[str]]] = {
    "de": {
        "cycling": [
            "Wir brauchen mehr sichere Radwege in der Innenstadt.",
            "Die Radwege sind zu schmal und enden plötzlich an der Kreuzung.",
            "Bitte mehr Fahrradständer am Bahnhof und sichere Radwege.",
            "Ich fahre täglich mit dem Fahrrad, aber die Radwege sind gefährlich.",
            "Getrennte Radwege entlang der Bega wären wunderbar.",
            "Die Autos parken ständig auf den Radwegen.",
        ],
        "trees": [
            "Es sollten mehr Bäume in den Straßen gepflanzt werden.",
            "Die Parks brauchen mehr Bänke und gepflegte Bäume.",
            "Alte Bäume werden gefällt und nicht ersetzt, das ist traurig.",
            "Mehr Grünflächen und schattige Bäume für heiße Sommer.",
            "Der Park in unserem Viertel ist ungepflegt, die Bäume vertrocknen.",
            "Bitte neue Parks und Bäume statt Beton.",
        ],
    },
    "hu": {
        "cycling": [
            "Több biztonságos kerékpárút kellene a belvárosban.",
            "A kerékpárutak túl keskenyek és hirtelen véget érnek.",
            "Kérünk több kerékpártárolót az állomásnál és biztonságos kerékpárutat.",
            "Minden nap kerékpárral járok, de a kerékpárutak veszélyesek.",
            "A Bega mentén külön kerékpárút nagyszerű lenne.",
            "Az autók folyton a kerékpárúton parkolnak.",
        ],
        "trees": [
            "Több fát kellene ültetni az utcákon.",
            "A parkokba több pad és ápolt fák kellenek.",
            "A régi fákat kivágják és nem pótolják, ez szomorú.",
            "Több zöldterület és árnyékos fák a forró nyarakra.",
            "A negyedünk parkja elhanyagolt, a fák kiszáradnak.",
            "Kérünk új parkokat és fákat a beton helyett.",
        ],
    },
    "sr-Latn": {
        "cycling": [
            "Potrebno je više bezbednih biciklističkih staza u centru grada.",
            "Biciklističke staze su preuske i naglo se završavaju na raskrsnici.",
            "Molimo više parkinga za bicikle kod stanice i bezbedne biciklističke staze.",
            "Svaki dan vozim bicikl, ali su biciklističke staze opasne.",
            "Odvojene biciklističke staze duž Begeja bile bi divne.",
            "Automobili stalno parkiraju na biciklističkim stazama.",
        ],
        "trees": [
            "Trebalo bi posaditi više drveća u ulicama.",
            "Parkovima su potrebne klupe i negovano drveće.",
            "Staro drveće se seče i ne zamenjuje, to je tužno.",
            "Više zelenih površina i drveća sa hladom za vrela leta.",
            "Park u našem kraju je zapušten, drveće se suši.",
            "Molimo nove parkove i drveće umesto betona.",
        ],
    },
    "sr-Cyrl": {
        "cycling": [
            "Потребно је више безбедних бициклистичких стаза у центру града.",
            "Бициклистичке стазе су преуске и нагло се завршавају на раскрсници.",
            "Молимо више паркинга за бицикле код станице и безбедне бициклистичке стазе.",
            "Сваки дан возим бицикл, али су бициклистичке стазе опасне.",
            "Одвојене бициклистичке стазе дуж Бегеја биле би дивне.",
            "Аутомобили стално паркирају на бициклистичким стазама.",
        ],
        "trees": [
            "Требало би посадити више дрвећа у улицама.",
            "Парковима су потребне клупе и неговано дрвеће.",
            "Старо дрвеће се сече и не замењује, то је тужно.",
            "Више зелених површина и дрвећа са хладом за врела лета.",
            "Парк у нашем крају је запуштен, дрвеће се суши.",
            "Молимо нове паркове и дрвеће уместо бетона.",
        ],
    },
    "en": {
        "cycling": [
            "We need more safe bike lanes in the city centre.",
            "The bike lanes are too narrow and end suddenly at the crossing.",
            "Please add bike racks at the station and safe bike lanes.",
            "I cycle every day but the bike lanes are dangerous.",
            "Separate bike lanes along the Bega river would be wonderful.",
            "Cars keep parking on the bike lanes.",
        ],
        "trees": [
            "Plant more trees along the streets.",
            "The parks need benches and well kept trees.",
            "Old trees are cut down and never replaced, which is sad.",
            "More green spaces and shade trees for hot summers.",
            "The park in our neighbourhood is neglected and the trees are drying out.",
            "Please build new parks and plant trees instead of concrete.",
        ],
    },
    "ro": {
        "cycling": [
            "Avem nevoie de mai multe piste de biciclete sigure în centru.",
            "Pistele de biciclete sunt prea înguste și se termină brusc la intersecție.",
            "Vă rog mai multe rastele pentru biciclete la gară și piste de biciclete sigure.",
            "Merg zilnic cu bicicleta, dar pistele de biciclete sunt periculoase.",
            "Piste de biciclete separate de-a lungul Begăi ar fi minunate.",
            "Mașinile parchează mereu pe pistele de biciclete.",
        ],
        "trees": [
            "Plantați mai mulți copaci pe străzi.",
            "Parcurile au nevoie de bănci și copaci îngrijiți.",
            "Copacii bătrâni sunt tăiați și nu sunt înlocuiți, e trist.",
            "Mai multe spații verzi și copaci cu umbră pentru verile fierbinți.",
            "Parcul din cartierul nostru e neîngrijit, copacii se usucă.",
            "Vă rog parcuri noi și copaci în loc de beton.",
        ],
    },
}

FRENCH = ["Il faut plus de pistes cyclables dans le centre-ville.",
          "Plantez plus d'arbres dans les rues, s'il vous plaît."]


def language_answers(language: str) -> list[tuple[str, str]]:
    """(topic, text) pairs of one language."""
    return [(topic, text) for topic, texts in ANSWERS[language].items() for text in texts]
