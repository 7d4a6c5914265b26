"""The data an admin change page would post back unchanged, read from the page's own forms (the main
form, each inline formset and its management form), for tests that then change one field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.test import Client


def _put(data: dict[str, Any], bound: forms.BoundField) -> None:
    value = bound.value()
    widget = bound.field.widget
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for index, part in enumerate(parts or ()):
            data[f"{bound.html_name}_{index}"] = "" if part is None else part
    elif isinstance(widget, forms.CheckboxInput):
        if value:
            data[bound.html_name] = "on"
    elif value is None:
        data[bound.html_name] = ""
    else:
        data[bound.html_name] = value


def form_data(form: forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        _put(data, bound)
    return data


def change_page_data(client: Client, url: str) -> dict[str, Any]:
    """GET ``url`` (an admin add or change page) and return what its forms would post unchanged."""
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    data = form_data(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets") or []:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    return data
