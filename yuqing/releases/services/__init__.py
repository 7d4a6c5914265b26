"""Writes of 信息发布 and 舆论引导. Every status change of a release goes through these functions."""

from yuqing.releases.services.demo import demo_load
from yuqing.releases.services.guidance import (
    guidance_post_record,
    guidance_task_complete,
    guidance_task_create,
)
from yuqing.releases.services.points import talking_point_create
from yuqing.releases.services.releases import (
    release_coverage,
    release_create,
    release_deadlines_set,
    release_publish,
    release_review,
    release_sign,
    release_submit,
    release_update,
)

__all__ = [
    "demo_load",
    "guidance_post_record",
    "guidance_task_complete",
    "guidance_task_create",
    "release_coverage",
    "release_create",
    "release_deadlines_set",
    "release_publish",
    "release_review",
    "release_sign",
    "release_submit",
    "release_update",
    "talking_point_create",
]
