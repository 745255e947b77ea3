"""Who may see the notifications room's back-office rows and delivery log (django-rules; autodiscovered).

People manage their own subscriptions and endpoints on their page (ownership is checked there). The
delivery log, events, endpoints and subscriptions are for administrators; moderators may read the log
and events (to answer "why did I (not) get this?"), never change them."""

import rules

from accounts.roles import is_administrator, is_moderator

can_read_log = is_administrator | is_moderator

rules.add_perm("notifications.view_delivery_log", can_read_log)
rules.add_perm("notifications.view_delivery", can_read_log)
rules.add_perm("notifications.view_eventrecord", can_read_log)
for model in ("endpoint", "subscription", "preferences"):
    rules.add_perm(f"notifications.view_{model}", is_administrator)
    rules.add_perm(f"notifications.change_{model}", is_administrator)
    rules.add_perm(f"notifications.delete_{model}", is_administrator)
