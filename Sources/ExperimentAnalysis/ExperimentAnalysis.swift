// Comparison of variants across seeds.
