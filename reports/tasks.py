"""Background jobs of the reports room. It has none of its own now: its e-mails (confirm a report, confirm
following it, the department's notice) are transactional messages sent by the notifications room's task
(reports/emails.py → notifications.transactional), and updates to followers go through the pipeline."""
