import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from marketplace.devtools import demo


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo staff accounts (demo data only)."

    def handle(self, *args, **options) -> None:
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        remaining = app_settings.TOTP_PERIOD - int(time.time()) % app_settings.TOTP_PERIOD
        code = format_hotp_value(hotp_value(demo.DEMO_TOTP_SECRET, counter))
        self.stdout.write(f"{code}  (valid for {remaining} more seconds)")
