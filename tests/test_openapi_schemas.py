"""Every API response is described by a schema in the OpenAPI document (issue 11: ninja output schemas
instead of hand-built dicts), so an integrator reads the shapes from /api/v1/docs rather than from code."""

from __future__ import annotations

from yuqing.api.urls import api


def test_every_response_of_every_endpoint_has_a_schema():
    spec = api.get_openapi_schema()
    bare = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for status, response in operation.get("responses", {}).items():
                if status == "204":
                    continue  # no body
                content = response.get("content", {}).get("application/json", {})
                if "schema" not in content:
                    bare.append(f"{method.upper()} {path} {status}")
    assert bare == []
    assert len(spec["paths"]) > 20  # the whole API, not an empty document
