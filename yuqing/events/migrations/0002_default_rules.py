"""Default alert rules every installation starts with (editable in 系统管理)."""

from django.db import migrations

RULES = [
    {"name": "较大及以上舆情事件", "min_severity": "significant", "min_size": 1},
    {
        "name": "群体性事件或廉政问题",
        "min_severity": "general",
        "categories": ["mass_incident", "integrity"],
        "min_size": 2,
    },
    {"name": "舆情突增", "min_severity": "general", "spike_velocity": 4.0, "min_size": 5},
]


def forwards(apps, schema_editor):
    AlertRule = apps.get_model("events", "AlertRule")
    SeveritySettings = apps.get_model("events", "SeveritySettings")
    for rule in RULES:
        AlertRule.objects.get_or_create(name=rule["name"], defaults=rule)
    SeveritySettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
