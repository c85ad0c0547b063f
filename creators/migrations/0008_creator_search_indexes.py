"""The creators search box at a million creators: part of a name through trigrams (pg_trgm, a
trusted extension the database owner may create) and the start of an email, in any case.
Built concurrently, so a running app keeps writing creators while they build."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently, TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("creators", "0007_consent_reason_sort_indexes"),
    ]

    operations = [
        TrigramExtension(),
        AddIndexConcurrently(
            model_name="creator",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("name"), name="gin_trgm_ops"
                ),
                name="creator_name_upper_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="creator",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("email"), name="text_pattern_ops"
                ),
                name="creator_email_upper_prefix",
            ),
        ),
    ]
