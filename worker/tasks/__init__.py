"""Celery: the app and its settings (app.py), the dispatcher (schedule.py), the poll (poll.py)."""
