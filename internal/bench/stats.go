package bench

import (
	"math"
	"slices"
)

// cdfSteps bounds the points of a Latency's CDF: enough for a smooth picture, small enough for
// the JSON.
const cdfSteps = 256

// Summarize sorts the round-trip times ns (in place) and returns their distribution: the
// nearest-rank percentiles (the smallest sample that at least p of the samples do not exceed),
// the minimum, mean and maximum, and the CDF reduced to at most cdfSteps points, the last of
// which is the maximum at fraction 1.
func Summarize(ns []int64) *Latency {
	n := len(ns)
	if n == 0 {
		return nil
	}
	slices.Sort(ns)
	var sum float64
	for _, v := range ns {
		sum += float64(v)
	}
	l := &Latency{
		Count:  n,
		MinNs:  float64(ns[0]),
		MeanNs: sum / float64(n),
		P50Ns:  percentile(ns, 0.50),
		P90Ns:  percentile(ns, 0.90),
		P99Ns:  percentile(ns, 0.99),
		P999Ns: percentile(ns, 0.999),
		MaxNs:  float64(ns[n-1]),
	}
	l.CDF = cdf(ns, cdfSteps)
	return l
}

// percentile is the nearest-rank percentile of the sorted samples: the ceil(p*n)-th smallest.
func percentile(sorted []int64, p float64) float64 {
	n := len(sorted)
	rank := int(math.Ceil(p * float64(n)))
	if rank < 1 {
		rank = 1
	}
	if rank > n {
		rank = n
	}
	return float64(sorted[rank-1])
}

// cdf reduces the sorted samples to at most steps points (Ns, Fraction): the fraction of samples
// at most Ns, at evenly spaced ranks, each value once (the last rank of a run of equal samples),
// ending with the maximum at 1.
func cdf(sorted []int64, steps int) []CDFStep {
	n := len(sorted)
	out := make([]CDFStep, 0, min(n, steps))
	for i := 1; i <= steps; i++ {
		rank := int(math.Ceil(float64(i) * float64(n) / float64(steps)))
		if rank < 1 {
			continue
		}
		v := sorted[rank-1]
		// the last sample equal to v: the fraction of samples at most v
		for rank < n && sorted[rank] == v {
			rank++
		}
		f := float64(rank) / float64(n)
		if k := len(out); k > 0 && out[k-1].Ns == float64(v) {
			continue
		}
		out = append(out, CDFStep{Ns: float64(v), Fraction: f})
		if rank == n {
			break
		}
	}
	return out
}
