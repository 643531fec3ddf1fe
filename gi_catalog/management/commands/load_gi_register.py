from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gi_catalog.resources import GIProductResource
from portal.importing import CSV, UnreadableFileError

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "thai_gi.csv"
#: Named on every loaded row, so an official sees this is not DIP's register.
SOURCE_NAME = (
    "Thai GI reference list compiled from public web pages and news reports (2026), "
    "not DIP's official register — see gi_catalog/data/README.md"
)


def import_errors(result) -> list[str]:
    """Row, column and reason of every problem in an import result."""
    messages = [str(error.error) for error in result.base_errors]
    for number, errors in result.row_errors():
        messages += [f"row {number}: {error.error}" for error in errors]
    for row in result.invalid_rows:
        for column, errors in row.error_dict.items():
            messages += [f"row {row.number}, {column}: {message}" for message in errors]
    return messages


class Command(BaseCommand):
    help = (
        "Load the reference list of registered Thai GIs (idempotent: a second run updates rows, "
        "it never duplicates them). Goes through the same Resource as the admin import."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="CSV file to load")
        parser.add_argument("--dry-run", action="store_true", help="validate only")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            dataset = CSV().create_dataset(file.read_bytes())
        except (OSError, UnreadableFileError) as error:
            raise CommandError(str(error)) from error
        resource = GIProductResource(data_source=SOURCE_NAME)
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            file_name=file.name,
        )
        problems = import_errors(result)
        if problems:
            raise CommandError("Nothing was loaded:\n" + "\n".join(problems))
        totals = result.totals
        self.stdout.write(
            f"GI register {'checked' if dry_run else 'loaded'} from {file.name}: "
            f"{totals['new']} new, {totals['update']} updated, {totals['skip']} unchanged"
        )
