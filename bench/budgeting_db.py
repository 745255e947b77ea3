"""Benchmark of the budgeting room's database side: importing real Pabulib files (projects and every
ballot), counting them from the database, rendering the results page and writing the open-data file.

    .venv/bin/python bench/budgeting_db.py [FILE.pb ...] [--rules mes,phragmen]

Runs on a fresh SQLite database in a temporary directory (or on DATABASE_URL when it is set: use a
database of your own). Without arguments it uses the larger files of tests/data/pabulib (stored
xz-compressed there; a FILE may be plain or .xz too).
The rules themselves are benchmarked in bench/pb_rules.py; here they are one step among others.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = ["Poland_Warszawa_2021_Mokotow.pb", "Netherlands_Amsterdam_309.pb", "Poland_Lodz_2024.pb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--rules", default="mes", help="rules to compare with the file's own, comma-separated")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SMARTCITY_VAR_DIR", tempfile.mkdtemp(prefix="budgeting-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from budgeting import counting, services
    from budgeting.pb.pabulib import write_pabulib_text

    call_command("migrate", verbosity=0)
    from tests.budgeting.make_golden import pabulib_name, pabulib_path, read_pabulib_text

    files = [Path(name) if Path(name).exists() else pabulib_path(name) for name in (args.files or DEFAULT_FILES)]
    rules = [rule for rule in args.rules.split(",") if rule]
    client = Client()
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print("file | ballots | projects | import+count s | recount with " + "+".join(rules) + " s | "
          "results page s | .pb export s")
    for number, path in enumerate(files):
        text = read_pabulib_text(path)
        slug = f"bench-{number}"
        start = time.perf_counter()
        edition = services.import_pabulib("bench", text, slug=slug)
        imported = time.perf_counter() - start
        start = time.perf_counter()
        services.count_votes("bench", edition, rules=rules)
        recount = time.perf_counter() - start
        client.get(f"/en/budgeting/{slug}/results/", HTTP_HOST="localhost")  # warm: templates, translations
        start = time.perf_counter()
        response = client.get(f"/en/budgeting/{slug}/results/", HTTP_HOST="localhost")
        page = time.perf_counter() - start
        assert response.status_code == 200
        start = time.perf_counter()
        instance, _projects, _tally = counting.pool_instance(edition, edition.pools.get(), for_export=True)
        write_pabulib_text(instance)
        export = time.perf_counter() - start
        print(f"{pabulib_name(path)} | {edition.ballots.count()} | {edition.projects.count()} | {imported:.1f} | "
              f"{recount:.1f} | {page:.2f} | {export:.1f}")


if __name__ == "__main__":
    main()
