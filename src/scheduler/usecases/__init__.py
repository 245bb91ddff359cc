"""The use-case layer: one action per thing a person does, shared by every entry point.

The JSON controllers, the web pages, the CLI and the worker all call the same action
(cosmicpython's service layer), so a rule can never hold on one path and not another.
An entry point parses input and renders output; an action runs the same steps:

1. **limits**: the rate a caller may do it at (declared with `@action(limit=...)`);
2. **access**: whether this person may act on this record (`access.py`; 403/404);
3. **the command**: the domain's own (`scheduler.domain`), where the clinic's rules are;
4. **the answer**: a view read after the command, and the position of the last event it
   wrote (`X-Position` on every write: see `UseCases.write`).

| module        | actions                                                                |
|---------------|------------------------------------------------------------------------|
| `sessions`    | book, move, cancel, complete, amend_note, no_show, pin, unpin, reads   |
| `plans`       | the plan, its sessions and history; the patient's own plans and sessions |
| `waitlist`    | join, leave, offers, accept, decline, the clinic's waitlist            |
| `dispatch`    | optimize, job, preview, apply, report_sick                             |
| `clinics`     | the clinic's therapists and plans, the board, re-authorizations due    |
| `admin`       | the clinics (public list), open a clinic, change it, map a condition   |
| `staff`       | therapists: register, profile, shifts, time off, active, shift requests |
| `patients`    | sign up, register, search, details, availability, the intake           |
| `evaluations` | the initial evaluation's options, and booking it                       |
| `clinical`    | evaluation, prescription (and renewal), plan, plan changes, progress   |
| `accounts`    | sign in, open an account, a clinic's accounts, change my password      |
| `notifications` | webhooks, dead letters, my messages and preferences, mailed links    |
"""

from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action

__all__ = ["Actor", "UseCases", "action"]
