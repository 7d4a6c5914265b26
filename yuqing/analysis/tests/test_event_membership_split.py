"""The gold event set's tuning/evaluation halves and the event-membership figures yuqing evaluate reports."""

from __future__ import annotations

from yuqing.analysis.evaluation import events as ev


def test_the_halves_are_fixed_by_the_event_name_and_both_hold_multi_item_events():
    events = ev.read_events()
    halves = {e["event"]: ev.half_of(e["event"]) for e in events}
    assert set(halves.values()) == set(ev.HALVES)
    assert halves == {e["event"]: ev.half_of(e["event"]) for e in ev.read_events()}
    for half in ev.HALVES:
        multi = [e for e in events if halves[e["event"]] == half and len(e["ids"]) > 1]
        assert len(multi) >= 10, half


def test_membership_is_reported_whole_by_half_and_for_pages():
    result = ev.evaluate_membership()
    events = ev.read_events()
    assert set(result["halves"]) == set(ev.HALVES)
    assert sum(h["items"] for h in result["halves"].values()) == result["items"]
    assert sum(h["gold_pairs"] for h in result["halves"].values()) == result["gold_pairs"]
    assert sum(h["gold_events"] for h in result["halves"].values()) == len(events)
    assert 0 < result["pages"]["gold_pairs"] < result["gold_pairs"]
    # Thread links are what join comments to their posts: without them recall collapses.
    words_only = ev.evaluate_membership(links=False)
    assert result["recall"] >= 0.8 > 0.1 >= words_only["recall"]
    for half in result["halves"].values():
        assert half["precision"] >= 0.9
