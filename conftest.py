"""Shared fixtures: role personas and API clients."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from yuqing.org.services import api_token_create

PASSWORD = "Tiemenguan-2026!"  # noqa: S105 — test persona


@pytest.fixture
def clerk(db):
    """A member of the office on duty (舆情应急办): reads the feed."""
    return get_user_model().objects.create_user("clerk", password=PASSWORD)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def clerk_client(clerk) -> Client:
    client = Client()
    client.force_login(clerk)
    return client


@pytest.fixture
def api_token(clerk) -> str:
    return api_token_create(user=clerk, name="测试")


@pytest.fixture
def api(api_token):
    """A test client that sends the bearer token on every request."""
    return Client(headers={"Authorization": f"Bearer {api_token}"})
