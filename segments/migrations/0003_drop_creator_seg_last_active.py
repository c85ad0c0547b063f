"""creator_seg_last_active (last_active_at) is covered by creators' creator_active_id
(last_active_at, id), added later for the creators list's sort: date rules use that one the
same way, and the bulk import no longer writes two indexes for one column."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("segments", "0002_creator_count_indexes"),
        ("creators", "0007_consent_reason_sort_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS creator_seg_last_active",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS creator_seg_last_active "
            "ON creators_creator (last_active_at)",
        ),
    ]
