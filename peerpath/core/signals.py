"""Signals core sends so that later apps can react without core knowing them."""

from django.dispatch import Signal

# Sent with `user` after a saved account's password was set, changed or made unusable (a reset
# link, an invitation, the admin, `manage.py changepassword`): whatever the old password let a
# program do on the person's behalf (API tokens) must stop.
password_changed = Signal()
