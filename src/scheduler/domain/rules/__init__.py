"""The clinic's rules as values and pure functions, shared by every command that needs them.

| module       | rule                                                                     |
|--------------|--------------------------------------------------------------------------|
| `care`       | specializations, contraindication flags and what each rules out          |
| `conditions` | which specializations treat a prescribed condition (clinic-extendable)   |
| `cadence`    | consecutive sessions of a plan are `min_days..max_days` apart            |
| `timing`     | nothing is booked into the past or changed after it starts; overrides    |
| `inputs`     | plain values: places, names, pain levels                                  |

The checks that need a calendar (no double booking, travel, shifts) live on the day
aggregates (`model/days.py`), because only they see every visit of the day.
"""
