"""Docking-event scheduling: slots, the CP-SAT solver with pins and minimal-change re-solve, .ics output.

Pure: plain frozen dataclasses in and out, no database or web; services map storage rows onto ``Problem``.
"""
