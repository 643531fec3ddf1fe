from django.core.management.base import BaseCommand

from portal.models import PublicHoliday
from portal.reference_data import load_public_holidays


class Command(BaseCommand):
    help = "Add Thailand's public holidays for the given years (existing dates are kept as edited)."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int)

    def handle(self, *args, years, **options):
        added = load_public_holidays(PublicHoliday, years)
        self.stdout.write(f"{added} holidays added")
