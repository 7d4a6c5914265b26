"""Demo sources follow the address the instance runs on."""

from __future__ import annotations

import pytest
from django.test import override_settings

from yuqing.demo.services import demo_load, demo_sources_follow_port
from yuqing.sources.models import Source

pytestmark = pytest.mark.django_db


def test_demo_sources_follow_the_port_run_uses_after_setup_used_another():
    with override_settings(HOST="127.0.0.1", PORT=8000):
        demo_load()
    assert all(":8000/demo/feeds/" in s.url for s in Source.objects.filter(is_demo=True))
    with override_settings(HOST="127.0.0.1", PORT=9100):
        assert demo_sources_follow_port() == Source.objects.filter(is_demo=True).count() > 0
        assert demo_sources_follow_port() == 0
    assert all(
        s.url.startswith("http://127.0.0.1:9100/demo/feeds/") for s in Source.objects.filter(is_demo=True)
    )
