// Reports drawn from stored runs.
