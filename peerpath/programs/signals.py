from django.dispatch import Signal

# Sent with `program` and `actor` when a program is created, so each app can give it the
# default content the seeds describe (competencies, screening questions, curriculum...).
program_created = Signal()
