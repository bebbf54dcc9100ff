"""Kept for tests written against the old layout: the support personas are the `support`
fixture in tests/fixtures.py and the helpers are in tests/support/helpers.py. Import from those."""

from tests.fixtures import SupportWorld, support  # noqa: F401
from tests.support.helpers import certify, make_participant, match, participant_data, profile  # noqa: F401
