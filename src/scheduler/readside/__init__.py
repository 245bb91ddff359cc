"""The read side on PostgreSQL: projections of the event store into tables for the board.

    event store ──(ProjectionRunner, one transaction per event)──▶ read-model tables
                                                                 ├─▶ asyncpg reader (API)
                                                                 └─▶ live board changes (Redis)

- `tables.py`: the read-model tables (`board_visits`, therapists, patients, plans, …).
- `projection.py`: `ReadSideProjection` turns each domain event into SQL, and `ReadSideView`
  records it together with the event's position (the library's single-row tracking
  table `readside_tracking`), so a projector killed at any moment and restarted resumes
  after the last committed event: every event is applied exactly once.
- `projector.py`: runs the projection until stopped (`scheduler project`), publishing each
  committed session change to Redis for the live board.
- `reader.py`: asyncpg queries of the tables, and `wait_for(position)` for read-your-writes.
- `changes.py`: the message a board subscriber receives.

On the embedded SQLite default none of this runs: the API reads the domain directly.
"""
