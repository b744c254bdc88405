"""Alerts (SPEC "Alerts"): which rules a change fires (`rules`, pure), the webhook (`delivery`).

An alert is recorded in the transaction that made its version current (the `alerts` outbox,
`worker.store.alerts`) and delivered afterwards by `worker.tasks.alerts`.
"""
