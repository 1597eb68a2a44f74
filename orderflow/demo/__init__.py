"""Demo data: ``python manage.py seed_demo`` fills an empty Orderflow with a month of plausible trade."""
