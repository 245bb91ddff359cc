"""Options for booking a plan's next session: which therapist, when, and why.

`ranking.rank_options` is what the patient's page and the front desk see; `problem`
builds the small planning problem it searches. No HTTP here: the use-case layer calls it.
"""
