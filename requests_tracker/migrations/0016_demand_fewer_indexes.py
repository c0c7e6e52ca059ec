"""The demand table loses four indexes that nothing reads but every INSERT writes (#15).

- `building_id` alone: the building is the first column of `demand_building_status`,
  `demand_building_recent`, `demand_stats_cover` and `demand_open_due`.
- The `varchar_pattern_ops` copies (`_like`) that Django adds beside an indexed or unique CharField on
  PostgreSQL, for LIKE 'x%': statuses, tracking tokens and submission keys are only compared whole.

The status index itself stays, renamed `demand_status` (declared in Meta, so no LIKE copy comes back);
on PostgreSQL it is renamed in place, not rebuilt. Dropping an index takes a moment even at 1,000,000
demands.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "requests_tracker_demand"
OLD_STATUS = "requests_tracker_demand_status_44d2ab3b"
LIKE = [
    ("requests_tracker_demand_status_44d2ab3b_like", "status"),
    ("requests_tracker_demand_token_6e1898f0_like", "token"),
    ("requests_tracker_demand_submission_key_c6af54b4_like", "submission_key"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _column in LIKE:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        schema_editor.execute(f'ALTER INDEX IF EXISTS "{OLD_STATUS}" RENAME TO "demand_status"')
    else:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD_STATUS}"')
        schema_editor.execute(f'CREATE INDEX "demand_status" ON "{TABLE}" ("status")')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER INDEX IF EXISTS "demand_status" RENAME TO "{OLD_STATUS}"')
        for name, column in LIKE:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" ("{column}" varchar_pattern_ops)')
    else:
        schema_editor.execute('DROP INDEX IF EXISTS "demand_status"')
        schema_editor.execute(f'CREATE INDEX "{OLD_STATUS}" ON "{TABLE}" ("status")')


class Migration(migrations.Migration):
    dependencies = [
        ("buildings", "0003_periodic_run"),
        ("requests_tracker", "0015_stats_rollups"),
    ]

    operations = [
        migrations.AlterField(
            model_name="demand",
            name="building",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="demands",
                to="buildings.building",
                verbose_name="building",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="demand",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("submitted", "submitted"),
                            ("assigned", "assigned"),
                            ("in_progress", "in progress"),
                            ("resolved", "resolved"),
                        ],
                        default="submitted",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                migrations.AddIndex(model_name="demand", index=models.Index(fields=["status"], name="demand_status")),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
