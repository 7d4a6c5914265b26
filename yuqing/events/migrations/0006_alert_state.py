"""Alert.state, derived for existing alerts from the timestamps that held it until now: acknowledged
(or settled with its case) → acknowledged; not acknowledged and already escalated past the first
person → escalated; else open. (An alert settled by a case's closing is not told apart from an
acknowledged one here: both are done with; from now on the settle writes ``closed``.)"""

from django.db import migrations, models


def derive(apps, schema_editor):
    Alert = apps.get_model("events", "Alert")
    Alert.objects.filter(acknowledged_at__isnull=False).update(state="acknowledged")
    unacknowledged = Alert.objects.filter(acknowledged_at__isnull=True)
    unacknowledged.filter(chain_position__gt=0).update(state="escalated")
    unacknowledged.filter(chain_position=0).update(state="open")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_severity_rules_and_level_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="state",
            field=models.CharField(
                choices=[
                    ("open", "待确认"),
                    ("escalated", "已升级，待确认"),
                    ("acknowledged", "已确认"),
                    ("closed", "随案件结案"),
                ],
                db_index=True,
                default="open",
                max_length=20,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(derive, migrations.RunPython.noop),
    ]
