import django.db.models.deletion
from django.db import migrations, models

# Partitioned by month on occurred_at; the months themselves are made by
# events.partitions.event_partitions_ensure (after migrate, then daily by beat).
CREATE_SQL = """
CREATE TABLE events_event (
    id bigserial NOT NULL,
    creator_id bigint NOT NULL
        REFERENCES creators_creator (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    name varchar(64) NOT NULL,
    props jsonb NOT NULL,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    source varchar(8) NOT NULL,
    idempotency_key varchar(255) NULL,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE events_event_default PARTITION OF events_event DEFAULT;
CREATE INDEX events_creator_name_at ON events_event (creator_id, name, occurred_at);
CREATE INDEX events_name_at ON events_event (name, occurred_at);
"""
DROP_SQL = "DROP TABLE events_event CASCADE;"


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("creators", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(CREATE_SQL, DROP_SQL)],
            state_operations=[
                migrations.CreateModel(
                    name="Event",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("name", models.CharField(max_length=64, verbose_name="name")),
                        (
                            "props",
                            models.JSONField(blank=True, default=dict, verbose_name="properties"),
                        ),
                        ("occurred_at", models.DateTimeField(verbose_name="occurred at")),
                        ("received_at", models.DateTimeField(verbose_name="received at")),
                        (
                            "source",
                            models.CharField(
                                choices=[("api", "API"), ("altavoz", "Altavoz")],
                                max_length=8,
                                verbose_name="source",
                            ),
                        ),
                        (
                            "idempotency_key",
                            models.CharField(
                                blank=True,
                                max_length=255,
                                null=True,
                                verbose_name="idempotency key",
                            ),
                        ),
                        (
                            "creator",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="creators.creator",
                                verbose_name="creator",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "event",
                        "verbose_name_plural": "events",
                        "indexes": [
                            models.Index(
                                fields=["creator", "name", "occurred_at"],
                                name="events_creator_name_at",
                            ),
                            models.Index(fields=["name", "occurred_at"], name="events_name_at"),
                        ],
                    },
                ),
            ],
        ),
        migrations.CreateModel(
            name="EventKey",
            fields=[
                (
                    "key",
                    models.CharField(
                        max_length=255, primary_key=True, serialize=False, verbose_name="key"
                    ),
                ),
                ("event_id", models.BigIntegerField(verbose_name="event")),
                ("created_at", models.DateTimeField(db_index=True, verbose_name="created")),
            ],
            options={
                "verbose_name": "event idempotency key",
                "verbose_name_plural": "event idempotency keys",
            },
        ),
    ]
