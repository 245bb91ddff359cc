"""Calendar, treatment plans and mobile-therapist routing for medical-massage clinics."""
