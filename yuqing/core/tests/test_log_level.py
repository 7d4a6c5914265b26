"""Background logs are quiet by default: YUQING_LOG_LEVEL (WARNING unless set) governs the console, the
task consumer's per-task lines included, and a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = (
    "import django, logging; django.setup(); "
    "huey = logging.getLogger('huey'); "
    "print(logging.getLevelName(logging.getLogger().level), logging.getLevelName(huey.getEffectiveLevel()), "
    "bool(huey.handlers))"
)


def start(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "YUQING_LOG_LEVEL"}
    environ.update(env, YUQING_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="yuqing.settings")
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, check=False
    )


def test_by_default_the_console_and_the_task_consumer_log_warnings_only(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    # huey's logger has a handler from the settings, so run_huey adds none of its own (at INFO)
    assert result.stdout.split() == ["WARNING", "WARNING", "True"]


def test_yuqing_log_level_brings_back_the_info_lines(tmp_path):
    result = start(tmp_path, YUQING_LOG_LEVEL="info")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["INFO", "INFO", "True"]


@pytest.mark.parametrize("value", ["verbose", "5", "WARN"])
def test_a_bad_log_level_stops_start_up_naming_the_variable(value, tmp_path):
    result = start(tmp_path, YUQING_LOG_LEVEL=value)
    assert result.returncode != 0
    assert "ConfigError" in result.stderr and "YUQING_LOG_LEVEL" in result.stderr
