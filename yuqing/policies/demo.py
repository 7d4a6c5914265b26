"""The demo's policy library: the bundled policies and, when present, the shared seed documents."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from yuqing.policies.services import ImportReport, policies_import

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_FILE = DATA_DIR / "demo_policies.jsonl"
SEED_DIR = Path(settings.PROJECT_DIR).parent / "shared" / "seed"


def demo_load(*, seed_dir: Path | None = None) -> ImportReport:
    """Load the bundled policies (``data/demo_policies.jsonl``) and, when present, the seed documents of
    ``../shared/seed``; safe to call on every start (same title and date → update, not a copy)."""
    paths: list[Path] = [DEMO_FILE]
    seed = SEED_DIR if seed_dir is None else seed_dir
    if seed.is_dir():
        paths.append(seed)
    return policies_import(paths, is_demo=True)
