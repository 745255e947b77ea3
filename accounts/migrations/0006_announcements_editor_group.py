"""The announcements editor role (accounts.roles.Role.ANNOUNCEMENTS_EDITOR): its group, so that the back
office's group field offers it."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="announcements_editor")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_second_factor_proxy")]
    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
