package units

import "fmt"

// Human formats a byte count for people, in powers of 1024 with one unit letter: 512, 1.5K, 10M,
// 4.0G (one decimal below 10, none above). It is the inverse of ParseSize up to rounding.
func Human(n int64) string {
	const units = "KMGTPE"
	if n < 1024 && n > -1024 {
		return fmt.Sprint(n)
	}
	f := float64(n)
	i := -1
	for (f >= 1024 || f <= -1024) && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f < 10 && f > -10 {
		return fmt.Sprintf("%.1f%c", f, units[i])
	}
	return fmt.Sprintf("%.0f%c", f, units[i])
}
