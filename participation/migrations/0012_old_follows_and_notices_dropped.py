"""The old follows, notices and e-mail choice go (issue 15): 0010 and 0011 copied them to the notifications
room, which has delivered participation's notices since."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("participation", "0011_notices_and_email_choice_to_notifications"),
    ]

    operations = [
        migrations.DeleteModel(name="Follow"),
        migrations.DeleteModel(name="Notification"),
        migrations.DeleteModel(name="NotificationSettings"),
    ]
