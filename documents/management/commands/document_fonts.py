from django.core.management.base import BaseCommand

from documents import fonts


class Command(BaseCommand):
    help = "Build the GB 2312 cut of Noto Sans CJK SC that the PDFs use (documents.fonts)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="build even if up to date")

    def handle(self, *args, force=False, **options):
        for path in fonts.build_fonts(force=force):
            self.stdout.write(f"built {path}")
