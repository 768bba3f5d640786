package bench

import (
	"math/rand"
	"reflect"
	"testing"
)

func TestSummarizeKnown(t *testing.T) {
	// 1..1000 ns shuffled: nearest-rank percentiles are exact ranks.
	ns := make([]int64, 1000)
	for i := range ns {
		ns[i] = int64(i + 1)
	}
	rand.New(rand.NewSource(1)).Shuffle(len(ns), func(i, j int) { ns[i], ns[j] = ns[j], ns[i] })
	l := Summarize(ns)
	want := Latency{Count: 1000, MinNs: 1, MeanNs: 500.5, P50Ns: 500, P90Ns: 900, P99Ns: 990, P999Ns: 999, MaxNs: 1000}
	got := *l
	got.CDF = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Summarize = %+v, want %+v", got, want)
	}
	if len(l.CDF) != cdfSteps {
		t.Errorf("CDF has %d steps, want %d", len(l.CDF), cdfSteps)
	}
	checkCDF(t, l)
}

func TestSummarizeSmallAndEqual(t *testing.T) {
	for _, tc := range []struct {
		ns                  []int64
		p50, p99, max, mean float64
		steps               int
	}{
		{[]int64{7}, 7, 7, 7, 7, 1},
		{[]int64{5, 5, 5, 5}, 5, 5, 5, 5, 1},
		{[]int64{1, 2}, 1, 2, 2, 1.5, 2},
		{[]int64{3, 1, 2, 100}, 2, 100, 100, 26.5, 4},
		// 99 fast round trips and one slow: p99 is still fast, p99.9 is the slow one.
		{append(repeat(10, 99), 1000), 10, 10, 1000, 19.9, 2},
	} {
		l := Summarize(append([]int64(nil), tc.ns...))
		if l.P50Ns != tc.p50 || l.P99Ns != tc.p99 || l.MaxNs != tc.max || l.MeanNs != tc.mean {
			t.Errorf("Summarize(%v) = p50 %v p99 %v max %v mean %v, want %v %v %v %v", tc.ns, l.P50Ns, l.P99Ns, l.MaxNs, l.MeanNs, tc.p50, tc.p99, tc.max, tc.mean)
		}
		if len(l.CDF) != tc.steps {
			t.Errorf("Summarize(%v).CDF = %v, want %d steps", tc.ns, l.CDF, tc.steps)
		}
		checkCDF(t, l)
	}
	if Summarize(nil) != nil {
		t.Error("Summarize(nil) is not nil")
	}
}

func TestSummarizeRandom(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for n := 1; n < 5000; n = n*3 + 1 {
		ns := make([]int64, n)
		for i := range ns {
			ns[i] = 1 + r.Int63n(50) // many equal values
		}
		l := Summarize(ns)
		checkCDF(t, l)
		// The CDF agrees with the samples: the fraction at most each step's Ns.
		for _, s := range l.CDF {
			k := 0
			for _, v := range ns {
				if float64(v) <= s.Ns {
					k++
				}
			}
			if got := float64(k) / float64(n); got != s.Fraction {
				t.Fatalf("n=%d: CDF step %v: %v of the samples are at most it", n, s, got)
			}
		}
	}
}

func repeat(v int64, n int) []int64 {
	s := make([]int64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// checkCDF: ordered figures, a CDF increasing in both coordinates ending at the maximum and 1.
func checkCDF(t *testing.T, l *Latency) {
	t.Helper()
	if !(l.MinNs <= l.P50Ns && l.P50Ns <= l.P90Ns && l.P90Ns <= l.P99Ns && l.P99Ns <= l.P999Ns && l.P999Ns <= l.MaxNs) {
		t.Fatalf("figures out of order: %+v", l)
	}
	if l.MeanNs < l.MinNs || l.MeanNs > l.MaxNs {
		t.Fatalf("mean %v outside [%v, %v]", l.MeanNs, l.MinNs, l.MaxNs)
	}
	if len(l.CDF) == 0 || len(l.CDF) > cdfSteps {
		t.Fatalf("CDF has %d steps", len(l.CDF))
	}
	for i := 1; i < len(l.CDF); i++ {
		if l.CDF[i].Ns <= l.CDF[i-1].Ns || l.CDF[i].Fraction <= l.CDF[i-1].Fraction {
			t.Fatalf("CDF not increasing at %d: %v", i, l.CDF)
		}
	}
	last := l.CDF[len(l.CDF)-1]
	if last.Ns != l.MaxNs || last.Fraction != 1 {
		t.Fatalf("CDF ends at %v, want the maximum %v at 1", last, l.MaxNs)
	}
}
