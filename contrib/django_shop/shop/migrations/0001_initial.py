from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("kasify_orders", "0001_kasify_tables")]
    operations = [
        migrations.CreateModel(
            name="Receipt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order_id", models.CharField(max_length=32, unique=True)),
                ("number", models.PositiveIntegerField()),
                ("email", models.EmailField(max_length=254)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
