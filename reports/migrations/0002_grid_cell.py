"""The grid cell of each report (reports.geodesy.grid_cell) and the index the map reads by cell.

The index is created here rather than in Report.Meta because it differs by database: on PostgreSQL
it covers (INCLUDE) the columns the map filters on, so reading a cell is an index-only scan; SQLite
has no covering indexes and gets the plain one.
"""

from django.db import migrations, models

INDEX = "reports_public_cell"


def fill_cells(apps, schema_editor):
    from reports.geodesy import grid_cell

    Report = apps.get_model("reports", "Report")
    batch = []
    for report in Report.objects.only("id", "lat", "lon").iterator(chunk_size=2000):
        report.cell = grid_cell(report.lat, report.lon)
        batch.append(report)
        if len(batch) == 2000:
            Report.objects.bulk_update(batch, ["cell"])
            batch = []
    Report.objects.bulk_update(batch, ["cell"])


def create_index(apps, schema_editor):
    table = apps.get_model("reports", "Report")._meta.db_table
    include = " INCLUDE (lat, lon, is_open, category_id)" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX "{INDEX}" ON "{table}" ("cell", "created_at" DESC, "id" DESC){include} '
                          'WHERE "is_public"')


def drop_index(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="cell",
            field=models.IntegerField(default=0, editable=False, help_text="geodesy.grid_cell(lat, lon), for the map"),
        ),
        migrations.RunPython(fill_cells, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
