from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from impact.demo import DEMO_PASSWORD, DEMO_USERS, seed_users


class Command(BaseCommand):
    help = "Create demo data (idempotent). Refuses to run when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "large"], default="small")

    def handle(self, *args, scale: str, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates known passwords.")
        from groups.demo import seed_groups
        from groups.meetings.demo import seed_meetings
        from metrics.demo import seed_metrics
        from narratives.demo import seed_narratives

        users = seed_users()
        seed_groups(users)
        seed_metrics(users)
        seed_narratives(users)
        seed_meetings(users)
        if scale == "large":
            from impact.demo_large import seed_large

            seed_large(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({scale})."))
        for username, display_name, _tz, _staff in DEMO_USERS:
            self.stdout.write(f"  {username:<10} / {DEMO_PASSWORD}   ({display_name})")
