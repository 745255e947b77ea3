"""Air-quality core of the environment room: pure Python, no Django imports.

Modules (import them directly; nothing is re-exported here so importing one
part never loads the rest):

* `quantities` — quantities, units, conversions, physical ranges (data)
* `bands`      — EEA European Air Quality Index bands, levels, colours (data)
* `aqi`        — index for a concentration, a station, a series
* `limits`     — EU limit/target values (2008/50/EC, (EU) 2024/2881) and a yearly check
* `validation` — accept or quarantine individual readings
* `payloads`   — sensor.community firmware JSON, platform JSON, archive CSV
* `alerting`   — hysteresis state machine for band/limit alerts
* `aggregates` — mergeable hourly/daily aggregates, EU data-coverage rules

See docs/environment-airquality.md.
"""
