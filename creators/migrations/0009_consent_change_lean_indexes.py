"""Two fewer indexes on the consent history, which the bulk import writes a row into per known
consent (1.5 million rows for a million creators):
- creator_id alone: consent_creator_channel begins with creator_id and serves the same lookups;
- changed_by_id: only hand-made changes have a person, so the index now leaves out the NULLs.

Only the indexes change in the database (concurrently, so a running app keeps writing): the
AlterFields go to Django's state alone, since applying them would drop and re-add both foreign
keys and re-check every row of the history.
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

CREATOR_INDEX = "creators_consentchange_creator_id_a44d7e4c"
CHANGED_BY_INDEX = "creators_consentchange_changed_by_id_cad996e2"
TABLE = "creators_consentchange"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("creators", "0008_creator_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="consentchange",
                    name="changed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
                migrations.AlterField(
                    model_name="consentchange",
                    name="creator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consent_changes",
                        to="creators.creator",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY IF EXISTS {CREATOR_INDEX}",
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {CREATOR_INDEX} "
                    f"ON {TABLE} (creator_id)",
                ),
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY IF EXISTS {CHANGED_BY_INDEX}",
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {CHANGED_BY_INDEX} "
                    f"ON {TABLE} (changed_by_id)",
                ),
            ],
        ),
        AddIndexConcurrently(
            model_name="consentchange",
            index=models.Index(
                condition=models.Q(("changed_by__isnull", False)),
                fields=["changed_by"],
                name="consent_changed_by",
            ),
        ),
    ]
