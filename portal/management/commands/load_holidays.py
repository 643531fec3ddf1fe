from django.core.management.base import BaseCommand

from portal.models import PublicHoliday
from portal.reference_data import thai_public_holidays


class Command(BaseCommand):
    help = "Add Thailand's public holidays for the given years (existing dates are kept as edited)."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int)

    def handle(self, *args, years, **options):
        added = 0
        for day, name in thai_public_holidays(years).items():
            _, created = PublicHoliday.objects.get_or_create(
                date=day, defaults={"name": name[:200]}
            )
            added += created
        self.stdout.write(f"{added} holidays added")
