from django.core.management.base import BaseCommand

from portal.roles import sync_roles


class Command(BaseCommand):
    help = "Create the four portal roles as groups with exactly the permissions the apps declare."

    def handle(self, *args, **options):
        for role, count in sync_roles().items():
            self.stdout.write(f"{role}: {count} permissions")
