from django.core.management.base import BaseCommand

from marketplace.devtools import demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it again changes nothing that exists)."

    def handle(self, *args, **options) -> None:
        demo.seed_all(lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins (password: {demo.DEMO_PASSWORD}):"))
        for role, email in demo.DEMO_LOGINS:
            self.stdout.write(f"  {role:<10} {email}")
