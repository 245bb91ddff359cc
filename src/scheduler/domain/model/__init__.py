"""The clinic's aggregates: each is a consistency boundary, and its events are its history.

- `clinic`: Clinic (zone, policies), ClinicDirectory (who belongs to it)
- `therapist`: Therapist (skills, base, weekly shifts, time off)
- `patient`: Patient (contact, availability, evaluations, prescriptions held)
- `prescription`: Prescription (authorized sessions across its plans, expiry)
- `plan`: TreatmentPlan (planned sessions, cadence, clearance, flagged sessions)
- `session`: Session (one visit's life: booked … completed; notes and amendments)
- `days`: TherapistDay, PatientDay (never double booked; travel between visits)
- `waitlist`: Waitlist, OfferTracker (first come first served, one offer per entry)
- `proposal`: Proposal with ProposalItem (a solver's suggestion, applied at most once)
- `feed`: CalendarToken, CalendarFeed (one current secret calendar URL per therapist)
- `receipt`: Receipt (a command retried under the same request key runs once)

Every event class is declared in its aggregate's body (`Session.Booked`…) so that code
and type checkers name it directly; each carries who (`actor`), when (`at`, the
command's clock) and, where a person decides, why (`reason`).
"""
