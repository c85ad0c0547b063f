from django.db import migrations

from markets.seed import MARKETS



def seed(apps, schema_editor):
    Market = apps.get_model("markets", "Market")
    for code, name, language, currency, zones in MARKETS:
        Market.objects.update_or_create(
            code=code,
            defaults={"name": name, "default_language": language, "currency": currency,
                      "time_zones": zones},
        )


def unseed(apps, schema_editor):
    apps.get_model("markets", "Market").objects.filter(code__in=[m[0] for m in MARKETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("markets", "0001_market")]

    operations = [migrations.RunPython(seed, unseed)]
