"""Who may do what in the environment room (django-rules; autodiscovered).

Reading air-quality data is open to everyone (it is open data). Staff of the city's
departments and administrators run the sensor registry and review quarantined readings.
Anyone signed in may subscribe to alerts and manage their own subscriptions.
"""

import rules

from accounts.roles import is_administrator, is_department_staff, is_signed_in

can_manage_sensors = is_administrator | is_department_staff


rules.add_perm("environment.view_data", rules.always_allow)

for model in ("station", "sensor"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"environment.{action}_{model}", can_manage_sensors)
rules.add_perm("environment.import_archive", can_manage_sensors)

# Quarantine: staff review; rows are written by ingest only, removed only by an administrator.
rules.add_perm("environment.view_quarantinedreading", can_manage_sensors)
rules.add_perm("environment.change_quarantinedreading", can_manage_sensors)
rules.add_perm("environment.delete_quarantinedreading", is_administrator)

# Alerts: people subscribe (kept in the notifications room, which shows each their own and the delivery
# log to staff); the alerts announced are listed for staff.
rules.add_perm("environment.subscribe_alerts", is_signed_in)
rules.add_perm("environment.view_alertevent", can_manage_sensors)

# The back-office section of the room (Django admin's module permission).
rules.add_perm("environment", can_manage_sensors)
