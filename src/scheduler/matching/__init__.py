"""The matching engine: a planning problem in, a plan out (`spec/planning-problem.md`).

Pure: nothing here imports HTTP, storage or the event store; OR-Tools lives only here.

- `problem.load_problem` / `read_problem`: typed, validated input (`MalformedProblem`).
- `solver.solve(problem, *, time_limit_s, seed, previous=None, retime=True,
  split_plans=False) -> result.PlanResult`.
- `suggest.suggest(problem, plan_id, *, booked, k)`: booking-page options, no solver.
- `greedy.greedy_timetable`: the simple baseline the benchmarks compare against.
- `vrptw` / `routing`: the Solomon VRPTW router (benchmarked on its own).
"""
