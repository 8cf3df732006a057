"""Dispatch planning (issue 5): `cvrplib` reads CVRPLIB files, `routing` solves and checks
vehicle routes.

No Django here: instances and parameters come in as arguments, results go out as frozen
dataclasses.
"""
