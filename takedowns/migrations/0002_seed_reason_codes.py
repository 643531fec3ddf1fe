from django.db import migrations

REASON_CODES = [
    # code, Thai, English, use, note required
    ("ownership_not_proven", "ไม่สามารถพิสูจน์ความเป็นเจ้าของสิทธิ", "Ownership not proven", "any", False),
    (
        "authorization_invalid",
        "ไม่มีหนังสือมอบอำนาจหรือหนังสือมอบอำนาจหมดอายุ",
        "Authorization missing or expired",
        "any",
        False,
    ),
    (
        "right_not_valid",
        "สิทธิไม่มีผลคุ้มครองในประเทศไทยหรือหมดอายุ",
        "Right not valid in Thailand or expired",
        "any",
        False,
    ),
    ("link_not_found", "ไม่พบลิงก์ที่แจ้ง", "Link not found", "any", False),
    ("no_infringement", "ไม่พบการละเมิด", "No infringement found", "refusal", False),
    ("duplicate_report", "ซ้ำกับรายงานก่อนหน้า", "Duplicate of an earlier report", "refusal", False),
    ("other", "อื่น ๆ (ระบุหมายเหตุ)", "Other (note required)", "any", True),
]


def seed(apps, schema_editor):
    ReasonCode = apps.get_model("takedowns", "ReasonCode")
    for code, name_th, name_en, use, note_required in REASON_CODES:
        ReasonCode.objects.update_or_create(
            code=code,
            defaults={
                "name_th": name_th,
                "name_en": name_en,
                "use": use,
                "note_required": note_required,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("takedowns", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
