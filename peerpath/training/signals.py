from django.dispatch import Signal

# Sent after attendance at a refresher event is recorded or changed, once per supporter, so
# that continuing education can credit (or withdraw) the event's hours without training
# knowing about certification. Arguments: `program`, `session` (a refresher TrainingSession),
# `supporter` (recruitment.Supporter), `attended` (bool), `actor`.
refresher_attendance_recorded = Signal()
