"""synth: synthetic Vietnamese documents with ground truth, for tests, the demo and benchmarks."""
