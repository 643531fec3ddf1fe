from datetime import date

from django.db import migrations


def load(apps, schema_editor):
    from portal.reference_data import thai_public_holidays, thai_subdivisions

    Province = apps.get_model("portal", "Province")
    for row in thai_subdivisions():
        Province.objects.update_or_create(code=row["code"], defaults=row)
    PublicHoliday = apps.get_model("portal", "PublicHoliday")
    this_year = date.today().year
    for day, name in thai_public_holidays(range(this_year - 2, this_year + 2)).items():
        PublicHoliday.objects.get_or_create(date=day, defaults={"name": name[:200]})


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
