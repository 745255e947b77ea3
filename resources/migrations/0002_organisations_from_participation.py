"""Copy participation's organisation registry (and representatives) into resources, keeping the ids, so
participation 0008 can point its foreign keys here without touching a row."""

from django.core.management.color import no_style
from django.db import migrations


def copy_rows(apps, schema_editor):
    try:
        OldOrganisation = apps.get_model("participation", "Organisation")
        OldRepresentative = apps.get_model("participation", "Representative")
    except LookupError:  # participation not installed: nothing to copy
        return
    Organisation = apps.get_model("resources", "Organisation")
    Representative = apps.get_model("resources", "Representative")
    Organisation.objects.bulk_create([
        Organisation(id=old.id, slug=old.slug, name=old.name, kind=old.kind, description=old.description,
                     website=old.website, neighbourhood_id=old.neighbourhood_id, verified=old.verified,
                     verified_at=old.created_at if old.verified else None, created_at=old.created_at,
                     updated_at=old.created_at, source="self")
        for old in OldOrganisation.objects.all()])
    Representative.objects.bulk_create([
        Representative(id=old.id, organisation_id=old.organisation_id, user_id=old.user_id, position=old.position,
                       listed_publicly=old.listed_publicly)
        for old in OldRepresentative.objects.all()])
    # Explicit ids leave PostgreSQL's sequences behind: move them past the copied rows.
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), [Organisation, Representative])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def copy_back(apps, schema_editor):
    Organisation = apps.get_model("resources", "Organisation")
    Representative = apps.get_model("resources", "Representative")
    try:
        OldOrganisation = apps.get_model("participation", "Organisation")
        OldRepresentative = apps.get_model("participation", "Representative")
    except LookupError:
        return
    OldOrganisation.objects.bulk_create([
        OldOrganisation(id=o.id, slug=o.slug, name=o.name, kind=o.kind if o.kind != "cultural" else "ngo",
                        description=o.description, website=o.website, neighbourhood_id=o.neighbourhood_id,
                        verified=o.verified, created_at=o.created_at) for o in Organisation.objects.all()])
    OldRepresentative.objects.bulk_create([
        OldRepresentative(id=r.id, organisation_id=r.organisation_id, user_id=r.user_id, position=r.position,
                          listed_publicly=r.listed_publicly) for r in Representative.objects.all()])


class Migration(migrations.Migration):

    dependencies = [
        ("resources", "0001_initial"),
        ("participation", "0007_map_state_and_theme_run_details"),
    ]

    operations = [migrations.RunPython(copy_rows, copy_back)]
