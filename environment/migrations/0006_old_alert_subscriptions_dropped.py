"""The old air-quality alert subscriptions and their delivery log go (issue 15): 0005 copied the
subscriptions to the notifications room (by place), which has delivered the alerts since."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("environment", "0005_alert_subscriptions_to_notifications"),
    ]

    operations = [  # the delivery log first: it points at the subscriptions
        migrations.DeleteModel(name="Notification"),
        migrations.DeleteModel(name="AlertSubscription"),
    ]
