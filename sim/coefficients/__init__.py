"""Coefficient sections of the scenario schema, one module per process (fields declared with
sim.parameters.param)."""
