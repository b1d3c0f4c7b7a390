"""The review workspace (`policy-review serve`): a shared queue, reports and decisions on a server.

store.py      the database (SQLAlchemy Core, Alembic migrations) and every query
blobs.py      uploaded files, stored once by SHA-256 and never modified
analysis.py   one upload -> report, in a worker process (extract -> review -> render)
jobs.py       the durable job queue's runner: warm worker processes, timeouts, restarts
app.py        the Starlette application: pages, JSON API, sign-in, CSRF
server.py     start-up checks, then uvicorn
"""
