"""Who may do what in the strategy room (django-rules; autodiscovered)."""

import rules

from accounts.roles import is_administrator, is_strategy_editor

can_edit_strategy = is_administrator | is_strategy_editor

for model in ("strategy", "ambition", "objective", "project", "milestone", "projectupdate", "kpi", "measurement",
              "figure", "governancebody", "fundingprogramme", "openaction", "digitalenabler", "codesignactivity",
              "evaluationcycle", "smartcitydimension", "openactioncategory", "localactortype", "dysfunctioncluster",
              "needscluster", "valueproposition"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"strategy.{action}_{model}", can_edit_strategy)

# The steering group reads the back office for evaluation, and writes the yearly evaluation (is_staff: accounts.roles).
rules.set_perm("strategy.view_evaluationcycle", can_edit_strategy | rules.is_group_member("steering_group"))
rules.set_perm("strategy.change_evaluationcycle", can_edit_strategy | rules.is_group_member("steering_group"))
rules.set_perm("strategy.add_evaluationcycle", can_edit_strategy | rules.is_group_member("steering_group"))
rules.add_perm("strategy.view_audit", can_edit_strategy | is_administrator)
