"""Full-text search structures for the map's index: FTS5 on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations


def install(apps, schema_editor):
    from resources import search

    search.install(schema_editor)


def remove(apps, schema_editor):
    from resources import search

    search.install(schema_editor, remove=True)


class Migration(migrations.Migration):

    dependencies = [("resources", "0002_organisations_from_participation")]

    operations = [migrations.RunPython(install, remove)]
