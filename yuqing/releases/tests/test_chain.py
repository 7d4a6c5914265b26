"""The approval chain: draft → 保密审查 → 签发 → published, and every refusal on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yuqing.audit.models import AuditEntry
from yuqing.cases import services as case_services
from yuqing.cases import vocab as cv
from yuqing.cases.models import Signature
from yuqing.cases.services.common import ProcedureError, content_hash
from yuqing.cases.tests.drive import advance, open_case
from yuqing.releases import services
from yuqing.releases.models import CHECKLIST
from yuqing.releases.services.common import snapshot
from yuqing.releases.tests.conftest import ALL_CHECKED, DRAFT, draft, to_signed

pytestmark = pytest.mark.django_db


def test_release_goes_through_review_signing_and_publication(cast, reviewer):
    case = open_case(cast)
    release = draft(case, cast)
    services.release_submit(release=release, user=cast.office)
    review = services.release_review(
        release=release, user=reviewer, checklist=ALL_CHECKED, result="pass", comments="不涉密"
    )
    assert release.status == "reviewed"
    assert review.checklist == ALL_CHECKED and review.reviewer == reviewer
    assert review.content_hash == content_hash(snapshot(release))
    signature = services.release_sign(release=release, user=cast.leader)
    assert release.status == "signed"
    assert signature.purpose == "签发" and signature.content["body"] == DRAFT["body"]
    assert release.content_hash == signature.content_hash == content_hash(snapshot(release))
    services.release_publish(release=release, user=cast.office, url="https://www.example.gov.cn/a/1.html")
    assert release.status == "published" and release.published_url.endswith("1.html")
    actions = set(AuditEntry.objects.filter(object_id=str(release.pk)).values_list("action", flat=True))
    assert {
        "release.create",
        "release.submit",
        "release.review_pass",
        "release.sign",
        "release.publish",
    } <= actions


def test_unsigned_release_cannot_be_published(cast, reviewer):
    release = draft(open_case(cast), cast)
    with pytest.raises(ProcedureError) as exc:
        services.release_publish(release=release, user=cast.office, url="https://www.example.gov.cn/1")
    assert exc.value.code == "conflict" and "签发" in exc.value.message
    services.release_submit(release=release, user=cast.office)
    services.release_review(release=release, user=reviewer, checklist=ALL_CHECKED, result="pass")
    with pytest.raises(ProcedureError, match="签发"):
        services.release_publish(release=release, user=cast.office, url="https://www.example.gov.cn/1")


def test_release_cannot_be_signed_before_secrecy_review(cast):
    release = draft(open_case(cast), cast)
    services.release_submit(release=release, user=cast.office)
    with pytest.raises(ProcedureError) as exc:
        services.release_sign(release=release, user=cast.leader)
    assert exc.value.code == "conflict" and "保密审查" in exc.value.message


def test_author_cannot_review_own_draft(cast, reviewer):
    from yuqing.org import access
    from yuqing.org.models import Person
    from yuqing.org.services import role_assign

    # The reviewer also sits in the office and drafts a release: someone else must review it.
    role_assign(person=Person.objects.get(user=reviewer), role=access.OFFICE_DEPUTY)
    release = services.release_create(case=open_case(cast), user=reviewer, data=DRAFT)
    services.release_submit(release=release, user=reviewer)
    with pytest.raises(ProcedureError) as exc:
        services.release_review(release=release, user=reviewer, checklist=ALL_CHECKED, result="pass")
    assert exc.value.code == "forbidden" and "本人" in exc.value.message


def test_author_cannot_sign_own_draft(cast, reviewer):
    from yuqing.org import access
    from yuqing.org.models import Person
    from yuqing.org.services import role_assign

    role_assign(person=Person.objects.get(user=cast.deputy), role=access.OFFICE_DEPUTY)
    release = services.release_create(case=open_case(cast), user=cast.deputy, data=DRAFT)
    services.release_submit(release=release, user=cast.deputy)
    services.release_review(release=release, user=reviewer, checklist=ALL_CHECKED, result="pass")
    with pytest.raises(ProcedureError) as exc:
        services.release_sign(release=release, user=cast.deputy)
    assert exc.value.code == "forbidden"
    services.release_sign(release=release, user=cast.leader)  # another leader may


def test_signing_needs_a_leader_role(cast, reviewer):
    release = draft(open_case(cast), cast)
    services.release_submit(release=release, user=cast.office)
    services.release_review(release=release, user=reviewer, checklist=ALL_CHECKED, result="pass")
    for user in (cast.director, reviewer, cast.head):
        with pytest.raises(ProcedureError) as exc:
            services.release_sign(release=release, user=user)
        assert exc.value.code == "forbidden"
    assert not Signature.objects.filter(object_id=str(release.pk), purpose="签发").exists()


def test_review_needs_the_secrecy_reviewer_role(cast):
    release = draft(open_case(cast), cast)
    services.release_submit(release=release, user=cast.office)
    for user in (cast.director, cast.leader):
        with pytest.raises(ProcedureError) as exc:
            services.release_review(release=release, user=user, checklist=ALL_CHECKED, result="pass")
        assert exc.value.code == "forbidden" and "保密审查员" in exc.value.message


def test_review_cannot_pass_with_an_unconfirmed_checklist_item(cast, reviewer):
    release = draft(open_case(cast), cast)
    services.release_submit(release=release, user=cast.office)
    answers = {**ALL_CHECKED, "no_taxpayer_privacy": False}
    with pytest.raises(ProcedureError) as exc:
        services.release_review(release=release, user=reviewer, checklist=answers, result="pass")
    assert exc.value.code == "invalid" and CHECKLIST["no_taxpayer_privacy"] in exc.value.errors["checklist"]
    release.refresh_from_db()
    assert release.status == "submitted"


def test_returned_review_sends_the_draft_back_with_a_record(cast, reviewer):
    release = draft(open_case(cast), cast)
    services.release_submit(release=release, user=cast.office)
    with pytest.raises(ProcedureError, match="审查意见"):
        services.release_review(release=release, user=reviewer, checklist={}, result="return")
    review = services.release_review(
        release=release,
        user=reviewer,
        checklist={"no_state_secrets": True},
        result="return",
        comments="删去姓名",
    )
    assert release.status == "draft" and review.result == "return"
    assert review.checklist["no_state_secrets"] is True and review.checklist["facts_verified"] is False


def test_edit_after_review_sends_the_release_back_for_review(cast, reviewer):
    release = draft(open_case(cast), cast)
    services.release_submit(release=release, user=cast.office)
    services.release_review(release=release, user=reviewer, checklist=ALL_CHECKED, result="pass")
    services.release_update(
        release=release, user=cast.office, data={**DRAFT, "body": DRAFT["body"] + "补充一句。"}
    )
    assert release.status == "draft" and release.revision == 2
    with pytest.raises(ProcedureError):
        services.release_sign(release=release, user=cast.leader)
    services.release_submit(release=release, user=cast.office)
    services.release_review(release=release, user=reviewer, checklist=ALL_CHECKED, result="pass")
    services.release_sign(release=release, user=cast.leader)
    assert release.status == "signed"


def test_signed_release_cannot_be_edited(cast, reviewer):
    release = to_signed(draft(open_case(cast), cast), cast, reviewer)
    with pytest.raises(ProcedureError) as exc:
        services.release_update(release=release, user=cast.office, data={**DRAFT, "body": "改过的正文"})
    assert exc.value.code == "conflict" and "冻结" in exc.value.message
    release.refresh_from_db()
    assert release.body == DRAFT["body"] and release.status == "signed"


def test_tampered_signed_text_cannot_be_published(cast, reviewer):
    from yuqing.releases.models import Release

    release = to_signed(draft(open_case(cast), cast), cast, reviewer)
    Release.objects.filter(pk=release.pk).update(body="被篡改的正文")
    with pytest.raises(ProcedureError, match="不一致"):
        services.release_publish(release=release, user=cast.office, url="https://www.example.gov.cn/1")


def test_no_release_after_the_response_plan_was_returned(cast, reviewer):
    case = advance(open_case(cast), cast, cv.PLAN_PENDING)
    waiting = draft(case, cast)
    plan = case.plans.get(status="submitted")
    case_services.response_plan_decide(plan=plan, user=cast.leader, approve=False, comments="口径不当，重拟")
    with pytest.raises(ProcedureError) as exc:
        draft(case, cast)
    assert exc.value.code == "conflict" and "退回" in exc.value.message
    with pytest.raises(ProcedureError, match="退回"):
        services.release_submit(release=waiting, user=cast.office)
    # A new approved plan lifts the refusal.
    new_plan = case_services.response_plan_draft(
        case=case,
        user=cast.office,
        data={
            "summary": "重拟方案",
            "measures": [
                {
                    "measure": "官网发布情况说明",
                    "owner_id": cast.office.pk,
                    "due_at": (timezone.now() + timedelta(hours=6)).isoformat(),
                    "kind": "disclosure",
                }
            ],
        },
    )
    case_services.response_plan_submit(plan=new_plan, user=cast.office)
    case_services.response_plan_decide(plan=new_plan, user=cast.leader, approve=True)
    assert draft(case, cast).status == "draft"


def test_bad_draft_input_is_refused_field_by_field(cast):
    with pytest.raises(ProcedureError) as exc:
        services.release_create(
            case=open_case(cast),
            user=cast.office,
            data={"kind": "poem", "channel": "", "title": " ", "body": ""},
        )
    assert exc.value.code == "invalid"
    assert set(exc.value.errors) == {"kind", "channel", "title", "body"}


def test_people_outside_the_office_cannot_draft(cast, reviewer, commentator):
    case = open_case(cast)
    for user in (reviewer, commentator, cast.head, cast.outsider):
        with pytest.raises(ProcedureError) as exc:
            draft(case, cast.__class__(**{**cast.__dict__, "office": user}))
        assert exc.value.code == "forbidden"


def test_publish_url_must_be_a_web_address(cast, reviewer):
    release = to_signed(draft(open_case(cast), cast), cast, reviewer)
    with pytest.raises(ProcedureError) as exc:
        services.release_publish(release=release, user=cast.office, url="javascript:alert(1)")
    assert exc.value.code == "invalid" and "url" in exc.value.errors


def test_release_shows_in_the_case_timeline(cast, reviewer):
    from yuqing.cases.selectors import case_timeline

    case = open_case(cast)
    to_signed(draft(case, cast), cast, reviewer)
    titles = [e.title for e in case_timeline(case) if e.kind == "release"]
    assert any(t.startswith("起草") for t in titles) and any(t.startswith("签发") for t in titles)
    assert any("保密审查通过" in t for t in titles)
