"""The rules a new install starts with: paid orders not processed in 2 hours, fresh goods in 30 minutes."""

from django.db import migrations

DEFAULTS = (
    ("已支付 2 小时未处理", "paid", 120, ""),
    ("生鲜已支付 30 分钟未处理", "paid", 30, "fresh"),
)


def add(apps, schema_editor):
    TimeoutRule = apps.get_model("timeouts", "TimeoutRule")
    for name, status, minutes, category in DEFAULTS:
        TimeoutRule.objects.get_or_create(name=name, defaults={"status": status, "minutes": minutes, "category": category})


def remove(apps, schema_editor):
    TimeoutRule = apps.get_model("timeouts", "TimeoutRule")
    TimeoutRule.objects.filter(name__in=[name for name, *_ in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("timeouts", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
