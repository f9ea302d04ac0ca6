"""One module per mechanism of the model brief; each holds small pure functions over arrays."""
