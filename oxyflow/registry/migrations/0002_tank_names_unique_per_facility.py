from django.db import migrations, models


def rename_duplicate_tanks(apps, schema_editor):
    # Tanks of one facility that share a name get " (2)", " (3)"… so reports can tell
    # them apart; the first keeps its name.
    LoxTank = apps.get_model("registry", "LoxTank")
    seen = set()
    for tank in LoxTank.objects.order_by("facility_id", "pk"):
        name = tank.name
        n = 1
        while (tank.facility_id, name) in seen:
            n += 1
            name = f"{tank.name} ({n})"[:100]
        if name != tank.name:
            tank.name = name
            tank.save(update_fields=["name"])
        seen.add((tank.facility_id, name))


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rename_duplicate_tanks, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="loxtank",
            constraint=models.UniqueConstraint(
                fields=("facility", "name"), name="uniq_facility_tank_name"
            ),
        ),
    ]
