"""Who may do what in the announcements room (django-rules; autodiscovered).

Reading is open to everyone (announcements are public information and open data). Publishing,
updating and cancelling is for administrators, department staff (the departments that run streets,
transport, water, heating and power write their own notices) and announcements editors (the role for
whoever publishes notices without being a department's staff: a dispatcher, the press office).
The services check the same permission (announcements.services).
"""

import rules

from accounts.roles import is_administrator, is_announcements_editor, is_department_staff

can_publish = is_administrator | is_department_staff | is_announcements_editor

rules.add_perm("announcements.view_announcement", rules.always_allow)
rules.add_perm("announcements.publish", can_publish)
rules.add_perm("announcements.add_announcement", can_publish)
rules.add_perm("announcements.change_announcement", can_publish)
# Messages are never deleted (an update or a cancellation is a new message); demo removal is a command.
rules.add_perm("announcements.delete_announcement", rules.always_deny)
rules.add_perm("announcements", can_publish)
