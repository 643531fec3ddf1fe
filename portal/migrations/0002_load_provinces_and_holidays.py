from django.db import migrations


def load(apps, schema_editor):
    from portal.reference_data import load_reference_data

    load_reference_data(
        apps.get_model("portal", "Province"), apps.get_model("portal", "PublicHoliday")
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
