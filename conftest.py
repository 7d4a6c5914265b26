"""The test run's settings: a fast password hasher. The standard personas and API clients are fixtures of
:mod:`yuqing.testing.personas`, the factories are in :mod:`yuqing.testing.factories`."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

pytest_plugins = ["yuqing.testing.personas"]

# Tests hash passwords with MD5: PBKDF2's million rounds cost a second per login on this machine and prove
# nothing about the code under test. A test about the real hasher is marked ``real_password_hasher``.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Yields the project's own hashers (the production setting) while the tests run on MD5."""
    real = list(settings.PASSWORD_HASHERS)
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield real


@pytest.fixture(autouse=True)
def production_hashers_when_marked(request, fast_password_hasher):
    """Under ``@pytest.mark.real_password_hasher`` the test runs on the production hashers."""
    if request.node.get_closest_marker("real_password_hasher") is None:
        yield
        return
    with override_settings(PASSWORD_HASHERS=fast_password_hasher):
        yield
