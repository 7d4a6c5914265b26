import re

from django.db import migrations, models

CASE_LINK = re.compile(r"^/cases/(\d+)(?:/|$)")


def name_cases_from_links(apps, schema_editor):
    """Notifications and deliveries written before this field existed: the case their link points into,
    so that their titles too are shown by the reader's clearance."""
    for name in ("Notification", "Delivery"):
        model = apps.get_model("notify", name)
        rows = model.objects.filter(case_id__isnull=True, link__startswith="/cases/").only("id", "link")
        for row in rows.iterator(chunk_size=2000):
            match = CASE_LINK.match(row.link)
            if match:
                model.objects.filter(pk=row.pk).update(case_id=int(match.group(1)))


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_channels_delivery_log_duty_roster"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="case_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="案件编号"),
        ),
        migrations.AddField(
            model_name="notification",
            name="case_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="案件编号"),
        ),
        migrations.RunPython(name_cases_from_links, migrations.RunPython.noop),
    ]
