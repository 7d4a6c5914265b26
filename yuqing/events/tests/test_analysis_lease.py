"""The analysis lease: one pass at a time across workers and machines, given up by expiring when its
worker dies, kept by renewal while a healthy pass runs, and a pass that lost it writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from yuqing.events import services
from yuqing.events.models import Alert, ClusterState, Event, Lease
from yuqing.events.tests.test_pipeline import entries
from yuqing.items.ingest import ingest_entries
from yuqing.items.models import Item, ItemStage
from yuqing.sources.models import Source

pytestmark = pytest.mark.django_db
LEASE = timedelta(seconds=settings.ANALYSIS_LEASE_SECONDS)


@pytest.fixture
def stored_items() -> list[Item]:
    """The test story and an unrelated item, stored and waiting for analysis."""
    forum = Source.objects.create(
        name="铁门关论坛", kind="rss", url="https://bbs.example.cn/rss", media_type="forum"
    )
    story, unrelated = entries()
    ingest_entries(story + unrelated, source=forum)
    items = list(Item.objects.order_by("id"))
    assert {i.stage for i in items} == {ItemStage.STORED}
    return items


def stages() -> dict[str, int]:
    return {s: Item.objects.filter(stage=s).count() for s in ItemStage.values if Item.objects.filter(stage=s)}


def test_a_held_lease_is_refused_to_a_second_worker_until_it_expires():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.lease_acquire(holder="host-a:1")
        assert not services.lease_acquire(holder="host-b:2")
    with time_machine.travel(start + LEASE - timedelta(seconds=1), tick=False):
        assert not services.lease_acquire(holder="host-b:2")
    with time_machine.travel(start + LEASE, tick=False):
        assert services.lease_acquire(holder="host-b:2")  # host-a died: its lease expired
        with pytest.raises(services.LeaseLost):
            services.lease_renew(holder="host-a:1")
    assert Lease.objects.get(name=services.ANALYSIS_LEASE).holder == "host-b:2"


def test_a_released_lease_is_free_at_once_and_a_stale_release_changes_nothing():
    assert services.lease_acquire(holder="a")
    services.lease_release(holder="a")
    assert services.lease_acquire(holder="b")
    services.lease_release(holder="a")  # a no longer holds it: b keeps it
    assert not services.lease_acquire(holder="c")


def test_a_healthy_pass_renews_its_lease_each_batch_so_it_never_lapses_mid_pass(stored_items):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.lease_acquire(holder="a")
        services.process_pending(limit=2, holder="a")
    for k in range(1, 4):  # each batch starts later than the previous batch's lease would have lasted
        with time_machine.travel(start + k * (LEASE - timedelta(seconds=1)), tick=False):
            assert not services.lease_acquire(holder="b")
            services.process_pending(limit=2, holder="a")
    assert stages() == {ItemStage.CLUSTERED: len(stored_items)}


def test_a_pass_that_lost_its_lease_stops_without_writing(stored_items):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.lease_acquire(holder="a")
    with time_machine.travel(start + LEASE + timedelta(seconds=1), tick=False):
        assert services.lease_acquire(holder="b")  # a stalled past its lease; b took over
        with pytest.raises(services.LeaseLost):
            services.process_pending(holder="a")
    assert stages() == {ItemStage.STORED: len(stored_items)}  # a's analysis was not saved
    assert not Item.objects.filter(analyzed_at__isnull=False).exists()


def test_a_pass_that_lost_its_lease_before_clustering_leaves_the_clusterer_alone(stored_items):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.lease_acquire(holder="a")
        services.items_analyze(holder="a")
    with time_machine.travel(start + LEASE + timedelta(seconds=1), tick=False):
        assert services.lease_acquire(holder="b")
        with pytest.raises(services.LeaseLost):
            services.items_cluster(holder="a")
    assert stages() == {ItemStage.ANALYZED: len(stored_items)}
    assert not ClusterState.objects.exists() and not Event.objects.exists()


def test_analysis_waits_while_another_worker_holds_the_lease_and_runs_once_it_expires(stored_items):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.lease_acquire(holder="killed-worker")
        assert services.analysis_run() == 0
    assert stages() == {ItemStage.STORED: len(stored_items)}
    with time_machine.travel(start + LEASE, tick=False):
        assert services.analysis_run() == 2 * len(stored_items)
    assert stages() == {ItemStage.CLUSTERED: len(stored_items)}
    assert ClusterState.objects.get().items_seen == len(stored_items)
    assert Lease.objects.get(name=services.ANALYSIS_LEASE).holder == ""  # given back after the pass


def test_events_a_killed_worker_clustered_but_did_not_refresh_are_refreshed_and_alerted_by_the_next_pass(
    stored_items,
):
    services.items_analyze()
    services.items_cluster()  # the worker dies here, before refreshing the events it touched
    event = Event.objects.get(needs_refresh=True, merged_into__isnull=True)
    assert event.size == 0 and not Alert.objects.exists()
    services.analysis_run()
    event.refresh_from_db()
    assert not event.needs_refresh
    assert event.size >= 3
    assert Alert.objects.filter(event=event).exists()


@pytest.mark.parametrize("value", ["abc", "0", "4", "86400"])
def test_a_bad_analysis_lease_setting_stops_start_up_naming_the_variable(value, tmp_path):
    env = {**os.environ, "YUQING_ANALYSIS_LEASE_SECONDS": value, "YUQING_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import yuqing.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "ConfigError" in result.stderr and "YUQING_ANALYSIS_LEASE_SECONDS" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_of_workers_racing_for_a_free_lease_exactly_one_wins():
    import time
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import OperationalError, connection

    from yuqing.core.busy import database_busy

    services.lease_acquire(holder="setup")  # the row exists; now free it for the race
    services.lease_release(holder="setup")
    barrier = Barrier(6)

    def race(n: int) -> bool:
        # The SQLite test database is in memory with a shared cache, whose table locks fail at once instead
        # of waiting out the busy timeout as a database file does: such a refusal is retried, since it says
        # nothing about who won.
        try:
            barrier.wait()
            for _ in range(200):
                try:
                    return services.lease_acquire(holder=f"worker-{n}")
                except OperationalError as exc:
                    if not database_busy(exc):
                        raise
                    time.sleep(0.01)
            raise AssertionError("the shared-cache table lock never cleared")
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        won = list(pool.map(race, range(6)))
    assert won.count(True) == 1
    assert Lease.objects.get(name=services.ANALYSIS_LEASE).holder == f"worker-{won.index(True)}"
