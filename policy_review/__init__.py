"""policy-review: check agency directives against NCMEC Missing Kids Readiness Program elements."""

__version__ = "0.1.0"
