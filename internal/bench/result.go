// Package bench measures the IPC mechanisms of this machine for `ipcx bench`: a latency
// (round trip) and a throughput (one-way stream) run per mechanism and message size, between two
// processes, and the report of those runs (table, JSON, pictures).
package bench

import "time"

// Report is one `ipcx bench` run: the machine it ran on, what was asked, and one Result per
// mechanism and message size, in the order they ran. `ipcx bench --json` prints it.
type Report struct {
	Tool    string    `json:"tool"`    // "ipcx bench"
	Version string    `json:"version"` // ipcx's version
	Started time.Time `json:"started"`
	Machine Machine   `json:"machine"`
	Options Options   `json:"options"`
	Results []Result  `json:"results"`
}

// Machine holds the facts that decide the numbers.
type Machine struct {
	Kernel    string `json:"kernel"` // uname -r
	Arch      string `json:"arch"`   // uname -m
	CPUModel  string `json:"cpu_model"`
	CPUs      int    `json:"cpus"` // CPUs this process may run on
	GoVersion string `json:"go_version"`
}

// Options is what the run was asked to do.
type Options struct {
	Mechanisms []string `json:"mechanisms"`
	Sizes      []int    `json:"sizes"`                // message sizes in bytes
	Count      int      `json:"count,omitempty"`      // round trips per latency run (0 with Duration)
	Duration   float64  `json:"duration_s,omitempty"` // seconds per run (0 with Count)
	Warmup     int      `json:"warmup"`               // round trips before the timed ones
	CPUs       []int    `json:"cpus,omitempty"`       // --cpus: the CPU of each end (one: both ends), empty: the scheduler's choice
	Throughput bool     `json:"throughput"`           // whether throughput runs were made
}

// Result is one mechanism at one message size.
type Result struct {
	Mechanism  string      `json:"mechanism"`
	Size       int         `json:"size"`
	Placement  Placement   `json:"placement"`
	Latency    *Latency    `json:"latency,omitempty"`
	Throughput *Throughput `json:"throughput,omitempty"`
	Note       string      `json:"note,omitempty"` // e.g. why a size was capped
}

// Placement says where the two ends ran: Pinned when --cpus asked, and the CPU each end was on
// at the end of the run (sched_getcpu, or /proc/PID/stat's processor field).
type Placement struct {
	Pinned bool  `json:"pinned"`
	CPUs   []int `json:"cpus"` // [client CPU, server CPU]
}

// Latency is the distribution of Count round trips, in nanoseconds.
type Latency struct {
	Count  int       `json:"count"`
	MinNs  float64   `json:"min_ns"`
	MeanNs float64   `json:"mean_ns"`
	P50Ns  float64   `json:"p50_ns"`
	P90Ns  float64   `json:"p90_ns"`
	P99Ns  float64   `json:"p99_ns"`
	P999Ns float64   `json:"p999_ns"`
	MaxNs  float64   `json:"max_ns"`
	CDF    []CDFStep `json:"cdf"` // the whole distribution, for pictures: increasing Ns and Fraction
}

// CDFStep is one point of the latency distribution: Fraction of the round trips took at most Ns.
type CDFStep struct {
	Ns       float64 `json:"ns"`
	Fraction float64 `json:"fraction"`
}

// Throughput is a one-way stream of Messages messages of the Result's Size.
type Throughput struct {
	Messages    int64   `json:"messages"`
	Bytes       int64   `json:"bytes"`
	Seconds     float64 `json:"seconds"`
	MsgsPerSec  float64 `json:"msgs_per_s"`
	BytesPerSec float64 `json:"bytes_per_s"`
}
