from django.dispatch import Signal

# Sent with `program` and `actor` when a program is created, so each app can give it the
# default content the seeds describe (competencies, screening questions, curriculum...).
program_created = Signal()

# Sent by the support app when something hard happens in a supporter's caseload, so that
# supporter care can follow up without support knowing about care. Arguments: `program`,
# `supporter` (recruitment.Supporter), `kind` ('hospitalised', 'relapsed', 'died', 'crisis'),
# `occurred_at` (datetime), `event` (the record that was saved).
adverse_event_recorded = Signal()

# Sent with `membership` and `actor` when an active membership is made inactive (the person left
# the program): what they could do there through other means (API tokens) must stop.
membership_ended = Signal()
