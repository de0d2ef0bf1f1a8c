// Package steptrace prints, when the environment variable OCMAP_TRACE is
// set, the wall time between named marks to standard error: where a run's
// time goes, for performance work (as OCMAP_CPUPROFILE gives its CPU time).
// Unset, a mark costs one branch.
package steptrace

import (
	"fmt"
	"os"
	"sync"
	"time"
)

var (
	on   = os.Getenv("OCMAP_TRACE") != ""
	mu   sync.Mutex
	last = time.Now()
)

// Mark prints the time since the previous mark (or the start of the
// program), naming the step that just ended.
func Mark(step string) {
	if !on {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	now := time.Now()
	fmt.Fprintf(os.Stderr, "trace %8.3f s  %s\n", now.Sub(last).Seconds(), step)
	last = now
}
