"""The suite's shared fixtures live in tests/fixtures.py (the personas' world, built once per
session, and the support personas); helpers shared between apps are plain modules
(tests/factories.py, tests/<app>/helpers.py). Conftest files never import one another."""

pytest_plugins = ["tests.fixtures"]
