"""The bridge between the live calendar and the matching engine.

horizon.read_horizon   the clinic's calendar for a range of days (shifts minus time off)
problem.build_problem  → the engine's planning problem (fixed / previous / free bookings)
proposal.record_proposal  the engine's result → a durable `Proposal` in the event store
diff.diff              a proposal against today's calendar: moved, added, unchanged, stale
apply.apply_proposal   → ordinary booking commands; what was booked meanwhile wins
jobs.run_optimization  all of it as one background job (SAQ worker or in-process)
"""
