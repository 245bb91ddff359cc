"""The read-model tables, created by the projector (idempotent DDL).

One row per record the board shows. `readside_clinics.position` is the notification id
of the last event that changed anything the clinic's board or weeks show: the API keys
its cache on it, so a cached board is never served after a change.
"""

from __future__ import annotations

TRACKING_TABLE = "readside_tracking"
"""The library's tracking table of the projection named `readside`."""

APPLICATION_NAME = "Scheduling"
"""The application whose events are projected (its row in the tracking table)."""

TABLES = (
    """CREATE TABLE IF NOT EXISTS readside_clinics (
        clinic_id uuid PRIMARY KEY,
        timezone text NOT NULL,
        latitude double precision NOT NULL,
        longitude double precision NOT NULL,
        travel_speed_kmh double precision NOT NULL,
        position bigint NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS readside_therapists (
        therapist_id uuid PRIMARY KEY,
        clinic_id uuid NOT NULL,
        name text NOT NULL,
        mobile boolean NOT NULL,
        home_latitude double precision,
        home_longitude double precision,
        shifts jsonb NOT NULL,
        listed bigint NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS readside_therapists_clinic ON readside_therapists (clinic_id)",
    # What the booking page's options need of a therapist (added later: NULL in a read
    # model made before; the options then read the roster from the event store until
    # the read model is rebuilt).
    "ALTER TABLE readside_therapists ADD COLUMN IF NOT EXISTS specializations jsonb",
    "ALTER TABLE readside_therapists ADD COLUMN IF NOT EXISTS max_visits integer",
    "ALTER TABLE readside_therapists ADD COLUMN IF NOT EXISTS active boolean NOT NULL DEFAULT true",
    """CREATE TABLE IF NOT EXISTS readside_patients (
        patient_id uuid PRIMARY KEY,
        clinic_id uuid NOT NULL,
        name text NOT NULL,
        contraindications jsonb)""",
    """CREATE TABLE IF NOT EXISTS readside_plans (
        plan_id uuid PRIMARY KEY,
        clinic_id uuid NOT NULL,
        condition text NOT NULL,
        specialization text NOT NULL,
        setting text NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS board_visits (
        session_id uuid PRIMARY KEY,
        clinic_id uuid NOT NULL,
        therapist_id uuid NOT NULL,
        patient_id uuid NOT NULL,
        plan_id uuid NOT NULL,
        day date NOT NULL,
        start_utc timestamptz NOT NULL,
        end_utc timestamptz NOT NULL,
        latitude double precision NOT NULL,
        longitude double precision NOT NULL,
        setting text NOT NULL,
        status text NOT NULL,
        position bigint NOT NULL)""",
    # Contraindications of a newer evaluation that rule the visit out (kept by migrate
    # for read models made before the column existed).
    "ALTER TABLE board_visits ADD COLUMN IF NOT EXISTS flags jsonb NOT NULL DEFAULT '[]'",
    # Added after the first release: a read model made before it gains the column
    # (existing visits unpinned; rebuild the read model if pins were recorded before).
    "ALTER TABLE board_visits ADD COLUMN IF NOT EXISTS pinned boolean NOT NULL DEFAULT false",
    # An evaluation visit has no plan; what it is for is shown instead of a condition.
    "ALTER TABLE board_visits ALTER COLUMN plan_id DROP NOT NULL",
    "ALTER TABLE board_visits ADD COLUMN IF NOT EXISTS visit_reason text",
    "CREATE INDEX IF NOT EXISTS board_visits_clinic_day ON board_visits (clinic_id, day)",
    "CREATE INDEX IF NOT EXISTS board_visits_therapist_day ON board_visits (therapist_id, day)",
    """CREATE TABLE IF NOT EXISTS readside_therapist_days (
        day_id uuid PRIMARY KEY,
        therapist_id uuid NOT NULL,
        day date NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS board_unavailable (
        position bigint PRIMARY KEY,
        therapist_id uuid NOT NULL,
        day date NOT NULL,
        kind text NOT NULL,
        start_utc timestamptz NOT NULL,
        end_utc timestamptz NOT NULL,
        reason text NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS board_unavailable_day ON board_unavailable (therapist_id, day)",
)
