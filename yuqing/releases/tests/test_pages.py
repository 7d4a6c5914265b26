"""The pages: forms drive the services, refusals are shown (never a 500), typed HTML stays text."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yuqing.cases.tests.drive import open_case
from yuqing.releases import services
from yuqing.releases.models import Release
from yuqing.releases.tests.conftest import ALL_CHECKED, DRAFT, draft, to_signed

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


def test_office_drafts_a_release_through_the_editor_with_talking_points_beside_it(cast):
    services.talking_point_create(user=cast.director, topic="定额调整", text="定额调整依法依规。")
    case = open_case(cast)
    client = cast.client(cast.office)
    page = client.get(f"/releases/new/?case={case.pk}")
    assert page.status_code == 200 and "现行统一口径" in page.text and "定额调整依法依规" in page.text
    r = client.post(f"/releases/new/?case={case.pk}", {**DRAFT, "topics": ["定额调整"]})
    assert r.status_code == 302
    release = Release.objects.get()
    assert release.topics == ["定额调整"] and release.author == cast.office


def test_typed_html_is_kept_and_shown_as_text(cast, reviewer):
    release = draft(open_case(cast), cast, title=f"标题{SCRIPT}", body=f"正文{SCRIPT}")
    assert SCRIPT in release.body
    services.release_submit(release=release, user=cast.office)
    for client, url in (
        (cast.client(cast.office), f"/releases/{release.pk}/"),
        (cast.client(cast.office), "/releases/"),
        (cast.client(reviewer), f"/releases/{release.pk}/review/"),
    ):
        text = client.get(url).text
        assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_review_page_shows_unused_points_and_refuses_an_incomplete_checklist(cast, reviewer):
    services.talking_point_create(user=cast.director, topic="延时服务", text="办税服务厅延时服务至晚八点。")
    release = draft(open_case(cast), cast)
    services.release_submit(release=release, user=cast.office)
    client = cast.client(reviewer)
    page = client.get(f"/releases/{release.pk}/review/")
    assert "本稿未采用的口径：延时服务" in page.text
    r = client.post(f"/releases/{release.pk}/review/", {"result": "pass", "check_no_state_secrets": "on"})
    assert r.status_code == 200 and "以下事项未确认" in r.text
    data = {"result": "pass", **{f"check_{k}": "on" for k in ALL_CHECKED}}
    assert client.post(f"/releases/{release.pk}/review/", data).status_code == 302
    release.refresh_from_db()
    assert release.status == "reviewed"


def test_pages_refuse_people_without_the_role(cast, reviewer, commentator):
    release = draft(open_case(cast), cast)
    assert cast.client(cast.office).get(f"/releases/{release.pk}/review/").status_code == 403
    assert cast.client(reviewer).get(f"/releases/{release.pk}/sign/").status_code == 403
    assert cast.client(commentator).get("/releases/new/").status_code == 403
    assert cast.client(cast.office).get("/releases/points/new/").status_code == 403
    assert cast.client(cast.outsider).get(f"/releases/{release.pk}/").status_code == 403
    assert cast.client(cast.other_head).get(f"/releases/{release.pk}/").status_code == 404


def test_signing_an_unreviewed_release_is_refused_with_a_reason(cast):
    release = draft(open_case(cast), cast)
    r = cast.client(cast.leader).post(f"/releases/{release.pk}/sign/")
    assert r.status_code == 409 and "保密审查" in r.text


def test_publish_form_keeps_what_was_typed_on_error(cast, reviewer):
    release = to_signed(draft(open_case(cast), cast), cast, reviewer)
    r = cast.client(cast.office).post(f"/releases/{release.pk}/publish/", {"url": "ftp://bad.example/x"})
    assert r.status_code == 200 and "ftp://bad.example/x" in r.text and "http://" in r.text
    r = cast.client(cast.office).post(
        f"/releases/{release.pk}/publish/", {"url": "https://www.example.gov.cn/1"}
    )
    assert r.status_code == 302


def test_release_list_takes_a_fixed_number_of_queries(cast):
    case = open_case(cast)
    client = cast.client(cast.office)
    draft(case, cast)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/releases/").status_code == 200
    for _ in range(5):
        draft(case, cast)
    with CaptureQueriesContext(connection) as many:
        client.get("/releases/")
    assert len(many) == len(few)


def test_commentator_records_a_post_on_my_tasks_page(cast, commentator):
    case = open_case(cast)
    office = cast.client(cast.office)
    r = office.post(f"/releases/cases/{case.pk}/", {"assignee_id": commentator.pk, "where": "本地论坛"})
    assert r.status_code == 302
    task = case.guidance_tasks.get()
    client = cast.client(commentator)
    assert "本地论坛" in client.get("/releases/tasks/").text
    r = client.post(f"/releases/tasks/{task.pk}/post/", {f"t{task.pk}-url": "notaurl"})
    assert r.status_code == 422 and "notaurl" in r.text
    r = client.post(
        f"/releases/tasks/{task.pk}/post/",
        {f"t{task.pk}-url": "https://bbs.example.cn/1", f"t{task.pk}-done": "on"},
    )
    assert r.status_code == 302
    page = office.get(f"/releases/cases/{case.pk}/")
    assert page.status_code == 200 and "引导发帖" in page.text


def test_talking_point_library_creates_a_new_version(cast):
    client = cast.client(cast.director)
    assert (
        client.post("/releases/points/new/", {"topic": "定额调整", "text": "第一版口径内容"}).status_code
        == 302
    )
    page = client.get("/releases/points/new/?topic=定额调整")
    assert "第一版口径内容" in page.text
    assert (
        client.post("/releases/points/new/", {"topic": "定额调整", "text": "第二版口径内容"}).status_code
        == 302
    )
    text = client.get("/releases/points/").text
    assert "现行：第2版" in text and "第1版" in text
