"""Full-text index over Item.search_text: FTS5 on SQLite, generated tsvector + GIN on PostgreSQL."""

from django.db import migrations


def forwards(apps, schema_editor):
    from yuqing.items.search import create_index

    create_index(schema_editor)


def backwards(apps, schema_editor):
    from yuqing.items.search import drop_index

    drop_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("items", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
