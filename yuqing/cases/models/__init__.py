from yuqing.cases.models.case import (
    Attachment,
    Case,
    CaseTransition,
    Deadline,
    ProcedureSettings,
    Signature,
)
from yuqing.cases.models.reports import SituationReport
from yuqing.cases.models.response import (
    AccountabilityRecord,
    CoordinationLog,
    Evaluation,
    HandlingAction,
    ResponsePlan,
    SourceControlRequest,
)
from yuqing.cases.models.verification import VerificationTask

__all__ = [
    "AccountabilityRecord",
    "Attachment",
    "Case",
    "CaseTransition",
    "CoordinationLog",
    "Deadline",
    "Evaluation",
    "HandlingAction",
    "ProcedureSettings",
    "ResponsePlan",
    "Signature",
    "SituationReport",
    "SourceControlRequest",
    "VerificationTask",
]
