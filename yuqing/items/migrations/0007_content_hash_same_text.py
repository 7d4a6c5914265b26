"""``Item.content_hash`` is now :func:`yuqing.analysis.dedupe.same_text_hash`, the one definition of "same
text" that ingest and the clusterer share. It is the hash ingest stored before, except for a text with
nothing left to compare (emoji only), which is now ``""`` (never the same text as anything) instead of
the SHA-256 of the empty string."""

from django.db import migrations

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def forward(apps, schema_editor):
    apps.get_model("items", "Item").objects.filter(content_hash=EMPTY_SHA256).update(content_hash="")


def backward(apps, schema_editor):
    apps.get_model("items", "Item").objects.filter(content_hash="").update(content_hash=EMPTY_SHA256)


class Migration(migrations.Migration):
    dependencies = [("items", "0006_resegment_search_text")]

    operations = [migrations.RunPython(forward, backward)]
