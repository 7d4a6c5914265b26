"""Writes of the procedure. Every state change goes through ``case_transition``."""

from yuqing.cases.services.case import (
    available_transitions,
    case_open,
    case_open_for_alert,
    case_transition,
    transition_check,
)
from yuqing.cases.services.common import ProcedureError
from yuqing.cases.services.deadlines import deadlines_sweep
from yuqing.cases.services.follow import case_follow, verification_open
from yuqing.cases.services.plans import (
    response_plan_decide,
    response_plan_draft,
    response_plan_launch,
    response_plan_submit,
    response_plan_update,
)
from yuqing.cases.services.reports import report_create, report_sign, report_update, signature_verify
from yuqing.cases.services.response import (
    accountability_record,
    action_complete,
    action_create,
    case_finding_set,
    coordination_log,
    evaluation_save,
    source_request_answer,
    source_request_create,
    tracking_check,
    tracking_end,
)
from yuqing.cases.services.severity import case_severity_follow_event, case_severity_set
from yuqing.cases.services.verification import (
    attachment_add,
    verification_assign,
    verification_cancel,
    verification_submit,
)

__all__ = [
    "ProcedureError",
    "accountability_record",
    "action_complete",
    "action_create",
    "attachment_add",
    "available_transitions",
    "case_finding_set",
    "case_follow",
    "case_open",
    "case_open_for_alert",
    "case_severity_follow_event",
    "case_severity_set",
    "case_transition",
    "coordination_log",
    "deadlines_sweep",
    "evaluation_save",
    "report_create",
    "report_sign",
    "report_update",
    "response_plan_decide",
    "response_plan_draft",
    "response_plan_launch",
    "response_plan_submit",
    "response_plan_update",
    "signature_verify",
    "source_request_answer",
    "source_request_create",
    "tracking_check",
    "tracking_end",
    "transition_check",
    "verification_assign",
    "verification_cancel",
    "verification_open",
    "verification_submit",
]
