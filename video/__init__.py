"""Pendulum footage to phase space (tracking marks, angles, derivatives).

Stands alone: imports neither ``physnet`` nor ``systems``. Its pipeline arrives with the
video issue; until then the package only reserves the name.
"""
