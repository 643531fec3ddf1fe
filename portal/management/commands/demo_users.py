from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR, sync_roles

DEMO_USERS = (
    ("officer", OFFICER, "สมชาย", "ใจดี"),
    ("supervisor", SUPERVISOR, "สมศรี", "รักษ์ไทย"),
    ("liaison", LIAISON, "Alex", "Tan"),
    ("manager", MANAGER, "วิภา", "ศรีสุข"),
)
DEMO_PASSWORD = "demo-pass-2026"


class Command(BaseCommand):
    help = "Create one demo login per role (quick start only) and print them."

    def handle(self, *args, **options):
        sync_roles()
        User = get_user_model()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for username, role, first, last in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "is_staff": True,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {username:<11} {role}")
