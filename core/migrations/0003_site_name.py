import os

from django.db import migrations


def name_site(apps, schema_editor):
    # Links in emails (verification, notifications) use this domain; set SITE_DOMAIN in production.
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(pk=1, defaults={
        "domain": os.environ.get("SITE_DOMAIN", "127.0.0.1:8000"), "name": "Timișoara Smart City"})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_neighbourhood"), ("sites", "0002_alter_domain_unique")]
    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
