"""Independent expert capability assessment: the first point of MIDAS 2027.

The pure building blocks stand today, each a subpackage with its own public API and no database or web code:

- ``frameworks``: capability frameworks as versioned data (the KS X 9001-3 style smart-factory levels and a
  SIRI-style readiness index), validated on load, and scoring (items → areas → overall → maturity level,
  self vs expert gaps).
- ``assignment``: the exact optimal assignment of independent experts to assessments under conflicts, load
  limits and the employer and own-region rules, with a greedy baseline and decline handling.
- ``reliability``: Krippendorff's ordinal alpha with a bootstrap interval, expert calibration
  (leniency/severity, consistency), reconciliation triggers and distributions for operators.

The tables, services, API, pages and the CLI that bring them to rounds, experts and companies come next.
"""
